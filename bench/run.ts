import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accessOverhead, contention, enforcement, gatewayBreakdown } from './access.ts';
import { billedByFunction, billedDurations, reports } from './billed.ts';
import { burst } from './burst.ts';
import { chainLag, idleGrants } from './chain.ts';
import { latencyChart, latenessHistogram, writeChart } from './charts.ts';
import { coldShares } from './cold-shares.ts';
import { coldStart } from './cold-start.ts';
import { add, metrics, QUICK, ROOT, startStack, stopStack } from './context.ts';
import { costPerLifecycle, lifecycleTraffic } from './cost.ts';
import { eventsLatency } from './events.ts';
import { lateness } from './expiry.ts';
import { mailIsolation } from './isolation.ts';
import { groupRssKb, round } from './lib.ts';
import { functionLatency, functionMemory } from './memory.ts';
import { quotas } from './quotas.ts';
import { scale } from './scale.ts';
import { webhooksLatency } from './webhooks.ts';

async function main() {
  const started = Date.now();
  // Its own stacks, with the quotas set.
  if (process.env.BENCH_ONLY === 'quotas') return quotas();
  // Its own stack, forwarding the bus to a receiver here.
  if (process.env.BENCH_ONLY === 'events') return eventsLatency();
  if (process.env.BENCH_ONLY === 'cold-shares') return coldShares();
  if (process.env.BENCH_ONLY === 'cold-start') {
    await coldStart();
    await coldShares();
    return;
  }
  // Its own stack, with webhook receivers here.
  if (process.env.BENCH_ONLY === 'webhooks') return webhooksLatency();
  const cold = process.env.BENCH_ONLY ? [] : await coldStart();
  const ctx = await startStack({ GRANT_MIN_SECONDS: '1' });
  let cost: Awaited<ReturnType<typeof costPerLifecycle>> | undefined;
  let billed: Awaited<ReturnType<typeof billedDurations>> | undefined;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const idle = groupRssKb(ctx.stack.pid);
    add({
      name: 'whole local stack RSS at idle',
      value: round(idle.total / 1024, 0),
      unit: `MB (${idle.byProcess.map((p) => `${p.name} ${round(p.rssKb / 1024, 0)}`).join(', ')})`,
      target: '≤ 1024 MB',
      pass: idle.total / 1024 <= 1024,
    });
    const only = process.env.BENCH_ONLY;
    if (only === 'scale') {
      await scale(ctx);
      return;
    }
    if (only === 'cost') {
      await lifecycleTraffic(ctx, 10);
      cost = await costPerLifecycle(ctx, Object.fromEntries(billedByFunction(await reports(ctx))));
      return;
    }
    if (only === 'gateway') return await gatewayBreakdown(ctx);
    if (!only || only === 'access') {
      const distributions = await accessOverhead(ctx);
      await gatewayBreakdown(ctx);
      const own = await functionLatency(ctx);
      if (distributions && own) distributions['c=1, the function alone (no gateway)'] = own;
      if (distributions)
        await writeChart(
          ROOT,
          'bench-access-latency.svg',
          latencyChart(
            'Access check latency against its floors (npm run bench, local engines)',
            distributions,
          ),
        );
      await contention(ctx);
    }
    if (only === 'access') return;
    if (!only || only === 'enforcement') await enforcement(ctx);
    if (!only || only === 'lateness') {
      const late = await lateness(ctx, 'scheduler', QUICK ? 100 : 500, 20_000, { end: 1, email: 60 });
      await writeChart(
        ROOT,
        'bench-expiry-lateness.svg',
        latenessHistogram('Expiry lateness with the Scheduler emulator (npm run bench, local engines)', {
          'access ended − deadline': late.ends,
          'email accepted − deadline': late.emails,
        }),
      );
    }
    if (only === 'lateness') return;
    if (!only || only === 'isolation') await mailIsolation(ctx, QUICK ? 30 : 100, 20_000);
    if (only === 'isolation') return;
    if (!only || only === 'chain') await chainLag(ctx, await idleGrants(ctx, 40), 'at idle');
    if (only === 'chain') return;
    const burstTenants = await burst(ctx);
    await chainLag(ctx, burstTenants, 'under the burst');
    if (only === 'burst') return;
    await functionMemory(ctx);
    cost = await costPerLifecycle(ctx, Object.fromEntries(billedByFunction(await reports(ctx))));
    // Last on this stack: it fills the table with many grants and a long log.
    await scale(ctx);
  } finally {
    // What every function was billed over everything this stack ran (the chainer never waits).
    billed = await billedDurations(
      ctx,
      process.env.BENCH_ONLY ? `BENCH_ONLY=${process.env.BENCH_ONLY}` : 'full run',
    );
    await stopStack(ctx);
  }
  if (process.env.BENCH_ONLY) return;
  const sweepOnly = await startStack({
    GRANT_MIN_SECONDS: '1',
    SCHEDULER_EMULATOR: 'off',
    SWEEP_INTERVAL_SECONDS: '5',
  });
  try {
    await lateness(sweepOnly, 'sweep only', QUICK ? 50 : 200, 20_000, { end: 6, email: 66 });
  } finally {
    await stopStack(sweepOnly);
  }
  await quotas();
  await eventsLatency();
  await webhooksLatency();
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log('\n| metric | value | unit | target | pass |\n|---|---|---|---|---|');
  for (const m of metrics)
    console.log(
      `| ${m.name} | ${m.value} | ${m.unit} | ${m.target} | ${m.pass === null ? '—' : m.pass ? 'yes' : 'NO'} |`,
    );
  console.log(
    `\n${metrics.filter((m) => m.pass === true).length} targets met, ${metrics.filter((m) => m.pass === false).length} missed; ${seconds} s`,
  );
  await writeFile(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), seconds, metrics, coldStart: cold, cost, billed }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
