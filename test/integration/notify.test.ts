import { SESClient } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/mailer.ts';
import type { AuditEvent } from '../../functions/domain/audit.ts';
import { systemClock } from '../../functions/domain/clock.ts';
import { EVENT_DETAILS } from '../../functions/domain/event-types.ts';
import type { Mailer, NotificationLedger } from '../../functions/domain/ports.ts';
import { removeContact } from '../../functions/use-cases/contacts.ts';
import { createGrant, getGrant } from '../../functions/use-cases/grants.ts';
import { type NotifyDeps, notifyContacts } from '../../functions/use-cases/notify.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { freePort } from '../../local/ports.ts';
import { type SesEmulator, startSesEmulator } from '../../local/ses.ts';
import { notifyDepsFor, RecordingMailer, seedContact, silentLog, testDeps } from '../support/deps.ts';
import { emails } from '../support/mail.ts';
import { localCredentials } from '../support/table.ts';

let ses: SesEmulator;
beforeAll(async () => {
  ses = await startSesEmulator(await freePort());
});
afterAll(() => ses?.stop());

const sesMailer = (endpoint: string) =>
  new SesMailer(
    new SESClient({ endpoint, region: 'eu-central-1', credentials: localCredentials, maxAttempts: 1 }),
    'support@vendor.example',
  );

async function scenario(tenantId: string) {
  const t = await testDeps();
  t.clock.set(new Date());
  const ada = await seedContact(t.deps, tenantId, `ada@${tenantId}.example`, { locale: 'en' });
  await seedContact(t.deps, tenantId, `bob@${tenantId}.example`, { locale: 'de' });
  const { grant } = await createGrant(
    t.deps,
    tenantId,
    ada,
    { reason: 'Outbox test', durationSeconds: 600 },
    t.clock.now(),
  );
  const events = (await listAudit(t.deps, tenantId, { limit: 50 })).items;
  const created = events.find((e) => e.type === 'grant.created') as AuditEvent;
  const notify = (mailer: Mailer, maxAttempts = 3): NotifyDeps => ({
    store: t.store,
    ledger: t.store,
    mailer,
    clock: systemClock,
    ids: t.deps.ids,
    log: silentLog,
    maxAttempts,
    leaseMs: 60_000,
    consoleUrl: 'https://console.example',
  });
  return { ...t, grant, created, notify };
}

