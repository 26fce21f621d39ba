import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/domain/audit.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import type { NotificationLedger } from '../../functions/domain/ports.ts';
import { type NotifyDeps, notifyContacts } from '../../functions/use-cases/notify.ts';
import { mailConfig } from '../../functions/wiring/config.ts';
import { RecordingMailer, silentLog } from '../support/use-case-deps.ts';

describe('MAIL_BRAND_NAME', () => {
  it('defaults to "Support access" and takes the vendor’s name', () => {
    expect(mailConfig({ MAIL_FROM: 'a@vendor.example' }).MAIL_BRAND_NAME).toBe('Support access');
    expect(
      mailConfig({ MAIL_FROM: 'a@vendor.example', MAIL_BRAND_NAME: 'Payroll Cloud' }).MAIL_BRAND_NAME,
    ).toBe('Payroll Cloud');
  });

  it('refuses a name of several lines or over 60 characters, naming the variable', () => {
    for (const name of ['Payroll\nCloud', 'Payroll\u2028Cloud', 'x'.repeat(61)])
      expect(() => mailConfig({ MAIL_FROM: 'a@vendor.example', MAIL_BRAND_NAME: name })).toThrow(
        /MAIL_BRAND_NAME/,
      );
  });

  it('reaches the header of every mail the notifier sends', async () => {
    const contact: Contact = {
      contactId: 'c1',
      tenantId: 'acme',
      name: 'Ada',
      email: 'ada@acme.example',
      phone: '+4930123456',
      locale: 'en',
      timeZone: 'UTC',
      canGrantAccess: false,
      canInstruct: false,
      createdAt: '2026-12-01T09:00:00.000Z',
    };
    const event: AuditEvent = {
      tenantId: 'acme',
      eventId: '01KBCD6Z1X7Q8M2N4P5R6S7T8V',
      type: 'contact.added',
      at: '2026-12-01T10:00:00.000Z',
      actor: 'admin@acme.example',
      grantId: null,
      details: { contactId: 'c2', name: 'Ben', email: 'ben@acme.example' },
    } as AuditEvent;
    const ledger: NotificationLedger = {
      claim: async () => ({ attempts: 1 }),
      settle: async () => {},
      release: async () => {},
    };
    const mailer = new RecordingMailer();
    const deps = {
      contacts: { listContacts: async () => [contact] },
      ledger,
      mailer,
      clock: { now: () => new Date('2026-12-01T10:00:01.000Z') },
      ids: { next: () => 'id' },
      log: silentLog,
      maxAttempts: 3,
      leaseMs: 60_000,
      consoleUrl: 'https://console.example',
      mailStyle: { brand: 'Payroll Cloud' },
    } as unknown as NotifyDeps;
    // Ada, and Ben, who was added.
    expect((await notifyContacts(deps, event)).sent).toBe(2);
    for (const mail of mailer.sent) {
      expect(mail.html).toMatch(/>Payroll Cloud</);
      expect(mail.html).not.toMatch(/>Support access</);
    }
  });
});
