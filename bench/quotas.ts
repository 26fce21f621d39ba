import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  add,
  addContacts,
  api,
  auditAll,
  type Ctx,
  local,
  log,
  QUICK,
  startStack,
  stopStack,
  tenants,
} from './context.ts';
import { percentile, pool, round } from './lib.ts';

/**
 * Production quotas: a burst of grant mails against SES's send rate, a day's quota used up and
 * raised, and a create burst against the Scheduler's API rate.
 */
export async function quotas() {
  await sendRate();
  await dailyQuota();
  await schedulerRate();
}

const RATE = 20;

interface MailTenant {
  tenantId: string;
  admin: string;
  contact: string;
}

/** Tenants with two contacts each (c@ and d@, English), registered through the API. */
async function twoContactTenants(ctx: Ctx, prefix: string, count: number): Promise<MailTenant[]> {
  const list = await tenants(ctx, prefix, count);
  await addContacts(ctx, list, { name: 'Second contact', mailbox: 'd', phone: '030 7654321' });
  return list;
}

interface Mail {
  destination: { to: string[] };
  subject: string;
  at: number;
}

async function mails(ctx: Ctx, prefix: string): Promise<Mail[]> {
  const store = (await (await fetch(`${ctx.stack.sesUrl}/store`)).json()) as { emails: Mail[] };
  return store.emails.filter((m) => m.destination.to.some((to) => to.includes(`@${prefix}-`)));
}

const granted = (m: Mail) => m.subject.startsWith('Support access granted');
const expired = (m: Mail) => m.subject.startsWith('Support access expired');

/** Waits until `count` mails match, or `timeoutMs` passed; returns when the last one was seen. */
async function waitForMails(
  ctx: Ctx,
  prefix: string,
  match: (m: Mail) => boolean,
  count: number,
  timeoutMs: number,
): Promise<{ seen: number; at: number; firstAt: number }> {
  const deadline = Date.now() + timeoutMs;
  let firstAt = Number.NaN;
  for (;;) {
    const seen = (await mails(ctx, prefix)).filter(match).length;
    if (seen > 0 && Number.isNaN(firstAt)) firstAt = Date.now();
    if (seen >= count || Date.now() > deadline) return { seen, at: Date.now(), firstAt };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Mails sent more than once to the same address with the same subject. */
function duplicates(list: Mail[]): number {
  const seen = new Map<string, number>();
  for (const m of list) {
    const key = `${m.destination.to.join(',')} ${m.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].reduce((n, c) => n + c - 1, 0);
}

async function failedNotifications(ctx: Ctx, list: MailTenant[]): Promise<number> {
  let failed = 0;
  await pool(list, 16, async (t) => {
    failed += (await auditAll(ctx, t.tenantId, t.admin)).filter(
      (e) => e.type === 'notification.failed',
    ).length;
  });
  return failed;
}

async function createGrants(ctx: Ctx, list: MailTenant[], expiresAt: string) {
  let errors = 0;
  await pool(list, list.length, async (t) => {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'quota',
      expiresAt,
    });
    if (r.status !== 201) errors++;
  });
  return errors;
}

/** N tenants × 2 contacts grant at once, all ending together two minutes later, at 20 mails/s. */
async function sendRate() {
  const count = QUICK ? 30 : 300;
  const lifetimeMs = QUICK ? 45_000 : 120_000;
  const ctx = await startStack({ SES_MAX_SEND_RATE: String(RATE), POWERTOOLS_LOG_LEVEL: 'WARN' });
  try {
    const prefix = 'rate';
    const list = await twoContactTenants(ctx, prefix, count);
    // The registration mails (three a tenant) go out first, at the same rate.
    await waitForMails(ctx, prefix, () => true, count * 3, count * 3 * (2000 / RATE) + 30_000);
    const started = Date.now();
    const expiresAt = new Date(started + lifetimeMs).toISOString();
    const errors = await createGrants(ctx, list, expiresAt);
    const grantedMails = count * 2;
    const drained = await waitForMails(ctx, prefix, granted, grantedMails, lifetimeMs);
    // From the first "granted" mail to the last: how fast the notifier empties the queue.
    const drainSeconds = (drained.at - drained.firstAt) / 1000;
    const allowed = 1.25 * (grantedMails / RATE);
    add({
      name: `SES ${RATE}/s: ${grantedMails} "granted" mails (${count} tenants × 2 contacts, one burst) drained`,
      value: round(drainSeconds, 1),
      unit: `s first to last mail (${round((drained.at - started) / 1000, 1)} s from the first create; ${drained.seen} of ${grantedMails}; ${errors} create errors)`,
      target: `≤ ${round(allowed, 1)} s`,
      pass: drained.seen === grantedMails && errors === 0 && drainSeconds <= allowed,
    });
    const ended = await waitForMails(
      ctx,
      prefix,
      expired,
      grantedMails,
      Math.max(0, Date.parse(expiresAt) - Date.now()) + 2 * allowed * 1000 + 60_000,
    );
    const grantMails = (await mails(ctx, prefix)).filter((m) => granted(m) || expired(m));
    const dup = duplicates(grantMails);
    const failed = await failedNotifications(ctx, list);
    add({
      name: `SES ${RATE}/s: grant mails (granted + expired) delivered exactly once`,
      value: grantMails.length - dup,
      unit: `of ${grantedMails * 2} (${dup} duplicates, ${failed} notification.failed; expired drained ${round((ended.at - Date.parse(expiresAt)) / 1000, 1)} s after the deadline)`,
      target: `${grantedMails * 2}, 0 duplicates, 0 failed`,
      pass: grantMails.length === grantedMails * 2 && dup === 0 && failed === 0,
    });
  } finally {
    await stopStack(ctx);
  }
}

/** The day's quota runs out in the middle of a burst: the rest waits, then goes out once raised. */
async function dailyQuota() {
  const count = QUICK ? 20 : 100;
  const prefix = 'daily';
  // Registration mails (3 a tenant) and about half the "granted" mails fit the day; the rest must wait.
  const quota = count * 3 + count;
  const ctx = await startStack({ SES_MAX_24H_SEND: String(quota), POWERTOOLS_LOG_LEVEL: 'WARN' });
  try {
    const list = await twoContactTenants(ctx, prefix, count);
    await waitForMails(ctx, prefix, () => true, count * 3, 120_000);
    // What the day still allows once the registrations (and the demo tenant's) went out.
    const { SentLast24Hours } = (await (await fetch(`${ctx.stack.sesUrl}/quota`)).json()) as {
      SentLast24Hours: number;
    };
    const allowedToday = quota - SentLast24Hours;
    const errors = await createGrants(ctx, list, new Date(Date.now() + 3600_000).toISOString());
    // Held back: the sends stop at the quota and the notifier says so (NotificationsThrottled),
    // for longer than one invocation's pacing budget.
    let throttledSeen = false;
    const holdUntil = Date.now() + 45_000;
    while (Date.now() < holdUntil) {
      if (/"NotificationsThrottled":[1-9]/.test(ctx.stack.output())) throttledSeen = true;
      await new Promise((r) => setTimeout(r, 500));
    }
    const heldAt = (await mails(ctx, prefix)).filter(granted).length;
    const failedWhileHeld = await failedNotifications(ctx, list);
    add({
      name: `SES day's quota (${quota}) used up mid-burst: "granted" mails sent, the rest held 45 s`,
      value: heldAt,
      unit: `of ${count * 2} (NotificationsThrottled ${throttledSeen ? 'raised' : 'NOT raised'}, ${failedWhileHeld} notification.failed, ${errors} create errors)`,
      target: `${allowedToday} (what the quota left), metric raised, 0 failed`,
      pass: heldAt === allowedToday && throttledSeen && failedWhileHeld === 0 && errors === 0,
    });
    const raised = Date.now();
    await fetch(`${ctx.stack.sesUrl}/quota`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max24HourSend: 1_000_000 }),
    });
    const after = await waitForMails(ctx, prefix, granted, count * 2, 180_000);
    const all = (await mails(ctx, prefix)).filter(granted);
    const failed = await failedNotifications(ctx, list);
    add({
      name: `SES day's quota raised: held "granted" mails delivered`,
      value: round((after.at - raised) / 1000, 1),
      unit: `s after the raise (${all.length} of ${count * 2}, ${duplicates(all)} duplicates, ${failed} notification.failed)`,
      target: `all, exactly once, 0 failed`,
      pass: all.length === count * 2 && duplicates(all) === 0 && failed === 0,
    });
  } finally {
    await stopStack(ctx);
  }
}

