import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken } from '../local/tokens.ts';
import { billedDurations } from './billed.ts';
import { add, api, type Ctx, log, QUICK, startStack, stopStack, whileChecksFlood } from './context.ts';
import { percentile, round } from './lib.ts';

/** A webhook receiver: when each path last got a request; paths under /fail/ answer 500. */
async function receiver(): Promise<{ server: Server; base: string; arrivals: Map<string, number[]> }> {
  const arrivals = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const at = Date.now();
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      arrivals.set(path, [...(arrivals.get(path) ?? []), at]);
      res.writeHead(path.startsWith('/fail/') ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

const adminOf = (ctx: Ctx, tenantId: string) =>
  signToken(ctx.keys, { email: `admin@${tenantId}.example`, tenantId, roles: ['tenant-admin'] });

/** Registers a webhook taking access checks (tenants are implicit: none needs contacts for it). */
async function hook(ctx: Ctx, tenantId: string, url: string) {
  const r = await api(ctx, 'POST', `/tenants/${tenantId}/webhooks`, await adminOf(ctx, tenantId), {
    url,
    eventTypes: ['access.checked'],
  });
  if (r.status !== 201) throw new Error(`webhook setup failed: ${r.status}`);
}

/** How long one round of samples may take: a stalled round reports what it missed, it never hangs the bench. */
const ROUND_BUDGET_MS = 180_000;

/**
 * One check per tenant in turn: request sent → its webhook delivery received, in ms. Samples not
 * taken within the round's budget count as missing.
 */
async function checkToWebhook(
  ctx: Ctx,
  sink: Awaited<ReturnType<typeof receiver>>,
  tenantIds: string[],
): Promise<{ delays: number[]; missing: number; refused: number }> {
  const delays: number[] = [];
  let missing = 0;
  let refused = 0;
  const roundEnds = Date.now() + ROUND_BUDGET_MS;
  for (const [i, tenantId] of tenantIds.entries()) {
    if (Date.now() > roundEnds) {
      missing += tenantIds.length - i;
      log(`webhook round out of time: ${tenantIds.length - i} samples not taken, counted missing`);
      break;
    }
    const path = `/ok/${tenantId}`;
    const before = sink.arrivals.get(path)?.length ?? 0;
    const sent = Date.now();
    const r = await api(ctx, 'GET', `/tenants/${tenantId}/access`, ctx.agent);
    if (r.status !== 200) {
      // Not a webhook's doing, but the row says so: the stack's own words about it.
      refused++;
      log(
        `check refused ${r.status}: ${ctx.stack
          .output()
          .split('\n')
          .filter((l) => /error/i.test(l))
          .slice(-2)
          .join(' | ')
          .slice(0, 600)}`,
      );
      continue;
    }
    const giveUp = Date.now() + 30_000;
    while ((sink.arrivals.get(path)?.length ?? 0) <= before && Date.now() < giveUp)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const at = sink.arrivals.get(path)?.[before];
    if (at === undefined) missing++;
    else delays.push(at - sent);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { delays, missing, refused };
}

/**
 * Customer webhooks: access check → webhook received, p50/p95 on a quiet stack and while ~100
 * checks a second hit one tenant (whose own webhook takes every one of them); and the same
 * measured on other tenants while one tenant's receiver fails every attempt of such a flood
 * (each failure retried on the schedule): the ratio of those p95s.
 */
export async function webhooksLatency() {
  const sink = await receiver();
  const ctx = await startStack();
  try {
    const count = QUICK ? 20 : 60;
    const sampled = Array.from({ length: count }, (_, i) => `hooks-${i}`);
    for (const tenantId of sampled) await hook(ctx, tenantId, `${sink.base}/ok/${tenantId}`);
    // The flooded tenants are whileChecksFlood's `<prefix>-0`: their webhooks first.
    await hook(ctx, 'hooks-flood-0', `${sink.base}/ok-flood/hooks-flood-0`);
    await hook(ctx, 'hooks-failing-0', `${sink.base}/fail/hooks-failing-0`);
    await checkToWebhook(ctx, sink, sampled.slice(0, 3)); // warm-up: cold starts are not the row
    const quiet = await checkToWebhook(ctx, sink, sampled);
    const s = (values: number[], q: number) => round(percentile(values, q) / 1000, 2);
    const p95 = (values: number[]) => percentile(values, 95);
    // Each row as soon as its round is done: a later round that stalls keeps the earlier ones.
    add({
      name: 'access check → webhook received p95, quiet',
      value: s(quiet.delays, 95),
      unit: `s p95 (p50 ${s(quiet.delays, 50)}, max ${s(quiet.delays, 100)}; ${quiet.missing} of ${count} missing, ${quiet.refused} checks refused)`,
      target: 'p95 ≤ 5 s, none missing',
      pass: p95(quiet.delays) <= 5000 && quiet.missing === 0,
    });
    const flood = await whileChecksFlood(ctx, 'hooks-flood', () => checkToWebhook(ctx, sink, sampled));
    log(`webhooks flood: ${flood.checks} checks (${flood.failed} failed), ${round(flood.rate, 0)}/s`);
    add({
      name: 'access check → webhook received p95 while ~100 checks/s hit one tenant',
      value: s(flood.result.delays, 95),
      unit: `s p95 (p50 ${s(flood.result.delays, 50)}, max ${s(flood.result.delays, 100)}; ${round(flood.rate, 0)} checks/s, ${flood.failed} failed; ${flood.result.missing} missing, ${flood.result.refused} sampled checks refused)`,
      target: 'p95 ≤ 5 s, none missing',
      pass: p95(flood.result.delays) <= 5000 && flood.result.missing === 0 && flood.failed === 0,
    });
    const failing = await whileChecksFlood(ctx, 'hooks-failing', () => checkToWebhook(ctx, sink, sampled));
    const failedAttempts = sink.arrivals.get('/fail/hooks-failing-0')?.length ?? 0;
    log(
      `failing receiver: ${failing.checks} checks, ${failedAttempts} failed attempts, ${round(failing.rate, 0)}/s`,
    );
    const ratio = p95(failing.result.delays) / p95(flood.result.delays);
    add({
      name: 'webhook p95 of other tenants: one tenant’s receiver failing every attempt vs. healthy (same flood)',
      value: round(ratio, 2),
      unit: `× (p95 ${s(failing.result.delays, 95)} s vs ${s(flood.result.delays, 95)} s; ${failedAttempts} failed attempts; ${failing.result.missing} missing)`,
      target: '≤ 1.2',
      pass: ratio <= 1.2 && failing.result.missing === 0,
    });
  } finally {
    // What each function of this stack was billed: the retry driver's looks among them.
    await billedDurations(ctx, 'webhooks');
    await stopStack(ctx);
    sink.server.close();
  }
}
