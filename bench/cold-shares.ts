/** What each part of a function's code adds to its import time, over the SDK-only floor. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { productionEsbuild } from '../infra/bundling.ts';
import { importPair, SDK_FLOORS } from './cold-start.ts';
import { add, ROOT } from './context.ts';
import { round } from './lib.ts';

const fn = (path: string) => JSON.stringify(join(ROOT, path));

/** Each part as a function's code would load it: imported, and what it builds on load or first use. */
const PARTS: Record<string, string> = {
  'zod + every request schema': `import * as s from ${fn('functions/http/schemas.ts')};
for (const schema of Object.values(s)) if (typeof schema === 'function' && schema.length === 0) schema();`,
  'zod + one route’s schemas (as built now)': `import { PageQuery } from ${fn('functions/http/schemas.ts')}; PageQuery();`,
  'the settings, one section read': `import { tableConfig } from ${fn('functions/wiring/config.ts')};
tableConfig({ TABLE_NAME: 't' });`,
  'the route table': `import { routes } from ${fn('functions/http/routes.ts')}; globalThis.r = routes;`,
  'an Intl grapheme segmenter': `globalThis.s = new Intl.Segmenter(undefined, { granularity: 'grapheme' });`,
  'ipaddr.js, one range parsed': `import ipaddr from 'ipaddr.js'; globalThis.r = ipaddr.parseCIDR('2000::/3');`,
  'Powertools Logger': `import { Logger } from '@aws-lambda-powertools/logger'; new Logger({ serviceName: 'x' });`,
  'Powertools Logger + Metrics': `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
new Logger({ serviceName: 'x' }); new Metrics({ serviceName: 'x' });`,
  'libphonenumber-js (one number parsed)': `import { parsePhoneNumberFromString } from 'libphonenumber-js';
parsePhoneNumberFromString('030 1234567', 'DE');`,
  'email templates': `import * as t from ${fn('functions/email/templates.ts')}; globalThis.t = t;`,
  'middy core': `import middy from '@middy/core'; middy(async () => 0);`,
};

export async function coldShares() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-shares-'));
  try {
    const floor = join(dir, 'floor.mjs');
    await build({
      ...productionEsbuild,
      stdin: { contents: SDK_FLOORS.dynamodb as string, resolveDir: ROOT, loader: 'js' },
      outfile: floor,
    });
    for (const [name, code] of Object.entries(PARTS)) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.mjs`);
      await build({
        ...productionEsbuild,
        stdin: { contents: `${SDK_FLOORS.dynamodb}\n${code}`, resolveDir: ROOT, loader: 'ts' },
        outfile: file,
      });
      const { ms, floorMs, cpuMs, floorCpuMs } = importPair(file, floor);
      add({
        name: `cold start share: ${name}`,
        value: round(ms - floorMs, 1),
        unit: `ms over the DynamoDB floor (${round(floorMs, 1)} ms; ×${round(ms / floorMs)}); CPU +${round(cpuMs - floorCpuMs, 1)} ms (floor ${round(floorCpuMs, 1)})`,
        target: '—',
        pass: null,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
