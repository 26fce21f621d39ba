import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  SchedulerClient,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import { GetSendQuotaCommand, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { isThrottlingError } from '@smithy/core/retry';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SesMailer } from '../../functions/adapters/mailer.ts';
import { EventBridgeGrantScheduler, scheduleName } from '../../functions/adapters/scheduler.ts';
import type { AuditEvent } from '../../functions/domain/audit.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import { MailThrottledError } from '../../functions/domain/ports.ts';
import {
  changeGrantDeadline,
  createGrant,
  getGrant,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { type NotifyDeps, notifyContacts } from '../../functions/use-cases/notify.ts';
import { SendPacer } from '../../functions/use-cases/pacing.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { freePort } from '../../local/ports.ts';
import { startSchedulerEmulator } from '../../local/scheduler-emulator.ts';
import { startSesEmulator } from '../../local/ses.ts';
import type { SesLimits } from '../../local/ses-quota.ts';
import { notifyDepsFor, seedContact, testDeps } from '../support/deps.ts';
import { emails } from '../support/mail.ts';
import { localClientConfig } from '../support/table.ts';
import { useCaseDeps } from '../support/use-case-deps.ts';

async function ses(limits: Partial<SesLimits>) {
  const emulator = await startSesEmulator(await freePort(), limits);
  onTestFinished(emulator.stop);
  const client = new SESClient(localClientConfig(emulator.url));
  const send = (to: string) =>
    client.send(
      new SendEmailCommand({
        Source: 'support@vendor.example',
        Destination: { ToAddresses: [to] },
        Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } },
      }),
    );
  const raise = (limits: Partial<SesLimits>) =>
    fetch(`${emulator.url}/quota`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(limits),
    });
  return { url: emulator.url, client, send, raise, mailer: new SesMailer(client, 'support@vendor.example') };
}

const thrown = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected an error');
    },
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
  );

describe('the local SES enforces the sending quotas as SES does', () => {
  it('answers over the rate with Throttling, which the SDK classifies as throttling', async () => {
    const s = await ses({ maxSendRate: 2 });
    await s.send('a@x.example');
    await s.send('b@x.example');
    const error = await thrown(s.send('c@x.example'));
    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Maximum sending rate exceeded.');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(isThrottlingError(error as never)).toBe(true);
    expect(await emails(s.url)).toHaveLength(2);
    const quota = await s.client.send(new GetSendQuotaCommand({}));
    expect(quota).toMatchObject({ MaxSendRate: 2, Max24HourSend: -1, SentLast24Hours: 2 });
    // The mailer names the quota, so the notifier holds the mail instead of failing it.
    const refused = await thrown(s.mailer.send({ to: 'd@x.example', subject: 's', text: 't', html: 'h' }));
    expect(refused).toBeInstanceOf(MailThrottledError);
    expect(refused).toMatchObject({ quota: 'rate' });
  });

  it('answers over the day with "Daily message quota exceeded." until the quota is raised at run time', async () => {
    const s = await ses({ max24HourSend: 1 });
    await s.send('a@x.example');
    const error = await thrown(s.send('b@x.example'));
    expect([error.name, error.message]).toEqual(['Throttling', 'Daily message quota exceeded.']);
    expect(await s.mailer.quota()).toEqual({ maxSendRate: null, max24HourSend: 1, sentLast24Hours: 1 });
    const refused = await thrown(s.mailer.send({ to: 'b@x.example', subject: 's', text: 't', html: 'h' }));
    expect(refused).toMatchObject({ name: 'MailThrottledError', quota: 'daily' });
    expect((await s.raise({ max24HourSend: 10 })).status).toBe(200);
    await s.send('b@x.example');
    expect(await s.mailer.quota()).toEqual({ maxSendRate: null, max24HourSend: 10, sentLast24Hours: 2 });
    // Only JSON changes it: a web page's form post cannot.
    const form = await fetch(`${s.url}/quota`, { method: 'POST', body: 'max24HourSend=1' });
    expect(form.status).toBe(415);
  });
});

