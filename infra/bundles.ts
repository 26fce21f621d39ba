import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import { routeTable } from '../functions/http/routes.ts';
import { productionEsbuild } from './bundling.ts';

const ROOT = join(import.meta.dirname, '..');

/** Handler files the app is known to deploy: bundled together in one esbuild run. */
const KNOWN_ENTRIES = [
  ...routeTable.map((route) => route.entry),
  ...Object.values(BACKGROUND_FUNCTIONS).map((f) => f.entry),
  'infra/handlers/index-shards-guard.ts',
];

let outDir: string | undefined;
const built = new Map<string, string>();

/** Bundles the entries in one esbuild run, each into a folder of its own holding `index.mjs`. */
function bundle(entries: readonly string[]) {
  outDir ??= mkdtempSync(join(tmpdir(), 'support-access-bundles-'));
  const run = mkdtempSync(join(outDir, 'run-'));
  // `f0/index` → f0/index.mjs beside its map: each function's folder, its source map linked by that name.
  const names = new Map(entries.map((entry, i) => [`f${i}/index`, entry]));
  buildSync({
    ...productionEsbuild,
    entryPoints: Object.fromEntries([...names].map(([name, entry]) => [name, join(ROOT, entry)])),
    outdir: run,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  for (const [name, entry] of names) built.set(entry, join(run, dirname(name)));
}

/**
 * The folder holding the production bundle (`index.mjs` and its source map) of a handler file.
 * The first call bundles every function the app deploys in one esbuild run (a bundle per function,
 * as before, with the production settings): one run shares the parsing of what the functions
 * have in common, where a bundle per construct took seconds each.
 */
export function bundleFolder(entry: string): string {
  if (!built.has(entry)) bundle(built.size === 0 ? [...new Set([...KNOWN_ENTRIES, entry])] : [entry]);
  return built.get(entry) as string;
}

let placeholder: string | undefined;

/**
 * What a function's code is when the app is synthesized without bundling (the CDK's
 * `aws:cdk:bundling-stacks` leaves the stack out, as template tests and the local runtime's
 * synthesis do): a handler that says so, never deployed as code that seems to work.
 */
export function unbundledFolder(): string {
  if (!placeholder) {
    placeholder = mkdtempSync(join(tmpdir(), 'support-access-unbundled-'));
    writeFileSync(
      join(placeholder, 'index.mjs'),
      "export const handler = () => { throw new Error('synthesized without bundling'); };\n",
    );
  }
  return placeholder;
}
