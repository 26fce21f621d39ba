import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  add,
  api,
  type Ctx,
  log,
  QUICK,
  startStack,
  stopStack,
  tenants,
  whileChecksFlood,
} from './context.ts';
import { percentile, round } from './lib.ts';

/** A receiver on the emulator's forward URL: when each event reached the bus, by eventId. */
async function receiver(): Promise<{ server: Server; url: string; arrived: Map<string, number> }> {
  const arrived = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { detail: { eventId: string } };
    if (!arrived.has(event.detail.eventId)) arrived.set(event.detail.eventId, at);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, arrived };
}

/** Grants created and revoked one after another: each event's written instant (`at`) → its arrival. */
async function busRound(
  ctx: Ctx,
  arrived: Map<string, number>,
  label: string,
  count: number,
): Promise<{ delays: number[]; missing: number }> {
  const list = await tenants(ctx, `events-${label}`, count);
  const written: { eventId: string; at: number }[] = [];
  for (const t of list) {
    const created = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'bus latency',
      durationSeconds: 3600,
    });
    if (created.status !== 201) throw new Error(`create failed ${created.status}`);
    await api(ctx, 'DELETE', `/tenants/${t.tenantId}/grants/${created.body.grantId}`, t.contact);
    const audit = await api(ctx, 'GET', `/tenants/${t.tenantId}/audit?limit=10`, t.admin);
    for (const e of audit.body.events as { eventId: string; at: string; type: string }[])
      if (e.type === 'grant.created' || e.type === 'grant.revoked')
        written.push({ eventId: e.eventId, at: Date.parse(e.at) });
    await new Promise((r) => setTimeout(r, 100));
  }
  // Wait for what is observable: every event arrived (or a limit well past the target).
  const giveUp = Date.now() + 30_000;
  while (written.some((w) => !arrived.has(w.eventId)) && Date.now() < giveUp)
    await new Promise((r) => setTimeout(r, 200));
  const delays = written.flatMap((w) => {
    const at = arrived.get(w.eventId);
    return at === undefined ? [] : [at - w.at];
  });
  return { delays, missing: written.length - delays.length };
}

/**
 * Event written → on the vendor's bus (the local EventBridge emulator, forwarded to a receiver
 * here): p95 on a quiet stack and while ~100 access checks a second hit another tenant (each
 * check is an event on the bus too).
 */
export async function eventsLatency() {
  const sink = await receiver();
  const ctx = await startStack({ EVENTS_FORWARD_URL: sink.url });
  try {
    const count = QUICK ? 20 : 100;
    const quiet = await busRound(ctx, sink.arrived, 'quiet', count);
    const {
      result: loud,
      checks,
      failed,
      rate,
    } = await whileChecksFlood(ctx, 'events-flood', () => busRound(ctx, sink.arrived, 'flooded', count));
    log(`events flood: ${checks} checks (${failed} failed), ${round(rate, 0)}/s`);
    const s = (values: number[], q: number) => round(percentile(values, q) / 1000, 2);
    add({
      name: 'event written → on the bus (local EventBridge) p95, quiet',
      value: s(quiet.delays, 95),
      unit: `s p95 (p50 ${s(quiet.delays, 50)}, max ${s(quiet.delays, 100)}; ${quiet.missing} of ${quiet.delays.length + quiet.missing} missing)`,
      target: 'p95 ≤ 5 s, none missing',
      pass: percentile(quiet.delays, 95) <= 5000 && quiet.missing === 0,
    });
    add({
      name: 'event written → on the bus p95 while ~100 checks/s hit another tenant',
      value: s(loud.delays, 95),
      unit: `s p95 (p50 ${s(loud.delays, 50)}, max ${s(loud.delays, 100)}; ${round(rate, 0)} checks/s, ${failed} failed; ${loud.missing} missing)`,
      target: 'p95 ≤ 5 s, none missing',
      pass: percentile(loud.delays, 95) <= 5000 && loud.missing === 0 && failed === 0,
    });
  } finally {
    await stopStack(ctx);
    sink.server.close();
  }
}