/** A client of the local Scheduler, limited to two API calls a second. */
async function schedulerAtTwoPerSecond() {
  const emulator = await startSchedulerEmulator({
    port: await freePort(),
    dataDir: await mkdtemp(join(tmpdir(), 'scheduler-quota-')),
    invoke: async () => {},
    maxTps: 2,
  });
  onTestFinished(emulator.stop);
  return new SchedulerClient(localClientConfig(emulator.url));
}

describe('the local Scheduler enforces its API rate as the service does', () => {
  it('answers over SCHEDULER_MAX_TPS with 429 ThrottlingException', async () => {
    const client = await schedulerAtTwoPerSecond();
    const get = (name: string) =>
      client.send(new GetScheduleCommand({ Name: name, GroupName: 'default' })).catch((e: Error) => e);
    const answers = await Promise.all([get('a'), get('b'), get('c')]);
    const throttled = answers.filter((a) => a instanceof ThrottlingException);
    expect(throttled).toHaveLength(1);
    expect((throttled[0] as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    expect(isThrottlingError(throttled[0] as never)).toBe(true);
    // The others got past the limit to the API (those schedules do not exist).
    expect(answers.filter((a) => (a as Error).name === 'ResourceNotFoundException')).toHaveLength(2);
  });
});

describe('under the quotas', () => {
  it('a throttled Scheduler never fails a create or an extend; the sweep ends those grants at their deadline', async () => {
    const client = await schedulerAtTwoPerSecond();
    await client.send(new CreateScheduleGroupCommand({ Name: 'g' })).catch((e) => {
      if (!(e instanceof ConflictException)) throw e;
    });
    const t = await testDeps();
    const deps = useCaseDeps(
      t.stores,
      t.clock,
      new EventBridgeGrantScheduler(client, {
        groupName: 'g',
        expiryFunctionArn: 'arn:aws:lambda:eu-central-1:000000000000:function:expire',
        roleArn: 'arn:aws:iam::000000000000:role/scheduler',
        deadLetterQueueArn: 'arn:aws:sqs:eu-central-1:000000000000:dlq',
        maxRetries: 2,
        maxEventAgeSeconds: 3600,
      }),
    );
    const tenants = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'];
    const contacts: Contact[] = [];
    const grants = await Promise.all(
      tenants.map(async (tenantId, i) => {
        const contact = await seedContact(deps, tenantId, `ada@${tenantId}.example`);
        contacts[i] = contact;
        const { grant } = await createGrant(
          deps,
          tenantId,
          contact,
          { reason: 'Under the rate', durationSeconds: 3600 },
          t.clock.now(),
        );
        return grant;
      }),
    );
    expect(grants.every((g) => g.status === 'active')).toBe(true);
    const scheduled = await Promise.all(
      grants.map((g) =>
        client
          .send(new GetScheduleCommand({ Name: scheduleName(g.grantId), GroupName: 'g' }))
          .then(() => true)
          .catch(() => false),
      ),
    );
    // Some creates were throttled (the SDK's retry could not help at 2/s), and still answered.
    expect(scheduled.filter((s) => !s).length).toBeGreaterThan(0);
    // Extends at once meet the same rate, and answer all the same.
    const extended = await Promise.all(
      grants.map((g, i) =>
        changeGrantDeadline(
          deps,
          g.tenantId,
          g.grantId,
          contacts[i] as Contact,
          { durationSeconds: 7200 },
          t.clock.now(),
        ),
      ),
    );
    expect(extended.every((g) => g.status === 'active')).toBe(true);
    t.clock.advance(3600_000 + 1000);
    // At the old deadline nothing ends, whatever schedule is left over.
    expect((await sweepOverdueGrants(deps)).expired).toBe(0);
    t.clock.advance(3600_000);
    const swept = await sweepOverdueGrants(deps);
    expect(swept.expired).toBe(grants.length);
    for (const g of grants)
      expect(await getGrant(deps, g.tenantId, g.grantId, t.clock.now())).toMatchObject({
        status: 'expired',
        endedBy: 'system',
      });
  });

  async function notifyScenario(limits: Partial<SesLimits>) {
    const s = await ses(limits);
    const t = await testDeps();
    t.clock.set(new Date());
    const tenantId = `quota-${Date.now()}`;
    const contacts = [];
    for (const name of ['ada', 'bob', 'cy', 'dee'])
      contacts.push(await seedContact(t.deps, tenantId, `${name}@${tenantId}.example`, { locale: 'en' }));
    await createGrant(
      t.deps,
      tenantId,
      contacts[0] as never,
      { reason: 'Quota test', durationSeconds: 600 },
      t.clock.now(),
    );
    const created = (await listAudit(t.deps, tenantId, { limit: 50 })).items.find(
      (e) => e.type === 'grant.created',
    ) as AuditEvent;
    const audit = async (type: string) =>
      (await listAudit(t.deps, tenantId, { limit: 100 })).items.filter((e) => e.type === type);
    return { s, t, tenantId, created, audit };
  }

  it('a send refused for the rate never counts toward giving up: held, then sent exactly once', async () => {
    const { s, t, created, audit } = await notifyScenario({ maxSendRate: 1 });
    // One attempt before giving up, no pacer: every refusal would be a failure if it counted.
    const deps: NotifyDeps = notifyDepsFor(t, s.mailer, 1);
    const results = [];
    for (let round = 0; round < 12 && (await audit('notification.sent')).length < 4; round++) {
      results.push(await notifyContacts(deps, created));
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(results.some((r) => r.deferred > 0)).toBe(true);
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    expect(await audit('notification.failed')).toHaveLength(0);
    expect((await audit('notification.sent')).length).toBe(4);
    expect(await emails(s.url)).toHaveLength(4);
  });

  it('paced to the stated rate, a burst is sent without a refusal', async () => {
    const { s, t, created, audit } = await notifyScenario({ maxSendRate: 2 });
    let refusals = 0;
    const counting = {
      send: (email: Parameters<SesMailer['send']>[0]) =>
        s.mailer.send(email).catch((e) => {
          refusals++;
          throw e;
        }),
      quota: () => s.mailer.quota(),
    };
    const pacer = new SendPacer({
      quota: counting.quota,
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const started = Date.now();
    const result = await notifyContacts({ ...notifyDepsFor(t, counting, 1), pacer }, created, {
      deadline: Date.now() + 20_000,
    });
    expect(result).toMatchObject({ sent: 4, deferred: 0, throttled: 0, failed: 0 });
    expect(refusals).toBe(0);
    // Two at once (one second's burst), then one every half second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await audit('notification.sent')).toHaveLength(4);
  });

  it("holds mail back while the day's quota is used up, spending no attempt, and sends it once raised", async () => {
    const { s, t, created, audit } = await notifyScenario({ max24HourSend: 1 });
    const pacer = new SendPacer({
      quota: () => s.mailer.quota(),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      dailyRecheckMs: 100,
    });
    const deps: NotifyDeps = { ...notifyDepsFor(t, s.mailer, 1), pacer };
    const first = await notifyContacts(deps, created, { deadline: Date.now() + 300 });
    expect(first).toMatchObject({ sent: 1, throttled: 1, failed: 0 });
    for (let i = 0; i < 3; i++)
      expect(await notifyContacts(deps, created, { deadline: Date.now() + 200 })).toMatchObject({
        sent: 0,
        throttled: 1,
        failed: 0,
      });
    expect(await audit('notification.failed')).toHaveLength(0);
    // The holds spent no attempt: with two allowed, a mail server that is down now is a first failure.
    const down = new SesMailer(
      new SESClient(localClientConfig(`http://127.0.0.1:${await freePort()}`)),
      'support@vendor.example',
    );
    expect(await notifyContacts(notifyDepsFor(t, down, 2), created)).toMatchObject({ retry: 3, failed: 0 });
    await s.raise({ max24HourSend: 100 });
    expect(await notifyContacts(deps, created, { deadline: Date.now() + 5000 })).toMatchObject({
      sent: 3,
      skipped: 1,
      failed: 0,
    });
    expect(await notifyContacts(deps, created)).toMatchObject({ sent: 0, skipped: 4 });
    expect(await emails(s.url)).toHaveLength(4);
    expect(await audit('notification.failed')).toHaveLength(0);
  });
});