describe('notifications through the outbox', () => {
  it('emails every contact once in their language, even when the event is processed twice', async () => {
    const tenantId = `mail-${Date.now()}`;
    const { created, notify, deps } = await scenario(tenantId);
    const mailer = sesMailer(ses.url);
    expect(await notifyContacts(notify(mailer), created)).toEqual({
      sent: 2,
      failed: 0,
      retry: 0,
      skipped: 0,
      unrecorded: 0,
      throttled: 0,
      deferred: 0,
    });
    expect(await notifyContacts(notify(mailer), created)).toEqual({
      sent: 0,
      failed: 0,
      retry: 0,
      skipped: 2,
      unrecorded: 0,
      throttled: 0,
      deferred: 0,
    });
    // Two processors at once: still one email per contact.
    const both = await Promise.all([
      notifyContacts(notify(mailer), created),
      notifyContacts(notify(mailer), created),
    ]);
    expect(both.reduce((n, r) => n + r.sent, 0)).toBe(0);
    const ada = await emails(ses.url, `ada@${tenantId}.example`);
    const bob = await emails(ses.url, `bob@${tenantId}.example`);
    expect(ada.map((m) => m.subject)).toEqual(['Support access granted: Outbox test']);
    expect(bob.map((m) => m.subject)).toEqual(['Supportzugriff gewährt: Outbox test']);
    expect(bob[0]?.body.text).toContain('Gewährt von: ada');
    const sent = (await listAudit(deps, tenantId, { limit: 50 })).items.filter(
      (e) => e.type === 'notification.sent',
    );
    expect(sent.map((e) => e.details.recipient).sort()).toEqual([
      `ada@${tenantId}.example`,
      `bob@${tenantId}.example`,
    ]);
    expect(sent.every((e) => e.grantId === created.grantId)).toBe(true);
  });

  it('a mail server that is down never touches the grant; sends are retried and delivered once it is back', async () => {
    const tenantId = `down-${Date.now()}`;
    const { created, notify, deps, grant, clock } = await scenario(tenantId);
    const down = sesMailer(`http://127.0.0.1:${await freePort()}`);
    expect(await notifyContacts(notify(down), created)).toMatchObject({ sent: 0, retry: 2 });
    expect(await getGrant(deps, tenantId, grant.grantId, clock.now())).toMatchObject({ status: 'active' });
    expect(await notifyContacts(notify(sesMailer(ses.url)), created)).toMatchObject({ sent: 2, retry: 0 });
    expect(await emails(ses.url, `ada@${tenantId}.example`)).toHaveLength(1);
    expect(await notifyContacts(notify(sesMailer(ses.url)), created)).toMatchObject({ sent: 0, skipped: 2 });
  });

  it('records notification.failed once a send keeps failing', async () => {
    const tenantId = `fail-${Date.now()}`;
    const { created, notify, deps } = await scenario(tenantId);
    const down = sesMailer(`http://127.0.0.1:${await freePort()}`);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await notifyContacts(notify(down, 3), created));
    expect(results.map((r) => [r.retry, r.failed])).toEqual([
      [2, 0],
      [2, 0],
      [0, 2],
    ]);
    const failed = (await listAudit(deps, tenantId, { limit: 50 })).items.filter(
      (e) => e.type === 'notification.failed',
    );
    expect(failed).toHaveLength(2);
    expect(failed[0]?.details).toMatchObject({ attempts: 3, eventType: 'grant.created' });
    for (const e of failed) expect(EVENT_DETAILS['notification.failed'].parse(e.details)).toEqual(e.details);
    // Settled for good: later processing neither sends nor records again.
    expect(await notifyContacts(notify(sesMailer(ses.url)), created)).toMatchObject({
      sent: 0,
      failed: 0,
      skipped: 2,
    });
    expect(await emails(ses.url, `ada@${tenantId}.example`)).toHaveLength(0);
  });

  it('a ledger write that fails after SES accepted neither sends again nor reports a failure', async () => {
    const tenantId = `settle-${Date.now()}`;
    const { created, notify, deps, store } = await scenario(tenantId);
    let failures = 1;
    const flaky: NotificationLedger = {
      claim: (...args) => store.claim(...args),
      release: (...args) => store.release(...args),
      settle: async (...args) => {
        if (failures-- > 0) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        return store.settle(...args);
      },
    };
    const result = await notifyContacts({ ...notify(sesMailer(ses.url), 1), ledger: flaky }, created);
    expect(result).toEqual({
      sent: 2,
      failed: 0,
      retry: 0,
      skipped: 0,
      unrecorded: 0,
      throttled: 0,
      deferred: 0,
    });
    expect(await emails(ses.url, `ada@${tenantId}.example`)).toHaveLength(1);
    const types = (await listAudit(deps, tenantId, { limit: 50 })).items.map((e) => e.type);
    expect(types.filter((t) => t === 'notification.sent')).toHaveLength(2);
    for (const e of (await listAudit(deps, tenantId, { limit: 50 })).items)
      if (e.type === 'notification.sent')
        expect(EVENT_DETAILS['notification.sent'].parse(e.details)).toEqual(e.details);
    expect(types).not.toContain('notification.failed');
  });

  it('a ledger that stays down after SES accepted: sent once, counted unrecorded, never re-sent while leased', async () => {
    const tenantId = `settle-down-${Date.now()}`;
    const { created, notify, deps, store } = await scenario(tenantId);
    const down: NotificationLedger = {
      claim: (...args) => store.claim(...args),
      release: (...args) => store.release(...args),
      settle: async () => {
        throw Object.assign(new Error('unavailable'), { name: 'InternalServerError' });
      },
    };
    const first = await notifyContacts({ ...notify(sesMailer(ses.url), 1), ledger: down }, created);
    expect(first).toEqual({
      sent: 2,
      failed: 0,
      retry: 0,
      skipped: 0,
      unrecorded: 2,
      throttled: 0,
      deferred: 0,
    });
    // The stream redelivers: the claims are still leased, so nobody is mailed twice.
    const again = await notifyContacts(notify(sesMailer(ses.url)), created);
    expect(again).toMatchObject({ sent: 0, skipped: 2 });
    expect(await emails(ses.url, `ada@${tenantId}.example`)).toHaveLength(1);
    expect(await emails(ses.url, `bob@${tenantId}.example`)).toHaveLength(1);
    const types = (await listAudit(deps, tenantId, { limit: 50 })).items.map((e) => e.type);
    expect(types).not.toContain('notification.failed');
  });
});

describe('contact mails', () => {
  it('tell the added and the removed contact, and every other, in their own language, exactly once', async () => {
    const t = await testDeps();
    const mailer = new RecordingMailer();
    const notify = notifyDepsFor(t, mailer);
    // Each step's mails go out before the next step, as the outbox does within seconds.
    const done = new Set<string>();
    const notifyNewEvents = async () => {
      for (const e of (await listAudit(t.deps, 'acme', { limit: 10 })).items.reverse()) {
        if (done.has(e.eventId)) continue;
        done.add(e.eventId);
        await notifyContacts(notify, e);
        await notifyContacts(notify, e); // processed twice: nobody is mailed twice
      }
    };
    const anna = await seedContact(t.deps, 'acme', 'anna@acme.test', { name: 'Anna', locale: 'de' });
    await notifyNewEvents();
    await seedContact(t.deps, 'acme', 'ben@acme.test', { name: 'Ben', locale: 'en', canGrantAccess: false });
    await notifyNewEvents();
    await removeContact(t.deps, 'acme', anna.contactId, 'admin@acme.test', t.clock.now());
    await notifyNewEvents();
    const mails = mailer.sent.map((m) => `${m.to} | ${m.subject}`);
    expect(mails).toEqual([
      'anna@acme.test | Sie sind jetzt Supportkontakt: acme',
      'anna@acme.test | Neuer Supportkontakt: acme',
      'ben@acme.test | You are now a support contact: acme',
      'ben@acme.test | Support contact removed: acme',
      'anna@acme.test | Sie sind kein Supportkontakt mehr: acme',
    ]);
    const benAdded = mailer.sent[2]?.text ?? '';
    expect(benAdded).toContain(
      'admin@test registered you as an authorized support contact of the account acme',
    );
    expect(benAdded).toContain('May grant support access: no');
    expect(benAdded).toContain('May give instructions: yes');
    expect(mailer.sent[1]?.text).toContain(
      'admin@test hat Ben <ben@acme.test> als autorisierten Supportkontakt',
    );
    expect(mailer.sent[4]?.text).toContain(
      'admin@acme.test hat Sie als Supportkontakt des Kontos acme entfernt',
    );
    for (const m of mailer.sent) expect(m.text).not.toContain('/act');
  });
});
