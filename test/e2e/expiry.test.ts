import { GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, inject, it } from 'vitest';
import { SCHEDULE_GROUP } from '../../local/stack.ts';
import { agentToken, auditOf, call, tenantWithPeople } from '../support/api.ts';
import { grantEmails, grantMailsSent } from '../support/mail.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

const scheduler = () =>
  new SchedulerClient({
    endpoint: inject('schedulerUrl'),
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

async function scheduleExists(grantId: string): Promise<boolean> {
  try {
    await scheduler().send(new GetScheduleCommand({ Name: `grant-${grantId}`, GroupName: SCHEDULE_GROUP }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

/** Waits until exactly `count` notifications were recorded sent (the outbox has settled). */
async function notificationsSettled(tenantId: string, admin: string, count: number) {
  const sent = await until(
    async () => grantMailsSent(await auditOf(tenantId, admin)),
    (events) => events.length >= count,
    END_MAIL_WAIT_MS,
    `${count} notification.sent events of grant mails`,
  );
  expect(sent).toHaveLength(count);
}

/** A tenant with its people (see `tenantWithPeople`), and the grant its contact gave. */
async function grantGiven(name: string, reason: string, durationSeconds: number, ticket?: string) {
  const given = await tenantWithPeople(name);
  const created = await call('POST', `/tenants/${given.tenantId}/grants`, {
    token: given.people.contact,
    json: { reason, ...(ticket ? { ticket } : {}), durationSeconds },
  });
  return { ...given, created };
}

// Side by side: each grant has its own tenant and each test waits mostly for real deadlines and
// mail. The deadlines are seconds away, so what must happen before them does on a busy machine too.
describe.concurrent('access ends by itself at the deadline, and every contact hears of it once', () => {
  it('a 6-second grant: yes before, no from the deadline, expired by the system, emailed once each', async () => {
    const agent = await agentToken();
    const { tenantId, people, contacts, created } = await grantGiven('expiry', 'Six seconds', 6, 'T-3');
    expect(created.status).toBe(201);
    const { grantId, expiresAt } = created.body;
    const deadline = Date.parse(expiresAt);
    expect(await scheduleExists(grantId)).toBe(true);

    // Ask repeatedly across the deadline: every answer agrees with checkedAt vs expiresAt.
    const answers: { access: boolean; checkedAt: string }[] = [];
    while (Date.now() < deadline + 600) {
      const answer = await call('GET', `/tenants/${tenantId}/access`, { token: agent });
      answers.push(answer.body);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(answers.some((a) => a.access)).toBe(true);
    expect(answers.some((a) => !a.access)).toBe(true);
    for (const answer of answers) expect(answer.access).toBe(Date.parse(answer.checkedAt) < deadline);

    const ended = await until(
      () => call('GET', `/tenants/${tenantId}/grants/${grantId}`, { token: people.admin }),
      (r) => r.body.status === 'expired',
    );
    expect(ended.body).toMatchObject({
      status: 'expired',
      endedBy: 'system',
      endReason: 'expired',
      endedAt: expiresAt,
    });
    const expiredEvent = await until(
      () => auditOf(tenantId, people.admin),
      (events) => events.some((e) => e.type === 'grant.expired'),
    );
    const event = expiredEvent.find((e) => e.type === 'grant.expired');
    // The expiry job ran within 2 s of the deadline.
    expect(event?.details.lateByMs).toBeGreaterThanOrEqual(0);
    expect(event?.details.lateByMs).toBeLessThan(2000);
    // Fired, then deleted by the Scheduler (ActionAfterCompletion: DELETE).
    await until(
      () => scheduleExists(grantId),
      (exists) => !exists,
      10_000,
      'the schedule to be deleted',
    );

    const expectations = [
      [contacts.contact.email, 'Support access granted', 'Support access expired'],
      [contacts.contact2.email, 'Supportzugriff gewährt', 'Supportzugriff abgelaufen'],
      [contacts.readOnly.email, 'Support access granted', 'Support access expired'],
    ];
    for (const [address, granted, expired] of expectations) {
      const mail = await until(
        () => grantEmails(inject('sesUrl'), address),
        (list) => list.length >= 2,
        END_MAIL_WAIT_MS,
      );
      expect(mail.map((m) => m.subject).sort()).toEqual(
        [`${expired}: Six seconds`, `${granted}: Six seconds`].sort(),
      );
      expect(mail.every((m) => m.body.text.includes('T-3') && m.body.html.includes('Six seconds'))).toBe(
        true,
      );
    }
    const sent = grantMailsSent(await auditOf(tenantId, people.admin));
    expect(sent).toHaveLength(6);
  }, 150_000);

  it('extended before its deadline: expires at the new deadline, once', async () => {
    // Five seconds: the extension must land before that deadline, even on a busy machine.
    const { tenantId, people, contacts, created } = await grantGiven('extend', 'Extend me', 5);
    const { grantId } = created.body;
    const extended = await call('PATCH', `/tenants/${tenantId}/grants/${grantId}`, {
      token: people.contact2,
      json: { durationSeconds: 8 },
    });
    expect(extended.status, extended.text).toBe(200);
    const newDeadline = Date.parse(extended.body.expiresAt);
    await sleepUntil(Date.parse(created.body.expiresAt) + 500);
    // Past the original deadline, still active.
    const midway = await call('GET', `/tenants/${tenantId}/grants/${grantId}`, { token: people.admin });
    expect(midway.body.status).toBe('active');
    expect(
      (await call('GET', `/tenants/${tenantId}/access`, { token: await agentToken() })).body.access,
    ).toBe(true);
    await sleepUntil(newDeadline);
    const ended = await until(
      () => call('GET', `/tenants/${tenantId}/grants/${grantId}`, { token: people.admin }),
      (r) => r.body.status === 'expired',
    );
    expect(ended.body.endedAt).toBe(extended.body.expiresAt);
    // Every send of the three events to the three contacts is settled: no mail can follow.
    await notificationsSettled(tenantId, people.admin, 3 * 3);
    const mail = await grantEmails(inject('sesUrl'), contacts.contact.email);
    const subjects = mail.map((m) => m.subject.split(':')[0]);
    expect(mail.length).toBe(3);
    expect(subjects.sort()).toEqual([
      'Support access changed',
      'Support access expired',
      'Support access granted',
    ]);
    const expired = (await auditOf(tenantId, people.admin)).filter((e) => e.type === 'grant.expired');
    expect(expired).toHaveLength(1);
  }, 150_000);

  it('revoked early: one "ended" email each, never an "expired" one, and the schedule is gone', async () => {
    const { tenantId, people, contacts, created } = await grantGiven('revoke', 'Revoke me', 6);
    const { grantId, expiresAt } = created.body;
    const revoked = await call('DELETE', `/tenants/${tenantId}/grants/${grantId}`, { token: people.contact });
    expect(revoked.body.status).toBe('revoked');
    expect(await scheduleExists(grantId)).toBe(false);
    // A real deadline must pass for "never expired" to mean anything; then every send of the two
    // events to the three contacts is settled, so no other mail can be on its way.
    await sleepUntil(Date.parse(expiresAt));
    await notificationsSettled(tenantId, people.admin, 2 * 3);
    const active = await call('GET', '/access?limit=100', { token: await agentToken() });
    expect(active.body.grants.map((g: { grantId: string }) => g.grantId)).not.toContain(grantId);
    for (const contact of [contacts.contact, contacts.contact2, contacts.readOnly]) {
      const subjects = (await grantEmails(inject('sesUrl'), contact.email)).map(
        (m) => m.subject.split(':')[0],
      );
      expect(subjects.filter((s) => /ended|beendet/.test(s as string))).toHaveLength(1);
      expect(subjects.filter((s) => /expired|abgelaufen/.test(s as string))).toHaveLength(0);
    }
    const grant = await call('GET', `/tenants/${tenantId}/grants/${grantId}`, { token: people.admin });
    expect(grant.body.status).toBe('revoked');
  }, 150_000);
});
