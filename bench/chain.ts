import { CHAIN_EVENT_SOURCE, CHAIN_SETTLE_MS } from '../functions/use-cases/audit.ts';
import { add, api, type Ctx, tenants } from './context.ts';
import { percentile, round } from './lib.ts';

/**
 * The audit chain's lag under a burst: from an event's time (when its request arrived) until it
 * reads with its `hash`. Sampled tenants of the burst are polled until their events are chained.
 */
export async function chainLag(
  ctx: Ctx,
  list: { tenantId: string; admin: string }[],
  label: string,
  sample = 40,
) {
  const step = Math.max(1, Math.floor(list.length / sample));
  const picked = list.filter((_, i) => i % step === 0).slice(0, sample);
  const lags: number[] = [];
  const deadline = Date.now() + 120_000;
  const pending = new Map(picked.map((t) => [t.tenantId, t]));
  const seen = new Set<string>();
  while (pending.size > 0 && Date.now() < deadline) {
    for (const t of [...pending.values()]) {
      const r = await api(ctx, 'GET', `/tenants/${t.tenantId}/audit?limit=100`, t.admin);
      const events = (r.body?.events ?? []) as { eventId: string; at: string; hash?: string }[];
      const now = Date.now();
      for (const e of events)
        if (e.hash && !seen.has(e.eventId)) {
          seen.add(e.eventId);
          lags.push(now - Date.parse(e.at));
        }
      if (events.length > 0 && events.every((e) => e.hash)) pending.delete(t.tenantId);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const p99 = lags.length ? percentile(lags, 99) / 1000 : Number.POSITIVE_INFINITY;
  add({
    name: `audit chain lag (event written → hash) ${label}, ${picked.length} tenants sampled, ${lags.length} events`,
    value: round(p99, 1),
    unit: `s p99 (p50 ${lags.length ? round(percentile(lags, 50) / 1000, 1) : '—'}; settle time ${CHAIN_SETTLE_MS / 1000} s, batching window ${CHAIN_EVENT_SOURCE.maxBatchingWindowSeconds} s; polled every ~0.25 s per tenant)`,
    target: '≤ 60 s',
    pass: pending.size === 0 && p99 <= 60,
  });
}

/** Tenants that each create one grant, a quarter of a second apart: a quiet stack's traffic. */
export async function idleGrants(ctx: Ctx, count: number) {
  const list = await tenants(ctx, 'idle', count);
  for (const t of list) {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'idle',
      durationSeconds: 3600,
    });
    if (r.status !== 201) throw new Error(`create for ${t.tenantId}: ${r.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return list;
}
