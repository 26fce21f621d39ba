import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../local/seed.ts';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';
import { localKeys, signToken } from '../../local/tokens.ts';
import { emails, grantMailsSent, type StoredEmail } from '../support/mail.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

/**
 * `npm start` with REMINDER_BEFORE_SECONDS=3: its own stack, so the short lead time reaches no
 * other test's grants.
 */
describe('everyone told: reminders, contact changes and lapsed instructions (npm start)', () => {
  let stack: SpawnedStack;
  let dataDir = '';
  let api: (
    method: string,
    path: string,
    token: string,
    json?: unknown,
  ) => Promise<{ status: number; body: any }>;
  let anna = '';
  let admin = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'support-access-reminders-'));
    stack = await spawnStack(dataDir, 'fresh', {
      REMINDER_BEFORE_SECONDS: '3',
      INSTRUCTION_CONFIRM_SECONDS: '3',
    });
    const keys = await localKeys(dataDir);
    anna = await signToken(keys, { email: DEMO_USERS.anna.email, tenantId: 'acme' });
    admin = await signToken(keys, {
      email: DEMO_USERS.admin.email,
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    api = async (method, path, token, json) => {
      const r = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json ? { 'content-type': 'application/json' } : {}),
        },
        body: json ? JSON.stringify(json) : undefined,
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    };
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const subjectsTo = (mail: StoredEmail[], to: string) =>
    mail.filter((m) => m.destination.to.includes(to)).map((m) => m.subject);
  /** Every grant email so far has its `notification.sent` record: no other is on its way. */
  const grantMailsSettled = (count: number) =>
    until(
      () => api('GET', '/tenants/acme/audit?limit=100', admin),
      (r) => grantMailsSent(r.body.events).length >= count,
      END_MAIL_WAIT_MS,
      `${count} notification.sent events of grant emails`,
    );

  it('a 10-second grant: every contact gets exactly one reminder, then one expiry email', async () => {
    const created = await api('POST', '/tenants/acme/grants', anna, {
      reason: 'Ten seconds',
      durationSeconds: 10,
    });
    expect(created.status).toBe(201);
    await until(
      () => api('GET', `/tenants/acme/grants/${created.body.grantId}`, admin),
      (r) => r.body.status === 'expired',
      20_000,
      'the grant to expire',
    );
    // granted, ends soon, expired × 2 contacts.
    await grantMailsSettled(6);
    const mail = await emails(stack.sesUrl);
    expect(subjectsTo(mail, DEMO_USERS.anna.email).filter((s) => s.endsWith('Ten seconds'))).toEqual([
      'Supportzugriff gewährt: Ten seconds',
      'Supportzugriff endet bald: Ten seconds',
      'Supportzugriff abgelaufen: Ten seconds',
    ]);
    expect(subjectsTo(mail, DEMO_USERS.ben.email).filter((s) => s.endsWith('Ten seconds'))).toEqual([
      'Support access granted: Ten seconds',
      'Support access ends soon: Ten seconds',
      'Support access expired: Ten seconds',
    ]);
    const reminder = mail.find((m) => m.subject === 'Support access ends soon: Ten seconds');
    // Ben reads times in his zone (Europe/London), the UTC instant beside them, and has his links.
    expect(reminder?.body.text).toMatch(
      /Deadline: \d+ \w+ \d{4} at \d\d:\d\d GMT \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)/,
    );
    expect(reminder?.body.text).toMatch(
      /^Extend by 1 day: http:\/\/127\.0\.0\.1:\d+\/act#[A-Za-z0-9_-]{43}$/m,
    );
    const audit = (await api('GET', '/tenants/acme/audit?limit=100', admin)).body.events;
    expect(audit.filter((e: { type: string }) => e.type === 'grant.expiring')).toHaveLength(1);
    expect(grantMailsSent(audit)).toHaveLength(6);
  }, 150_000);

  it('an account deletion nobody confirms lapses by itself, and every contact is told', async () => {
    const requested = await api('POST', '/tenants/acme/instructions', anna, {
      kind: 'account-deletion',
      details: 'Delete everything, please.',
    });
    expect(requested.status).toBe(201);
    expect(requested.body.status).toBe('pending-confirmation');
    const id = requested.body.instructionId;
    const lapsed = await until(
      () => api('GET', '/tenants/acme/instructions', admin),
      (r) =>
        r.body.instructions.find((i: { instructionId: string }) => i.instructionId === id)?.status ===
        'lapsed',
      15_000,
      'the instruction to lapse',
    );
    expect(lapsed.status).toBe(200);
    // Lapsed in the log by the system (its schedule, or the sweep), not only in the answers.
    await until(
      () => api('GET', '/tenants/acme/audit?limit=100', admin),
      (r) =>
        r.body.events.some(
          (e: { type: string; actor: string }) => e.type === 'instruction.lapsed' && e.actor === 'system',
        ),
      15_000,
      'instruction.lapsed in the audit log',
    );
    const mail = await until(
      () => emails(stack.sesUrl),
      (list) => list.filter((m) => /^(Weisung verfallen|Instruction lapsed):/.test(m.subject)).length >= 2,
      20_000,
      'the lapse emails',
    );
    expect(subjectsTo(mail, DEMO_USERS.anna.email)).toEqual(
      expect.arrayContaining([
        'Weisung erteilt: Kontolöschung (acme)',
        'Weisung verfallen: Kontolöschung (acme)',
      ]),
    );
    expect(subjectsTo(mail, DEMO_USERS.ben.email)).toEqual(
      expect.arrayContaining([
        'Instruction given: account deletion (acme)',
        'Instruction lapsed: account deletion (acme)',
      ]),
    );
    // The lapsed instruction can no longer be confirmed.
    const keys = await localKeys(dataDir);
    const ben = await signToken(keys, { email: DEMO_USERS.ben.email, tenantId: 'acme' });
    const late = await api('POST', `/tenants/acme/instructions/${id}/confirm`, ben);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('instruction-not-pending');
  }, 60_000);

  it('adding and removing a contact emails them and every other contact, each in their language', async () => {
    const before = (await emails(stack.sesUrl)).length;
    const added = await api('POST', '/tenants/acme/contacts', admin, {
      name: 'Carla Rossi',
      email: 'carla@acme.example',
      phone: '+39 06 1234 5678',
      locale: 'en',
      timeZone: 'America/New_York',
      canGrantAccess: false,
    });
    expect(added.status).toBe(201);
    expect(added.body.timeZone).toBe('America/New_York');
    expect((await api('DELETE', `/tenants/acme/contacts/${added.body.contactId}`, admin)).status).toBe(204);
    const mail = await until(
      async () => (await emails(stack.sesUrl)).slice(before),
      (list) => list.length >= 6,
      20_000,
      'six contact emails',
    );
    const lines = mail.map((m) => `${m.destination.to[0]} | ${m.subject}`).sort();
    expect(lines).toEqual(
      [
        'carla@acme.example | You are now a support contact: acme',
        'carla@acme.example | You are no longer a support contact: acme',
        `${DEMO_USERS.anna.email} | Neuer Supportkontakt: acme`,
        `${DEMO_USERS.anna.email} | Supportkontakt entfernt: acme`,
        `${DEMO_USERS.ben.email} | New support contact: acme`,
        `${DEMO_USERS.ben.email} | Support contact removed: acme`,
      ].sort(),
    );
    const welcome = mail.find((m) => m.subject.startsWith('You are now'));
    expect(welcome?.body.text).toContain(
      `${DEMO_USERS.admin.email} registered you as an authorized support contact`,
    );
    expect(welcome?.body.text).toContain('May grant support access: no');
  }, 60_000);
});
