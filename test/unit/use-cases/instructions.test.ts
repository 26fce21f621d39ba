import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../functions/domain/audit.ts';
import { addContact, removeContact } from '../../../functions/use-cases/contacts.ts';
import {
  completeInstruction,
  confirmInstruction,
  getInstruction,
  listConfirmedInstructions,
  rejectInstruction,
  requestInstruction,
  sweepLapsedInstructions,
} from '../../../functions/use-cases/instructions.ts';
import { actOnLink, viewLink } from '../../../functions/use-cases/links.ts';
import { notifyContacts } from '../../../functions/use-cases/notify.ts';
import { listAudit } from '../../../functions/use-cases/support.ts';
import { fakeDeps } from '../../support/fakes/deps.ts';
import { DELETE, withInstructingContacts } from '../../support/scenarios.ts';
import { notifyDepsFor, RecordingMailer, seedContact } from '../../support/use-case-deps.ts';

const given = async (options: { bobInstructs?: boolean } = {}) =>
  withInstructingContacts(fakeDeps('2026-12-01T09:59:00.000Z'), options);

describe('instructions with four eyes (use cases over the in-memory stores)', () => {
  it('an account deletion waits for a second contact; the requester cannot confirm it; support completes it once', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    const complete = (note: string | null = null) =>
      completeInstruction(
        t.deps,
        'acme',
        requested.instructionId,
        'agent@vendor.example',
        note,
        t.clock.now(),
      );
    expect(requested).toMatchObject({
      status: 'pending-confirmation',
      requestedBy: { contactId: t.ada.contactId, email: 'ada@acme.test' },
      confirmBy: '2026-12-04T10:00:00.000Z',
    });
    expect(t.scheduler.lapses).toEqual([
      { action: 'schedule', instructionId: requested.instructionId, confirmBy: requested.confirmBy },
    ]);
    await expect(complete()).rejects.toMatchObject({ code: 'instruction-not-confirmed' });
    await expect(
      confirmInstruction(t.deps, 'acme', requested.instructionId, t.ada, t.clock.now()),
    ).rejects.toMatchObject({
      code: 'four-eyes-required',
    });
    await expect(
      confirmInstruction(t.deps, 'acme', requested.instructionId, t.cy, t.clock.now()),
    ).rejects.toMatchObject({
      code: 'not-authorized-contact',
    });
    const confirmed = await confirmInstruction(t.deps, 'acme', requested.instructionId, t.bob, t.clock.now());
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmedBy: { contactId: t.bob.contactId } });
    expect(t.scheduler.lapses.at(-1)).toEqual({
      action: 'unschedule',
      instructionId: requested.instructionId,
    });
    expect(
      (await listConfirmedInstructions(t.deps, { limit: 10 })).items.map((i) => i.instructionId),
    ).toEqual([requested.instructionId]);
    const done = await complete(' Deleted on request. ');
    expect(done).toMatchObject({
      status: 'done',
      completedBy: 'agent@vendor.example',
      note: 'Deleted on request.',
    });
    expect((await listConfirmedInstructions(t.deps, { limit: 10 })).items).toEqual([]);
    await expect(complete()).rejects.toMatchObject({ code: 'instruction-not-confirmed' });
    const types = (await listAudit(t.deps, 'acme', { limit: 50 })).items.map((e) => e.type);
    expect(types.filter((x) => x.startsWith('instruction.')).reverse()).toEqual([
      'instruction.requested',
      'instruction.confirmed',
      'instruction.completed',
    ]);
  });

  it('without a second contact who may instruct, a deletion is refused; other kinds stand at once', async () => {
    const t = await given({ bobInstructs: false });
    await expect(requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now())).rejects.toMatchObject({
      code: 'second-contact-required',
      message: expect.stringContaining('canInstruct'),
    });
    const exported = await requestInstruction(
      t.deps,
      'acme',
      t.ada,
      { kind: 'data-export', details: 'Export all invoices.' },
      t.clock.now(),
    );
    expect(exported).toMatchObject({ status: 'confirmed', confirmBy: null });
    for (const details of ['', '   ', 'x'.repeat(2001), 'bidi \u202e text'])
      await expect(
        requestInstruction(t.deps, 'acme', t.ada, { kind: 'other', details }, t.clock.now()),
      ).rejects.toMatchObject({ code: 'validation-failed' });
  });

  it('a pending instruction lapses by itself (sweep), and a contact removed meanwhile cannot confirm (403)', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    await removeContact(t.deps, 'acme', t.bob.contactId, 'admin@test', t.clock.now());
    await expect(
      confirmInstruction(t.deps, 'acme', requested.instructionId, t.bob, t.clock.now()),
    ).rejects.toMatchObject({
      code: 'not-authorized-contact',
    });
    expect(await sweepLapsedInstructions(t.deps)).toEqual({ lapsed: 0 });
    t.clock.set(requested.confirmBy as string);
    expect(await sweepLapsedInstructions(t.deps)).toEqual({ lapsed: 1 });
    expect(await sweepLapsedInstructions(t.deps)).toEqual({ lapsed: 0 });
    await expect(
      rejectInstruction(t.deps, 'acme', requested.instructionId, t.ada, t.clock.now()),
    ).rejects.toMatchObject({
      code: 'instruction-not-pending',
    });
  });

  it('the request email gives every other instructing contact Confirm and Reject links; a link works once', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    const mailer = new RecordingMailer();
    const event = (await listAudit(t.deps, 'acme', { limit: 10 })).items.find(
      (e) => e.type === 'instruction.requested',
    );
    await notifyContacts(notifyDepsFor(t, mailer), event as AuditEvent);
    const textTo = (email: string) => mailer.sent.find((m) => m.to === email)?.text ?? '';
    expect(mailer.sent.map((m) => m.to).sort()).toEqual(['ada@acme.test', 'bob@acme.test', 'cy@acme.test']);
    expect(mailer.sent.find((m) => m.to === 'ada@acme.test')?.subject).toBe(
      'Instruction given: account deletion (acme)',
    );
    expect(mailer.sent.find((m) => m.to === 'bob@acme.test')?.subject).toBe(
      'Weisung erteilt: Kontolöschung (acme)',
    );
    expect(textTo('ada@acme.test')).toContain('A second contact who may give instructions must confirm it');
    expect(textTo('ada@acme.test')).not.toContain('/act');
    expect(textTo('cy@acme.test')).not.toContain('/act');
    const confirm = /^Bestätigen: https:\/\/console\.example\/act#([A-Za-z0-9_-]{43})$/m.exec(
      textTo('bob@acme.test'),
    )?.[1];
    const reject = /^Ablehnen: https:\/\/console\.example\/act#([A-Za-z0-9_-]{43})$/m.exec(
      textTo('bob@acme.test'),
    )?.[1];
    expect(confirm && reject).toBeTruthy();
    expect(await viewLink(t.deps, confirm as string, t.clock.now())).toMatchObject({
      action: 'confirm-instruction',
      instruction: { instructionId: requested.instructionId, status: 'pending-confirmation' },
    });
    // Confirming gives support more power: the link alone, or in another person's hands, does nothing.
    const signedIn = (email: string) => async () => ({
      sub: email,
      email,
      tenantId: 'acme',
      roles: [],
      emailVerified: true,
    });
    await expect(actOnLink(t.deps, confirm as string, t.clock.now(), async () => null)).rejects.toMatchObject(
      {
        code: 'unauthenticated',
      },
    );
    await expect(
      actOnLink(t.deps, confirm as string, t.clock.now(), signedIn('ada@acme.test')),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect((await getInstruction(t.deps, 'acme', requested.instructionId, t.clock.now())).status).toBe(
      'pending-confirmation',
    );
    expect(
      await actOnLink(t.deps, confirm as string, t.clock.now(), signedIn('BOB@acme.test')),
    ).toMatchObject({
      status: 'confirmed',
      confirmedBy: { contactId: t.bob.contactId },
    });
    await expect(
      actOnLink(t.deps, confirm as string, t.clock.now(), signedIn('bob@acme.test')),
    ).rejects.toMatchObject({ code: 'link-used' });
    // Rejecting takes power away: one click, no sign-in.
    await expect(actOnLink(t.deps, reject as string, t.clock.now(), async () => null)).rejects.toMatchObject({
      code: 'instruction-not-pending',
    });
  });

  it('four eyes are two people: the requester removed and added again, in any letter case, still cannot confirm', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    for (const email of ['ada@acme.test', 'ADA@Acme.Test']) {
      t.clock.advance(1000);
      const current = (await t.stores.contacts.listContacts('acme')).find(
        (c) => c.email.toLowerCase() === 'ada@acme.test',
      );
      await removeContact(t.deps, 'acme', current?.contactId as string, 'admin@test', t.clock.now());
      t.clock.advance(1000);
      const again = await seedContact(t.deps, 'acme', email);
      expect(again.contactId).not.toBe(t.ada.contactId);
      await expect(
        confirmInstruction(t.deps, 'acme', requested.instructionId, again, t.clock.now()),
      ).rejects.toMatchObject({ code: 'four-eyes-required' });
    }
    expect((await getInstruction(t.deps, 'acme', requested.instructionId, t.clock.now())).status).toBe(
      'pending-confirmation',
    );
    expect(
      (await listAudit(t.deps, 'acme', { limit: 50 })).items.filter(
        (e) => e.type === 'instruction.confirmed',
      ),
    ).toEqual([]);
    const confirmed = await confirmInstruction(t.deps, 'acme', requested.instructionId, t.bob, t.clock.now());
    expect(confirmed).toMatchObject({
      confirmedBy: { email: 'bob@acme.test' },
      requestedBy: { email: 'ada@acme.test' },
    });
  });

  it('only contacts registered before the request may confirm it: one added afterwards (or in the same millisecond) gets 403', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    const sameInstant = await seedContact(t.deps, 'acme', 'eve@acme.test');
    t.clock.advance(60_000);
    const later = await seedContact(t.deps, 'acme', 'dee@acme.test');
    for (const contact of [sameInstant, later])
      await expect(
        confirmInstruction(t.deps, 'acme', requested.instructionId, contact, t.clock.now()),
      ).rejects.toMatchObject({ code: 'four-eyes-required' });
    // Taking power away needs no history: the late contact may still reject.
    expect(
      await rejectInstruction(t.deps, 'acme', requested.instructionId, later, t.clock.now()),
    ).toMatchObject({
      status: 'rejected',
      rejectedBy: { contactId: later.contactId },
    });
  });

  it('a deletion needs a second person registered before it: the requester alone, or with a contact added in its millisecond, gets 409', async () => {
    const t = fakeDeps('2026-12-01T09:59:00.000Z');
    const ada = await seedContact(t.deps, 'acme', 'ada@acme.test');
    t.clock.set('2026-12-01T10:00:00.000Z');
    await expect(requestInstruction(t.deps, 'acme', ada, DELETE, t.clock.now())).rejects.toMatchObject({
      code: 'second-contact-required',
    });
    await seedContact(t.deps, 'acme', 'bob@acme.test');
    await expect(requestInstruction(t.deps, 'acme', ada, DELETE, t.clock.now())).rejects.toMatchObject({
      code: 'second-contact-required',
    });
    t.clock.advance(1);
    expect(await requestInstruction(t.deps, 'acme', ada, DELETE, t.clock.now())).toMatchObject({
      status: 'pending-confirmation',
    });
  });

  it('the request email has no Confirm link for the requester added again or for a contact added with the request', async () => {
    const t = await given();
    const requested = await requestInstruction(t.deps, 'acme', t.ada, DELETE, t.clock.now());
    // In the request's own millisecond, so that the notifier (which mails only the contacts the
    // tenant had at the event) still mails them: the link rules alone must keep them out.
    await removeContact(t.deps, 'acme', t.ada.contactId, 'admin@test', t.clock.now());
    const adaAgain = await seedContact(t.deps, 'acme', 'Ada@ACME.test');
    const dee = await addContact(
      t.deps,
      'acme',
      'admin@test',
      { name: 'Dee', email: 'dee@acme.test', phone: '+49 30 1234567' },
      t.clock.now(),
    );
    const mailer = new RecordingMailer();
    const event = (await listAudit(t.deps, 'acme', { limit: 20 })).items.find(
      (e) => e.type === 'instruction.requested' && e.details.instructionId === requested.instructionId,
    );
    await notifyContacts(notifyDepsFor(t, mailer), event as AuditEvent);
    const textTo = (email: string) => mailer.sent.find((m) => m.to === email)?.text;
    expect(textTo(adaAgain.email)).toContain('Weisung');
    expect(textTo(dee.email)).toBeDefined();
    for (const email of [adaAgain.email, dee.email, 'cy@acme.test'])
      expect(textTo(email)).not.toContain('/act');
    expect(textTo('bob@acme.test')).toMatch(/^Bestätigen: https:\/\/console\.example\/act#/m);
  });
});
