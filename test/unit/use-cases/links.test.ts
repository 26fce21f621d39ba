import { describe, expect, it } from 'vitest';
import { hashToken } from '../../../functions/domain/action-link.ts';
import { UnauthenticatedError } from '../../../functions/domain/errors.ts';
import { chainAuditLog } from '../../../functions/use-cases/audit.ts';
import { removeContact } from '../../../functions/use-cases/contacts.ts';
import { changeGrantDeadline, remindGrant, revokeGrant } from '../../../functions/use-cases/grants.ts';
import { actOnLink, type SignedIn, viewLink } from '../../../functions/use-cases/links.ts';
import { notifyContacts } from '../../../functions/use-cases/notify.ts';
import { givenActiveGrant } from '../../support/fakes/deps.ts';
import { as, DAY, linksIn, mailed, nobody } from '../../support/scenarios.ts';

const mailedGrant = async () => mailed(await givenActiveGrant({ seconds: 3 * DAY }));

describe('one-click links (use cases over the in-memory stores)', () => {
  it('"End access now" ends it as the contact, audited as by email link; the same link again is 410', async () => {
    const { deps, clock, scheduler, grant, mailTo, events } = await mailedGrant();
    const end = linksIn(mailTo('bob@acme.test'))['End access now'] as string;
    const ended = await actOnLink(deps, end, clock.now(), nobody);
    expect(ended).toMatchObject({ status: 'revoked', endedBy: 'bob@acme.test', endReason: 'revoked' });
    expect(scheduler.calls.at(-1)).toMatchObject({ action: 'unschedule', grantId: grant.grantId });
    const revoked = (await events()).find((e) => e.type === 'grant.revoked');
    expect(revoked).toMatchObject({ actor: 'bob@acme.test', details: { channel: 'email-link' } });
    await expect(actOnLink(deps, end, clock.now(), nobody)).rejects.toMatchObject({ code: 'link-used' });
    await expect(viewLink(deps, end, clock.now())).rejects.toMatchObject({ code: 'link-used' });
    // An extend link of the ended grant: 409, and it stays unused.
    const extend = linksIn(mailTo('ada@acme.test'))['Um 1 Tag verlängern'] as string;
    await expect(actOnLink(deps, extend, clock.now(), as('ada@acme.test'))).rejects.toMatchObject({
      code: 'grant-not-active',
    });
    // An end link of an ended grant: 200, unchanged, and used up.
    const adaEnd = linksIn(mailTo('ada@acme.test'))['Zugriff jetzt beenden'] as string;
    expect(await actOnLink(deps, adaEnd, clock.now(), nobody)).toMatchObject({
      status: 'revoked',
      endedBy: 'bob@acme.test',
    });
    await expect(actOnLink(deps, adaEnd, clock.now(), nobody)).rejects.toMatchObject({ code: 'link-used' });
  });

  it('"Extend" acts only for its contact signed in; refused, nothing is used or written', async () => {
    const { deps, clock, stores, grant, mailTo, events } = await mailedGrant();
    const extend = linksIn(mailTo('bob@acme.test'))['Extend by 1 day'] as string;
    const view = await viewLink(deps, extend, clock.now());
    expect(view).toMatchObject({ action: 'extend', signInRequired: true });
    expect(
      await viewLink(deps, linksIn(mailTo('bob@acme.test'))['End access now'] as string, clock.now()),
    ).toMatchObject({ action: 'end', signInRequired: false });
    const before = (await events()).length;
    const refusals: [SignedIn, string][] = [
      [nobody, 'unauthenticated'],
      // Someone else: another contact, the same address in another tenant, an agent.
      [as('ada@acme.test'), 'forbidden'],
      [as('bob@acme.test', { tenantId: 'other' }), 'forbidden'],
      [as('bob@acme.test', { tenantId: null, roles: ['support-agent'] }), 'forbidden'],
      // Bob's address, but the identity provider never verified it: it names nobody.
      [as('bob@acme.test', { emailVerified: false }), 'email-not-verified'],
      [
        async () => {
          throw new UnauthenticatedError();
        },
        'unauthenticated',
      ],
    ];
    for (const [signedIn, code] of refusals)
      await expect(actOnLink(deps, extend, clock.now(), signedIn), code).rejects.toMatchObject({ code });
    expect((await stores.links.getLink(hashToken(extend)))?.usedAt).toBeNull();
    expect((await events()).length).toBe(before);
    expect((await stores.grants.getGrant('acme', grant.grantId))?.expiresAt).toBe(grant.expiresAt);
    // Bob himself, whatever the case of his address: extended.
    expect(await actOnLink(deps, extend, clock.now(), as('Bob@ACME.test'))).toMatchObject({
      expiresAt: '2026-12-05T10:00:00.000Z',
    });
  });

  it('"End access now" acts with the link alone: a sign-in is never asked for', async () => {
    const { deps, clock, mailTo } = await mailedGrant();
    const end = linksIn(mailTo('bob@acme.test'))['End access now'] as string;
    const signedIn = async () => {
      throw new Error('asked for a sign-in');
    };
    expect(await actOnLink(deps, end, clock.now(), signedIn)).toMatchObject({ status: 'revoked' });
  });

  it('extends from the deadline as it is when used, capped at the longest grant from now', async () => {
    const { deps, clock, ada, grant, mailTo } = await mailedGrant();
    deps.policy = { ...deps.policy, maxSeconds: 10 * DAY };
    await changeGrantDeadline(deps, 'acme', grant.grantId, ada, { durationSeconds: 9 * DAY }, clock.now());
    const week = linksIn(mailTo('bob@acme.test'))['Extend by 1 week'] as string;
    expect(await actOnLink(deps, week, clock.now(), as('bob@acme.test'))).toMatchObject({
      expiresAt: '2026-12-11T10:00:00.000Z',
    });
  });

  it('refuses unknown, tampered, expired links and those of a removed contact', async () => {
    const { deps, clock, bob, mailTo } = await mailedGrant();
    const ada = linksIn(mailTo('ada@acme.test'));
    const end = ada['Zugriff jetzt beenden'] as string;
    const tampered = `${end.slice(0, -1)}${end.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [tampered, 'x'.repeat(43), 'short', '../../grants', `${end}x`])
      await expect(viewLink(deps, token, clock.now())).rejects.toMatchObject({ code: 'not-found' });
    // Extend links work for 7 days; the end link as long as the grant runs.
    clock.advance((7 * DAY + 1) * 1000);
    await expect(
      actOnLink(deps, ada['Um 1 Tag verlängern'] as string, clock.now(), as('ada@acme.test')),
    ).rejects.toMatchObject({
      code: 'link-expired',
    });
    const bobs = linksIn(mailTo('bob@acme.test'));
    await removeContact(deps, 'acme', bob.contactId, 'admin@test', clock.now());
    await expect(
      actOnLink(deps, bobs['End access now'] as string, clock.now(), nobody),
    ).rejects.toMatchObject({
      code: 'not-authorized-contact',
    });
  });

  it('the reminder mail carries links; ended and revoked mails carry none', async () => {
    const { deps, clock, ada, grant, notify, mailer, events } = await mailedGrant();
    clock.set(new Date('2026-12-03T10:00:00.000Z'));
    await remindGrant(deps, 'acme', grant.grantId);
    await revokeGrant(deps, 'acme', grant.grantId, ada, clock.now());
    // The end mail waits for the chain to pass its event.
    clock.advance(1);
    await chainAuditLog(deps, 'acme', 0);
    for (const e of (await events()).filter((x) => x.type === 'grant.expiring' || x.type === 'grant.revoked'))
      await notifyContacts(notify, e);
    const reminder = mailer.sent.find(
      (m) => m.to === 'bob@acme.test' && m.subject.startsWith('Support access ends soon'),
    );
    expect(reminder?.text).toContain('Extend by 1 week: https://console.example/act#');
    // Each contact reads the deadline in their own zone and language, the UTC instant beside it.
    expect(reminder?.text).toContain('Deadline: 4 December 2026 at 05:00 GMT-5 (2026-12-04 10:00 UTC)');
    const anna = mailer.sent.find(
      (m) => m.to === 'ada@acme.test' && m.subject.startsWith('Supportzugriff endet bald'),
    );
    expect(anna?.text).toContain('Frist: 4. Dezember 2026 um 11:00 MEZ (2026-12-04 10:00 UTC)');
    const ended = mailer.sent.find(
      (m) => m.to === 'bob@acme.test' && m.subject.startsWith('Support access ended'),
    );
    expect(ended?.text).not.toContain('/act');
  });
});
