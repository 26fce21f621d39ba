/** Cold start: each bundle's import time and size against its SDK-only floor. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import { routeTable } from '../functions/http/routes.ts';
import type { FunctionNeeds } from '../functions/needs.ts';
import { PRODUCTION_NODE_OPTIONS, productionEsbuild } from '../infra/bundling.ts';
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

/**
 * One fresh process importing `file` with the functions' NODE_OPTIONS (source maps: Node reads the
 * bundle's map as it loads it): the milliseconds the import took, and the CPU time it used (what a
 * Lambda sandbox's share of a core has to get through; the shared machine's load does not count).
 */
function importOnce(file: string): { wall: number; cpu: number } {
  const out = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const c=process.cpuUsage(); const t=performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); const u=process.cpuUsage(c); console.log(performance.now()-t, (u.user+u.system)/1000)`,
    ],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', NODE_OPTIONS: PRODUCTION_NODE_OPTIONS },
    },
  );
  const [wall, cpu] = (out.stdout.trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { wall: wall ?? Number.NaN, cpu: cpu ?? Number.NaN };
}

/**
 * Import times of a bundle and its floor, measured alternately (floor, bundle, floor, …) so the
 * shared machine's changing load falls on both alike; the medians of each (wall and CPU).
 */
export function importPair(
  file: string,
  floor: string,
): { ms: number; floorMs: number; cpuMs: number; floorCpuMs: number } {
  const ours: { wall: number; cpu: number }[] = [];
  const floors: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < (QUICK ? 5 : 11); i++) {
    floors.push(importOnce(floor));
    ours.push(importOnce(file));
  }
  return {
    ms: median(ours.map((o) => o.wall)),
    floorMs: median(floors.map((o) => o.wall)),
    cpuMs: median(ours.map((o) => o.cpu)),
    floorCpuMs: median(floors.map((o) => o.cpu)),
  };
}

export async function coldStart() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  // Every function: each API function holds the DynamoDB client (its wiring), the others the
  // clients their needs name; the notifier also sends mail.
  const functions = [
    ...routeTable.map((r) => ({
      name: r.name,
      entry: r.entry,
      sdks: ['dynamodb', ...(r.needs.schedules ? ['scheduler'] : [])],
    })),
    ...Object.entries(BACKGROUND_FUNCTIONS).map(([name, f]) => {
      const needs: FunctionNeeds = f.needs;
      return {
        name,
        entry: f.entry,
        sdks: [
          ...(needs.table.length > 0 ? ['dynamodb'] : []),
          ...(needs.schedules ? ['scheduler'] : []),
          ...(needs.eventBus ? ['eventbridge'] : []),
          ...(name === 'notify' ? ['ses'] : []),
        ],
      };
    }),
  ];
  const floors = new Map<string, { file: string; kb: number }>();
  let worstRatio = 0;
  let worstCpu = 0;
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
    const { ms, floorMs, cpuMs, floorCpuMs } = importPair(file, floor.file);
    if (ms / floorMs > worstRatio) worstRatio = ms / floorMs;
    worstCpu = Math.max(worstCpu, cpuMs / floorCpuMs);
    worstExtra = Math.max(worstExtra, kb - floor.kb);
    rows.push(
      `${fn.name}: ${round(kb, 0)} KB (floor ${round(floor.kb, 0)} KB, +${round(kb - floor.kb, 0)}), import ${round(ms, 1)} ms (floor ${round(floorMs, 1)} ms, ×${round(ms / floorMs)}); CPU ${round(cpuMs, 1)} ms (floor ${round(floorCpuMs, 1)} ms, ×${round(cpuMs / floorCpuMs)})`,
    );
  }
  for (const row of rows) log(`  ${row}`);
  add({
    name: 'cold start: worst import time / SDK-only floor',
    value: round(worstRatio),
    unit: `ratio (${functions.length} functions)`,
    target: '≤ 1.3',
    pass: worstRatio <= 1.3,
  });
  add({
    name: 'cold start: worst import CPU time / SDK-only floor (information)',
    value: round(worstCpu),
    unit: 'ratio',
    target: '—',
    pass: null,
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
