import { add, auditAll, type Ctx, grantsEndingFrom, log, tenants, whileChecksFlood } from './context.ts';
import { percentile, pool, round } from './lib.ts';

interface MailTimes {
  /** Email accepted − the grant's creation (the "granted" mail: mailed as written). */
  granted: number[];
  /** Email accepted − the deadline (the "expired" mail: mailed once the chain sealed the end). */
  ended: number[];
  /** Grants whose ended mail was not recorded in time. */
  missing: number;
}

/** One round: grants expiring over `spreadMs`, and when each of their mails went out. */
async function mailRound(ctx: Ctx, label: string, count: number, spreadMs: number): Promise<MailTimes> {
  const list = await tenants(ctx, `iso-${label}`, count);
  const start = Date.now() + 8000 + count * 60;
  await grantsEndingFrom(ctx, list, start, spreadMs, 'isolation');
  const times: MailTimes = { granted: [], ended: [], missing: 0 };
  const pending = new Set(list.map((t) => t.tenantId));
  const giveUp = start + spreadMs + 120_000;
  // Wait for what is observable: every tenant's end mail recorded (or the limit).
  while (pending.size > 0 && Date.now() < giveUp) {
    await new Promise((r) => setTimeout(r, 2000));
    await pool(
      list.filter((t) => pending.has(t.tenantId)),
      16,
      async (t) => {
        const events = await auditAll(ctx, t.tenantId, t.admin);
        const expired = events.find((e) => e.type === 'grant.expired');
        const sentFor = (id: string) =>
          events.find((e) => e.type === 'notification.sent' && e.details.eventId === id);
        const endSent = expired && sentFor(expired.eventId);
        if (!expired || !endSent) return;
        pending.delete(t.tenantId);
        times.ended.push(Date.parse(endSent.at) - Date.parse(String(expired.details.expiresAt)));
        const created = events.find((e) => e.type === 'grant.created');
        const createdSent = created && sentFor(created.eventId);
        if (created && createdSent) times.granted.push(Date.parse(createdSent.at) - Date.parse(created.at));
      },
    );
  }
  times.missing = pending.size;
  return times;
}

/**
 * Mail is not slowed by a flood of access checks: the same round of grants, once on a quiet stack
 * and once while ~100 checks a second hit another tenant of the same table. Also how long the
 * mails about an ended grant wait for the chain to seal the end (their head covers the grant).
 */
export async function mailIsolation(ctx: Ctx, count: number, spreadMs: number) {
  const quiet = await mailRound(ctx, 'quiet', count, spreadMs);
  const {
    result: loud,
    checks,
    failed: failedChecks,
    rate,
    statuses,
  } = await whileChecksFlood(ctx, 'iso-check-flood', () => mailRound(ctx, 'flooded', count, spreadMs));
  log(
    `flood: ${checks} checks (${failedChecks} failed: ${JSON.stringify([...statuses])}), ${round(rate, 0)}/s`,
  );
  const s = (values: number[], q: number) => round(percentile(values, q) / 1000, 2);
  const ratio = (a: number[], b: number[]) => round(percentile(a, 99) / Math.max(1, percentile(b, 99)), 2);
  add({
    name: 'ended-grant mail − deadline (waits for the chain to seal the end) p50 / p99, quiet',
    value: s(quiet.ended, 99),
    unit: `s p99 (p50 ${s(quiet.ended, 50)}, max ${s(quiet.ended, 100)}; ${quiet.missing} of ${count} not mailed)`,
    target: 'p99 ≤ 60 s, all mailed',
    pass: percentile(quiet.ended, 99) <= 60_000 && quiet.missing === 0,
  });
  add({
    name: `ended-grant mail p99 while ~100 checks/s hit another tenant / quiet`,
    value: ratio(loud.ended, quiet.ended),
    unit: `ratio (p99 ${s(loud.ended, 99)} s vs ${s(quiet.ended, 99)} s; ${round(rate, 0)} checks/s, ${failedChecks} failed; ${loud.missing} not mailed)`,
    target: '≤ 1.5',
    pass: ratio(loud.ended, quiet.ended) <= 1.5 && loud.missing === 0 && failedChecks === 0,
  });
  add({
    name: `"granted" mail − creation p99 while ~100 checks/s hit another tenant / quiet`,
    value: ratio(loud.granted, quiet.granted),
    // For information: locally one DynamoDB Local on two cores serves the flood, its recording
    // and the mail alike, so this ratio measures the shared engine as much as the consumers.
    unit: `ratio (p99 ${s(loud.granted, 99)} s vs ${s(quiet.granted, 99)} s; one local engine serves all)`,
    target: '—',
    pass: null,
  });
}
