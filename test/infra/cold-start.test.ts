import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { route } from '../../functions/http/routes.ts';
import { productionEsbuild } from '../../infra/bundling.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A function's production bundle, written to `dir`: its file and the modules it holds. */
async function bundle(entry: string, dir: string) {
  const outfile = join(dir, `${entry.replace(/\W+/g, '-')}.mjs`);
  const result = await build({
    ...productionEsbuild,
    entryPoints: [join(ROOT, entry)],
    outfile,
    metafile: true,
  });
  const [output] = Object.values(result.metafile.outputs).filter((o) => o.entryPoint);
  // Only what is left in the bundle after tree shaking.
  const kept = Object.entries(output?.inputs ?? {}).filter(([, input]) => input.bytesInOutput > 0);
  return { outfile, inputs: kept.map(([path]) => path) };
}

describe('a function’s import does only what its requests need (cold start)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('leaves the metrics client and the IP address parser out of API functions that use neither', async () => {
    for (const name of ['checkAccess', 'createGrant', 'health'] as const) {
      const { inputs } = await bundle(route(name).entry, dir);
      expect(inputs.filter((i) => /ipaddr\.js|powertools\/metrics/.test(i))).toEqual([]);
    }
    // The webhook functions keep the parser: they check every address.
    const { inputs } = await bundle(route('addWebhook').entry, dir);
    expect(inputs.some((i) => i.includes('ipaddr.js'))).toBe(true);
  });

  it('maps stacks without carrying the sources in the map (Node parses the whole map on load)', async () => {
    const { outfile } = await bundle(route('checkAccess').entry, dir);
    const map = JSON.parse(await readFile(`${outfile}.map`, 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sources.some((s) => s.endsWith('functions/handlers/check-access.ts'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('makes no Intl segmenter on import (only text that is shortened needs one)', async () => {
    const { outfile } = await bundle(route('checkAccess').entry, dir);
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--input-type=module',
      '-e',
      `let made = 0;
const Segmenter = Intl.Segmenter;
Intl.Segmenter = class extends Segmenter { constructor(...a) { super(...a); made++; } };
await import(${JSON.stringify(pathToFileURL(outfile).href)});
console.log(made);`,
    ]);
    expect(stdout.trim()).toBe('0');
  });
});

describe('the settings build their schemas when read', () => {
  it('builds a setting’s schema on its first read and keeps it; a section reads only its own', async () => {
    vi.resetModules();
    const { settings } = await import('../../functions/wiring/settings.ts');
    const { tableConfig } = await import('../../functions/wiring/config.ts');
    expect(tableConfig({ TABLE_NAME: 't' })).toEqual({ TABLE_NAME: 't', ACTIVE_INDEX_SHARDS: 1 });
    // The mail section was not read: its settings' schemas were never built.
    expect(Object.getOwnPropertyDescriptor(settings.mailFrom, 'schema')?.get).toBeTypeOf('function');
    const schema = settings.mailFrom.schema;
    expect(settings.mailFrom.schema).toBe(schema);
    expect(Object.getOwnPropertyDescriptor(settings.mailFrom, 'schema')?.value).toBe(schema);
  });
});