/** A create burst against the Scheduler's API rate: every request answered, every grant ended on time. */
async function schedulerRate() {
  const count = QUICK ? 200 : 1000;
  const tps = 50;
  const sweepSeconds = 60;
  const ctx = await startStack({
    SCHEDULER_MAX_TPS: String(tps),
    SWEEP_INTERVAL_SECONDS: String(sweepSeconds),
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  try {
    const list = await tenants(ctx, 'tps', count);
    const expiresAt = new Date(Date.now() + 60_000 + count * 40).toISOString();
    const errors = await createGrants(ctx, list, expiresAt);
    if (Date.now() > Date.parse(expiresAt)) log('warning: the burst took past the deadline');
    const scheduled = await scheduledGrants(ctx);
    add({
      name: `Scheduler ${tps} TPS: ${count} tenants create at once`,
      value: errors,
      unit: `request errors (${count - scheduled} creates throttled past the SDK's retry: no schedule)`,
      target: '0',
      pass: errors === 0,
    });
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now()) + sweepSeconds * 1000 + 10_000),
    );
    const late: number[] = [];
    let missing = 0;
    await pool(list, 16, async (t) => {
      const ended = (await auditAll(ctx, t.tenantId, t.admin)).find((e) => e.type === 'grant.expired');
      if (!ended) missing++;
      else late.push(Date.parse(ended.at) - Date.parse(String(ended.details.expiresAt)));
    });
    const max = late.length > 0 ? percentile(late, 100) : Number.NaN;
    add({
      name: `Scheduler ${tps} TPS: grants ended after the deadline (schedule or sweep)`,
      value: round(max / 1000, 1),
      unit: `s max (p50 ${round(percentile(late, 50) / 1000, 1)}; ${missing} not ended)`,
      target: `≤ ${sweepSeconds} s (one sweep interval)`,
      pass: missing === 0 && max <= sweepSeconds * 1000,
    });
  } finally {
    await stopStack(ctx);
  }
}

/** Grants that have their expiry schedule (ListSchedules is not rate-limited by the emulator). */
async function scheduledGrants(ctx: Ctx): Promise<number> {
  const client = new SchedulerClient({
    endpoint: ctx.stack.schedulerUrl,
    region: 'eu-central-1',
    credentials: local,
  });
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSchedulesCommand({ NamePrefix: 'grant-', NextToken: token, MaxResults: 100 }),
    );
    count += (page.Schedules ?? []).filter((s) => !s.Name?.endsWith('-reminder')).length;
    token = page.NextToken;
  } while (token);
  return count;
}
