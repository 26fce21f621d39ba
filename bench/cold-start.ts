/** Cold start: each bundle's import time and size against its SDK-only floor. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import { routeTable } from '../functions/http/routes.ts';
import { productionEsbuild } from '../infra/bundling.ts';
import { add, log, QUICK, ROOT } from './context.ts';
import { median, round } from './lib.ts';

export const SDK_FLOORS: Record<string, string> = {
  dynamodb:
    "export { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
  scheduler: "export { SchedulerClient } from '@aws-sdk/client-scheduler';",
  eventbridge:
    "export { EventBridgeClient } from '@aws-sdk/client-eventbridge'; export { unmarshall } from '@aws-sdk/util-dynamodb';",
  ses: "export { SESClient } from '@aws-sdk/client-ses'; export { unmarshall } from '@aws-sdk/util-dynamodb';",
};

/** One fresh process importing `file`: the milliseconds the import took. */
function importOnce(file: string): number {
  const out = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const t=performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now()-t)`,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' } },
  );
  return Number(out.stdout.trim().split('\n').pop());
}

/**
 * Import times of a bundle and its floor, measured alternately (floor, bundle, floor, …) so the
 * shared machine's changing load falls on both alike; the medians of each.
 */
export function importPair(file: string, floor: string): { ms: number; floorMs: number } {
  const ours: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < (QUICK ? 5 : 11); i++) {
    floors.push(importOnce(floor));
    ours.push(importOnce(file));
  }
  return { ms: median(ours), floorMs: median(floors) };
}

export async function coldStart() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  const functions = [
    ...routeTable.map((r) => ({
      name: r.name,
      entry: r.entry,
      sdks: ['dynamodb', ...(r.needs.schedules ? ['scheduler'] : [])],
    })),
    { name: 'expireGrant', entry: BACKGROUND_FUNCTIONS.expireGrant.entry, sdks: ['dynamodb'] },
    { name: 'sweep', entry: BACKGROUND_FUNCTIONS.sweep.entry, sdks: ['dynamodb', 'scheduler'] },
    { name: 'notify', entry: BACKGROUND_FUNCTIONS.notify.entry, sdks: ['dynamodb', 'ses'] },
    { name: 'chainAudit', entry: BACKGROUND_FUNCTIONS.chainAudit.entry, sdks: ['dynamodb'] },
    { name: 'recordChecks', entry: BACKGROUND_FUNCTIONS.recordChecks.entry, sdks: ['dynamodb'] },
    { name: 'publishEvents', entry: BACKGROUND_FUNCTIONS.publishEvents.entry, sdks: ['eventbridge'] },
  ];
  const floors = new Map<string, { file: string; kb: number }>();
  let worstRatio = 0;
  let worstExtra = 0;
  const rows: string[] = [];
  for (const fn of functions) {
    const key = fn.sdks.join('+');
    if (!floors.has(key)) {
      const file = join(dir, `floor-${key}.mjs`);
      await build({
        ...productionEsbuild,
        stdin: { contents: fn.sdks.map((s) => SDK_FLOORS[s]).join('\n'), resolveDir: ROOT, loader: 'js' },
        outfile: file,
      });
      floors.set(key, { file, kb: (await stat(file)).size / 1024 });
    }
    const floor = floors.get(key) as { file: string; kb: number };
    const file = join(dir, `${fn.name}.mjs`);
    await build({ ...productionEsbuild, entryPoints: [join(ROOT, fn.entry)], outfile: file });
    const kb = (await stat(file)).size / 1024;
    const { ms, floorMs } = importPair(file, floor.file);
    worstRatio = Math.max(worstRatio, ms / floorMs);
    worstExtra = Math.max(worstExtra, kb - floor.kb);
    rows.push(
      `${fn.name}: ${round(kb, 0)} KB (floor ${round(floor.kb, 0)} KB, +${round(kb - floor.kb, 0)}), import ${round(ms, 1)} ms (floor ${round(floorMs, 1)} ms, ×${round(ms / floorMs)})`,
    );
  }
  for (const row of rows) log(`  ${row}`);
  add({
    name: 'cold start: worst import time / SDK-only floor',
    value: round(worstRatio),
    unit: 'ratio',
    target: '≤ 1.3',
    pass: worstRatio <= 1.3,
  });
  add({
    name: 'cold start: worst bundle size over its floor',
    value: round(worstExtra, 0),
    unit: 'KB',
    target: '≤ 250 KB',
    pass: worstExtra <= 250,
  });
  await rm(dir, { recursive: true, force: true });
  return rows;
}
