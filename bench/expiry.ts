import { add, auditAll, type Ctx, grantsEndingFrom, log, tenants } from './context.ts';
import { percentile, pool, round } from './lib.ts';

/** Expiry: how late access ends and the mail goes out after the deadline. */
export async function lateness(
  ctx: Ctx,
  label: string,
  count: number,
  spreadMs: number,
  target: { end: number; email: number },
) {
  const list = await tenants(ctx, `late-${label.replace(/\W+/g, '-')}`, count);
  // The first deadline comes after the setup's own mails (each tenant's "you are a contact" and
  // "access granted", some 50 a second on the local engines) have had time to go out, so the
  // rows measure the expiry mail, not a backlog the benchmark made.
  const start = Date.now() + 8000 + count * 60;
  await grantsEndingFrom(ctx, list, start, spreadMs, 'lateness');
  if (Date.now() > start) log(`warning: creating ${count} grants took past the first deadline`);
  await new Promise((r) =>
    setTimeout(r, Math.max(0, start + spreadMs - Date.now()) + target.email * 1000 + 3000),
  );
  const ends: number[] = [];
  const emails: number[] = [];
  let missing = 0;
  await pool(list, 16, async (t) => {
    const events = await auditAll(ctx, t.tenantId, t.admin);
    const expired = events.find((e) => e.type === 'grant.expired');
    if (!expired) {
      missing++;
      return;
    }
    const deadline = Date.parse(String(expired.details.expiresAt));
    ends.push(Date.parse(expired.at) - deadline);
    const sent = events.find((e) => e.type === 'notification.sent' && e.details.eventId === expired.eventId);
    if (sent) emails.push(Date.parse(sent.at) - deadline);
    else missing++;
  });
  const p = (values: number[], q: number) => round(percentile(values, q) / 1000, 3);
  add({
    name: `${label}: grants ended and emailed`,
    value: count - missing,
    unit: `of ${count}`,
    target: `${count}`,
    pass: missing === 0,
  });
  add({
    name: `${label}: end − deadline p50 / p99 / max`,
    value: p(ends, 99),
    unit: `s p99 (p50 ${p(ends, 50)}, max ${p(ends, 100)})`,
    target: `p99 ≤ ${target.end} s`,
    pass: percentile(ends, label === 'sweep only' ? 100 : 99) <= target.end * 1000,
  });
  add({
    name: `${label}: email accepted − deadline p50 / p99 / max`,
    value: p(emails, 99),
    unit: `s p99 (p50 ${p(emails, 50)}, max ${p(emails, 100)})`,
    target: `p99 ≤ ${target.email} s`,
    pass: percentile(emails, label === 'sweep only' ? 100 : 99) <= target.email * 1000,
  });
  return { ends, emails };
}
