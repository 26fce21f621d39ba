import { add, api, type Ctx, QUICK, tenants } from './context.ts';
import { percentile, round, statusKb, timed } from './lib.ts';

/** A burst of grants from many tenants at once. */
export async function burst(ctx: Ctx) {
  const count = QUICK ? 200 : 1000;
  const list = await tenants(ctx, 'burst', count);
  let errors = 0;
  const failures = new Map<string, number>();
  const started = performance.now();
  const latencies = await timed(count, count, async (i) => {
    const t = list[i];
    if (!t) return;
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'burst',
      durationSeconds: 3600,
    });
    if (r.status !== 201) {
      errors++;
      const key = `${r.status} ${r.body?.code ?? ''}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  add({
    name: `burst: ${count} tenants create at once, throughput`,
    value: round(count / seconds, 1),
    unit: 'grants/s',
    target: '—',
    pass: null,
  });
  add({
    name: 'burst: p50 / p99 latency',
    value: round(percentile(latencies, 99)),
    unit: `ms p99 (p50 ${round(percentile(latencies, 50))})`,
    target: '—',
    pass: null,
  });
  add({
    name: 'burst: errors',
    value: errors,
    unit: `requests ${JSON.stringify(Object.fromEntries(failures))}`,
    target: '0',
    pass: errors === 0,
  });
  const peak = statusKb(ctx.stack.pid, 'VmHWM') / 1024;
  add({
    name: 'peak RSS of the whole local runtime process during the burst (gateway, all handlers, Scheduler emulator, stream poller, tsx; all requests in flight at once)',
    value: round(peak, 1),
    unit: 'MB',
    target: '—',
    pass: null,
  });
  return list;
}
