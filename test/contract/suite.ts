import { describe, expect, it } from 'vitest';
import { CONTACTS_MAX } from '../../functions/domain/contact.ts';
import {
  ConcurrentModificationError,
  ContactExistsError,
  ContactLimitReachedError,
  GrantAlreadyActiveError,
  IdempotencyRaceError,
  LinkUsedError,
  NoActiveGrantError,
  NotAuthorizedContactError,
  ValidationError,
} from '../../functions/domain/errors.ts';
import type { StoredGrant } from '../../functions/domain/grant.ts';
import type { TestStores } from '../support/use-case-deps.ts';
import {
  allPages,
  at,
  contact,
  event,
  grant,
  id,
  instruction,
  iso,
  T0,
  tenantWithGrant,
} from './builders.ts';

const clockAt = (seconds: number) => ({ now: () => at(seconds) });
const ended = (g: StoredGrant, status: 'revoked' | 'expired' = 'revoked'): StoredGrant => ({
  ...g,
  status,
  endedAt: iso(10),
  endedBy: 'x',
  endReason: status,
  version: g.version + 1,
  remindAt: null,
});

/**
 * What every implementation of the stores must do, run against the in-memory fakes and against
 * DynamoDB Local: the use-case tests over the fakes are only as good as this.
 */
export function storeContract(name: string, make: () => Promise<TestStores>) {
  describe(`${name}: grants`, () => {
    it('creates the one active grant; a second is refused naming the first', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme');
      expect(await s.grants.getGrant('acme', g.grantId)).toEqual(g);
      expect(await s.grants.getActiveAccess('acme')).toMatchObject({ grantId: g.grantId, version: 1 });
      const second = grant('acme', ada);
      await expect(
        s.grants.createGrant(second, event('acme', 'grant.created', second.grantId)),
      ).rejects.toEqual(new GrantAlreadyActiveError(g.grantId));
      expect(await s.grants.getGrant('acme', second.grantId)).toBeNull();
    });

    it('refuses a grant by a contact who is gone or may not grant', async () => {
      const s = await make();
      const bob = contact('acme', { canGrantAccess: false });
      await s.contacts.addContact(bob, event('acme', 'contact.added'));
      for (const by of [bob, contact('acme')]) {
        const g = grant('acme', by);
        await expect(
          s.grants.createGrant(g, event('acme', 'grant.created', g.grantId)),
        ).rejects.toBeInstanceOf(NotAuthorizedContactError);
      }
      expect(await s.grants.getActiveAccess('acme')).toBeNull();
    });

    it('names the most telling failure when several conditions fail', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme');
      const stranger = grant('acme', contact('acme'));
      await expect(
        s.grants.createGrant(stranger, event('acme', 'grant.created', stranger.grantId)),
      ).rejects.toBeInstanceOf(NotAuthorizedContactError);
      const use = { tokenHash: 'never-issued', usedAt: iso(1) };
      const guard = { actingContactId: contact('acme').contactId, clock: clockAt(1), link: use };
      await expect(
        s.grants.changeDeadline(g, { ...g, version: 2 }, event('acme', 'grant.extended', g.grantId), guard),
      ).rejects.toBeInstanceOf(LinkUsedError);
      const stale = { ...g, version: 7 };
      await expect(
        s.grants.endGrant({
          before: stale,
          after: ended(stale),
          event: event('acme', 'grant.revoked', g.grantId),
          actingContactId: 'gone',
        }),
      ).rejects.toBeInstanceOf(NotAuthorizedContactError);
      expect(await s.grants.getGrant('acme', g.grantId)).toEqual(g);
      expect(ada.canGrantAccess).toBe(true);
    });

    it('claims an idempotency key with the grant; a second claim of it is a lost race', async () => {
      const s = await make();
      const ada = contact('acme');
      await s.contacts.addContact(ada, event('acme', 'contact.added'));
      const claim = {
        scope: `k-${id()}`,
        requestHash: 'h',
        statusCode: 201,
        body: '{}',
        expiresAtEpochSeconds: 0,
      };
      claim.expiresAtEpochSeconds = Math.ceil(at(100).getTime() / 1000);
      const g = grant('acme', ada);
      await s.grants.createGrant(g, event('acme', 'grant.created', g.grantId), claim);
      expect(await s.idempotency.getIdempotency(claim.scope, at(0))).toEqual({
        requestHash: 'h',
        statusCode: 201,
        body: '{}',
      });
      expect(await s.idempotency.getIdempotency(claim.scope, at(100))).toBeNull();
      const other = contact('other');
      await s.contacts.addContact(other, event('other', 'contact.added'));
      const g2 = grant('other', other);
      await expect(
        s.grants.createGrant(g2, event('other', 'grant.created', g2.grantId), claim),
      ).rejects.toBeInstanceOf(IdempotencyRaceError);
      expect(await s.grants.getActiveAccess('other')).toBeNull();
    });

    it('changes a deadline only from the current version, before it has passed, by a contact who may', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme', 600);
      const later = { ...g, expiresAt: iso(1200), version: 2 };
      const change = () => event('acme', 'grant.extended', g.grantId);
      await expect(
        s.grants.changeDeadline(g, later, change(), { actingContactId: ada.contactId, clock: clockAt(600) }),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
      await expect(
        s.grants.changeDeadline(g, later, change(), {
          actingContactId: contact('acme').contactId,
          clock: clockAt(1),
        }),
      ).rejects.toBeInstanceOf(NotAuthorizedContactError);
      await s.grants.changeDeadline(g, later, change(), {
        actingContactId: ada.contactId,
        clock: clockAt(1),
      });
      expect(await s.grants.getGrant('acme', g.grantId)).toMatchObject({ expiresAt: iso(1200), version: 2 });
      expect(await s.grants.getActiveAccess('acme')).toMatchObject({ expiresAt: iso(1200), version: 2 });
      await expect(
        s.grants.changeDeadline(g, { ...later, version: 3 }, change(), {
          actingContactId: ada.contactId,
          clock: clockAt(1),
        }),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
    });

    it('uses a link with the change it makes, once', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme');
      const link = {
        tokenHash: `h-${id()}`,
        tenantId: 'acme',
        grantId: g.grantId,
        instructionId: null,
        contactId: ada.contactId,
        action: 'extend' as const,
        extendBySeconds: 60,
        createdAt: iso(0),
        validUntil: iso(999),
        usedAt: null,
      };
      await s.links.issueLinks([link]);
      const use = { tokenHash: link.tokenHash, usedAt: iso(1) };
      const later = { ...g, expiresAt: iso(7200), version: 2 };
      const guard = { actingContactId: ada.contactId, clock: clockAt(1), link: use };
      await s.grants.changeDeadline(g, later, event('acme', 'grant.extended', g.grantId), guard);
      expect((await s.links.getLink(link.tokenHash))?.usedAt).toBe(iso(1));
      await expect(
        s.grants.endGrant({
          before: later,
          after: ended(later),
          event: event('acme', 'grant.revoked', g.grantId),
          link: use,
        }),
      ).rejects.toBeInstanceOf(LinkUsedError);
      expect(await s.grants.getGrant('acme', g.grantId)).toMatchObject({ status: 'active', version: 2 });
      await expect(s.links.useLink(use)).rejects.toBeInstanceOf(LinkUsedError);
      await expect(s.links.useLink({ tokenHash: 'unknown', usedAt: iso(1) })).rejects.toBeInstanceOf(
        LinkUsedError,
      );
    });

    it('ends a grant once: the access goes, a stale ending conflicts', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme');
      const ending = () => ({ before: g, after: ended(g), event: event('acme', 'grant.revoked', g.grantId) });
      await s.grants.endGrant({ ...ending(), actingContactId: ada.contactId });
      expect(await s.grants.getActiveAccess('acme')).toBeNull();
      expect(await s.grants.getGrant('acme', g.grantId)).toMatchObject({ status: 'revoked', version: 2 });
      await expect(s.grants.endGrant(ending())).rejects.toBeInstanceOf(ConcurrentModificationError);
      const next = grant('acme', ada);
      await s.grants.createGrant(next, event('acme', 'grant.created', next.grantId));
    });

    it('reminds once, and the due list follows the reminder', async () => {
      const s = await make();
      const { grant: g } = await tenantWithGrant(s, 'acme', 7200, { remindAt: iso(3600) });
      expect((await s.grants.listDueReminders(at(3599), { limit: 10 })).items).toEqual([]);
      expect((await s.grants.listDueReminders(at(3600), { limit: 10 })).items).toEqual([
        { tenantId: 'acme', grantId: g.grantId },
      ]);
      await s.grants.remindGrant(g, event('acme', 'grant.expiring', g.grantId));
      expect((await s.grants.getGrant('acme', g.grantId))?.remindAt).toBeNull();
      expect((await s.grants.listDueReminders(at(3600), { limit: 10 })).items).toEqual([]);
      await expect(
        s.grants.remindGrant(g, event('acme', 'grant.expiring', g.grantId)),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
    });

    it('appends while active only, counting the activity on the receipt', async () => {
      const s = await make();
      const { grant: g } = await tenantWithGrant(s, 'acme', 600);
      const access = await s.grants.getActiveAccess('acme');
      const activity = (actor: string) => event('acme', 'support.activity', g.grantId, { actor });
      await expect(s.grants.appendWhileActive(activity('a'), null, at(1))).rejects.toBeInstanceOf(
        NoActiveGrantError,
      );
      await expect(s.grants.appendWhileActive(activity('a'), access, at(600))).rejects.toBeInstanceOf(
        NoActiveGrantError,
      );
      await s.grants.appendWhileActive(activity('b@x'), access, at(1));
      await s.grants.appendWhileActive(activity('a@x'), access, at(2));
      expect(await s.receipts.receiptTally('acme', g.grantId)).toEqual({
        accessChecks: 0,
        callerVerifications: 0,
        activities: 2,
        agents: ['a@x', 'b@x'],
      });
      await s.grants.endGrant({
        before: g,
        after: ended(g),
        event: event('acme', 'grant.revoked', g.grantId),
      });
      await expect(s.grants.appendWhileActive(activity('a'), access, at(3))).rejects.toBeInstanceOf(
        NoActiveGrantError,
      );
      expect(await s.receipts.receiptTally('acme', 'none')).toBeNull();
    });

    it('pages a tenant’s grants newest first with cursors bound to the list', async () => {
      const s = await make();
      const { ada, grant: first } = await tenantWithGrant(s, 'acme');
      const made = [first];
      for (let i = 0; i < 4; i++) {
        const before = made.at(-1) as StoredGrant;
        await s.grants.endGrant({
          before,
          after: ended(before),
          event: event('acme', 'grant.revoked', before.grantId),
        });
        const g = grant('acme', ada);
        await s.grants.createGrant(g, event('acme', 'grant.created', g.grantId));
        made.push(g);
      }
      const { items, pages } = await allPages((p) => s.grants.listGrants('acme', p, undefined, at(1)), 2);
      expect(items.map((g) => g.grantId)).toEqual(made.map((g) => g.grantId).reverse());
      expect(pages).toBe(3);
      const endedOnes = await allPages((p) => s.grants.listGrants('acme', p, 'ended', at(1)), 3);
      expect(endedOnes.items.map((g) => g.grantId)).toEqual(
        made
          .slice(0, 4)
          .map((g) => g.grantId)
          .reverse(),
      );
      const active = await s.grants.listGrants('acme', { limit: 10 }, 'active', at(1));
      expect(active).toEqual({ items: [made[4]], nextCursor: null });
      expect((await s.grants.listGrants('acme', { limit: 10 }, 'active', at(3600))).items).toEqual([]);

      const page = await s.grants.listGrants('acme', { limit: 2 }, undefined, at(1));
      const cursor = page.nextCursor ?? '';
      await expect(
        s.grants.listGrants('other', { limit: 2, cursor }, undefined, at(1)),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(s.audit.listEvents('acme', { limit: 2, cursor })).rejects.toBeInstanceOf(ValidationError);
      // Its last two characters changed (to AA, or BB where they were AA: a cursor may end in AA,
      // and then the "tampered" one was the same, rightly accepted).
      const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`;
      await expect(
        s.grants.listGrants('acme', { limit: 2, cursor: tampered }, undefined, at(1)),
      ).rejects.toBeInstanceOf(ValidationError);
    });

    it('lists every tenant’s active grants by deadline, and the overdue ones', async () => {
      const s = await make();
      const deadlines = [300, 100, 200, 400];
      const grants = [];
      for (const [i, seconds] of deadlines.entries())
        grants.push((await tenantWithGrant(s, `t${i}`, seconds)).grant);
      const active = await allPages((p) => s.grants.listActiveGrants(at(150), p), 2);
      expect(active.items.map((g) => g.expiresAt)).toEqual([iso(200), iso(300), iso(400)]);
      const overdue = await allPages((p) => s.grants.listOverdueGrants(at(200), p), 1);
      expect(overdue.items.map((g) => g.expiresAt)).toEqual([iso(100), iso(200)]);
      const [, soonest] = grants as [StoredGrant, StoredGrant];
      await s.grants.endGrant({
        before: soonest,
        after: ended(soonest, 'expired'),
        event: event('t1', 'grant.expired', soonest.grantId),
      });
      expect(
        (await s.grants.listOverdueGrants(at(200), { limit: 10 })).items.map((g) => g.expiresAt),
      ).toEqual([iso(200)]);
    });

    it('pages on from a cursor whose grant has ended since: from the grants still active', async () => {
      const s = await make();
      for (const [i, seconds] of [100, 200, 300].entries()) await tenantWithGrant(s, `t${i}`, seconds);
      const first = await s.grants.listActiveGrants(at(0), { limit: 1 });
      expect(first.items.map((g) => g.expiresAt)).toEqual([iso(100)]);
      const cursor = first.nextCursor ?? '';
      const later = await s.grants.listActiveGrants(at(150), { limit: 1, cursor });
      expect(later.items.map((g) => g.expiresAt)).toEqual([iso(200)]);
      const last = await s.grants.listActiveGrants(at(150), { limit: 5, cursor: later.nextCursor ?? '' });
      expect(last).toEqual({ items: [expect.objectContaining({ expiresAt: iso(300) })], nextCursor: null });
      expect(await s.grants.listActiveGrants(at(400), { limit: 5, cursor })).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('stamps access checks on the access item and returns the grant the stamp saw', async () => {
      const s = await make();
      const check = (tenantId: string) => ({ checkId: id(), tenantId, checkedAt: iso(1), agent: 'a@x' });
      expect(await s.grants.recordAccessCheck(check('acme'))).toBeNull();
      expect(await s.checks.stampedChecks('acme')).toBe(1);
      const { grant: g } = await tenantWithGrant(s, 'acme');
      expect(await s.grants.recordAccessCheck(check('acme'))).toMatchObject({ grantId: g.grantId });
      expect(await s.checks.stampedChecks('acme')).toBe(2);
      expect(await s.checks.stampedChecks('nobody')).toBe(0);
    });
  });

  describe(`${name}: contacts`, () => {
    it('keeps an email unique per tenant, whatever its case', async () => {
      const s = await make();
      const ada = contact('acme', { email: 'Ada@Acme.test' });
      await s.contacts.addContact(ada, event('acme', 'contact.added'));
      await expect(
        s.contacts.addContact(contact('acme', { email: 'ada@acme.TEST' }), event('acme', 'contact.added')),
      ).rejects.toBeInstanceOf(ContactExistsError);
      await s.contacts.addContact(
        contact('other', { email: 'ada@acme.test' }),
        event('other', 'contact.added'),
      );
      expect(await s.contacts.findContactByEmail('acme', 'ADA@acme.test')).toEqual(ada);
      expect(await s.contacts.getContact('acme', ada.contactId)).toEqual(ada);
      expect(await s.contacts.listContacts('acme')).toEqual([ada]);
    });

    it(`holds at most ${CONTACTS_MAX} contacts per tenant`, async () => {
      const s = await make();
      for (let i = 0; i < CONTACTS_MAX; i++)
        await s.contacts.addContact(contact('acme'), event('acme', 'contact.added'));
      await expect(
        s.contacts.addContact(contact('acme'), event('acme', 'contact.added')),
      ).rejects.toBeInstanceOf(ContactLimitReachedError);
      const [first] = await s.contacts.listContacts('acme');
      if (first) await s.contacts.removeContact(first, event('acme', 'contact.removed'), undefined, null);
      await s.contacts.addContact(contact('acme'), event('acme', 'contact.added'));
      expect(await s.contacts.listContacts('acme')).toHaveLength(CONTACTS_MAX);
    });

    it('removes a contact with the grant they gave, or only while the active grant is the one read', async () => {
      const s = await make();
      const { ada, grant: g } = await tenantWithGrant(s, 'acme');
      const bob = contact('acme');
      await s.contacts.addContact(bob, event('acme', 'contact.added'));
      await expect(
        s.contacts.removeContact(bob, event('acme', 'contact.removed'), undefined, null),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
      await s.contacts.removeContact(bob, event('acme', 'contact.removed'), undefined, g.grantId);
      expect(await s.contacts.getContact('acme', bob.contactId)).toBeNull();
      const ending = { before: g, after: ended(g), event: event('acme', 'grant.revoked', g.grantId) };
      await s.contacts.removeContact(ada, event('acme', 'contact.removed', g.grantId), ending, g.grantId);
      expect(await s.grants.getActiveAccess('acme')).toBeNull();
      expect(await s.grants.getGrant('acme', g.grantId)).toMatchObject({ status: 'revoked' });
      expect(await s.contacts.findContactByEmail('acme', ada.email)).toBeNull();
      await expect(
        s.contacts.removeContact(ada, event('acme', 'contact.removed'), undefined, null),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
    });
  });

  describe(`${name}: audit log, chain, check marks, receipts`, () => {
    it('appends each event once and pages the log newest first', async () => {
      const s = await make();
      const events = Array.from({ length: 5 }, () => event('acme', 'contact.added'));
      for (const e of events) await s.audit.appendEvent(e);
      await expect(s.audit.appendEvent(events[0] as (typeof events)[0])).rejects.toBeInstanceOf(
        ConcurrentModificationError,
      );
      expect(await s.checks.appendEventOnce(events[1] as (typeof events)[0])).toBe(false);
      const { items, pages } = await allPages((p) => s.audit.listEvents('acme', p), 2);
      expect(items).toEqual([...events].reverse());
      expect(pages).toBe(3);
      const e = event('acme', 'access.checked', 'no-such-grant');
      await expect(s.checks.appendEventOnce(e)).rejects.toThrow('does not exist');
    });

    it('chains from the head it read; a stale head conflicts', async () => {
      const s = await make();
      const events = [
        event('acme', 'contact.added'),
        event('acme', 'contact.added'),
        event('acme', 'contact.added'),
      ];
      for (const e of events) await s.audit.appendEvent(e);
      const [a, b, c] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
      expect(await s.chain.eventsToChain('acme', null, T0, 10)).toEqual([]);
      expect((await s.chain.eventsToChain('acme', null, at(1), 2)).map((e) => e.eventId)).toEqual([
        a.eventId,
        b.eventId,
      ]);
      await s.chain.chainEvents('acme', null, [{ eventId: a.eventId, hash: 'h1', seq: 1 }]);
      await expect(
        s.chain.chainEvents('acme', null, [{ eventId: b.eventId, hash: 'x', seq: 1 }]),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
      const head = await s.chain.getChainHead('acme');
      expect(head).toEqual({ hash: 'h1', eventId: a.eventId, seq: 1 });
      expect((await s.chain.eventsToChain('acme', a.eventId, at(1), 10)).map((e) => e.eventId)).toEqual([
        b.eventId,
        c.eventId,
      ]);
      await s.chain.chainEvents('acme', head, [
        { eventId: b.eventId, hash: 'h2', seq: 2 },
        { eventId: c.eventId, hash: 'h3', seq: 3 },
      ]);
      const chained = await allPages((p) => s.chain.chainedEvents('acme', p), 2);
      expect(chained.items.map((e) => e.hash)).toEqual(['h1', 'h2', 'h3']);
      expect(await s.chain.getChainHead('acme')).toMatchObject({ seq: 3, eventId: c.eventId });
    });

    it('reads the unchained tail with the head its newest chained event names, or null past the limit', async () => {
      const s = await make();
      expect(await s.chain.unchainedTail('acme', at(1), 10)).toEqual({ head: null, events: [] });
      const events = Array.from({ length: 4 }, () => event('acme', 'contact.added'));
      for (const e of events) await s.audit.appendEvent(e);
      const ids = (tail: Awaited<ReturnType<typeof s.chain.unchainedTail>>) =>
        tail?.events.map((e) => e.eventId);
      expect(ids(await s.chain.unchainedTail('acme', at(1), 10))).toEqual(events.map((e) => e.eventId));
      expect(await s.chain.unchainedTail('acme', at(1), 3)).toBeNull();
      expect(await s.chain.unchainedTail('acme', T0, 3)).toEqual({ head: null, events: [] });
      const [a, b] = events as [(typeof events)[0], (typeof events)[0]];
      await s.chain.chainEvents('acme', null, [
        { eventId: a.eventId, hash: 'h1', seq: 1 },
        { eventId: b.eventId, hash: 'h2', seq: 2 },
      ]);
      const tail = await s.chain.unchainedTail('acme', at(1), 2);
      expect(tail?.head).toEqual({ hash: 'h2', eventId: b.eventId, seq: 2 });
      expect(ids(tail)).toEqual(events.slice(2).map((e) => e.eventId));
    });

    it('reads many tenants’ stamp counts and check marks together', async () => {
      const s = await make();
      const tenants = Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      for (const [i, tenantId] of tenants.entries()) {
        if (i % 3 === 0) continue;
        await s.grants.recordAccessCheck({ checkId: id(), tenantId, checkedAt: iso(1), agent: 'a@x' });
        if (i % 3 === 2) await s.checks.advanceCheckMark(tenantId, 0, { seq: 1, checkedAt: iso(1) });
      }
      const states = await s.checks.checkStates([...tenants, 'nobody', 't01']);
      expect(states.size).toBe(61);
      expect(states.get('nobody')).toEqual({ stamped: 0, mark: null });
      for (const [i, tenantId] of tenants.entries())
        expect(states.get(tenantId)).toEqual({
          stamped: i % 3 === 0 ? 0 : 1,
          mark: i % 3 === 2 ? { seq: 1, checkedAt: iso(1) } : null,
        });
    });

    it('writes a check’s event alone and counts a grant’s checks once each, by their stamp count', async () => {
      const s = await make();
      const { grant: g } = await tenantWithGrant(s, 'acme', 600);
      const check = event('acme', 'access.checked', g.grantId, { actor: 'a@x' });
      expect(await s.checks.putCheckEvent(check)).toBe(true);
      expect(await s.checks.putCheckEvent(check)).toBe(false);
      const tally = async () => (await s.receipts.receiptTally('acme', g.grantId))?.accessChecks;
      expect(await tally()).toBe(0);
      const checks = (from: number, to: number, agent = 'a@x') =>
        Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, agent }));
      expect(await s.checks.tallyChecks('acme', g.grantId, checks(1, 3))).toBe(3);
      expect(await s.checks.tallyChecks('acme', g.grantId, checks(1, 3))).toBe(0);
      expect(await s.checks.tallyChecks('acme', g.grantId, checks(2, 3))).toBe(0);
      // A run delivered again in other bounds: only its checks after the count are added.
      expect(await s.checks.tallyChecks('acme', g.grantId, checks(2, 5, 'b@x'))).toBe(2);
      expect(await s.checks.tallyChecks('acme', g.grantId, checks(7, 8))).toBe(2);
      expect(await s.receipts.receiptTally('acme', g.grantId)).toMatchObject({
        accessChecks: 7,
        agents: ['a@x', 'b@x'],
      });
      await expect(s.checks.tallyChecks('acme', 'no-such-grant', checks(1, 1))).rejects.toThrow(
        'does not exist',
      );
    });

    it('moves the check mark only over a run that continues it', async () => {
      const s = await make();
      const mark = (seq: number) => ({ seq, checkedAt: iso(seq) });
      expect(await s.checks.checkMark('acme')).toBeNull();
      expect(await s.checks.advanceCheckMark('acme', 0, mark(2))).toBe('advanced');
      expect(await s.checks.advanceCheckMark('acme', 0, mark(2))).toBe('ahead');
      expect(await s.checks.advanceCheckMark('acme', 4, mark(6))).toBe('gap');
      expect(await s.checks.advanceCheckMark('acme', 2, mark(5))).toBe('advanced');
      expect(await s.checks.advanceCheckMark('acme', 3, mark(4))).toBe('ahead');
      expect(await s.checks.checkMark('acme')).toEqual(mark(5));
    });

    it('counts a grant’s unchained events (not its mail records) and pages its activities', async () => {
      const s = await make();
      const { grant: g } = await tenantWithGrant(s, 'acme');
      const access = await s.grants.getActiveAccess('acme');
      const from = event('acme', 'grant.extended', g.grantId);
      await s.audit.appendEvent(from);
      for (let i = 0; i < 3; i++)
        await s.grants.appendWhileActive(event('acme', 'support.activity', g.grantId), access, at(1));
      await s.audit.appendEvent(event('acme', 'notification.sent', g.grantId));
      await s.audit.appendEvent(event('acme', 'contact.added'));
      expect(await s.receipts.unchainedGrantEvents('acme', g.grantId, from.eventId, at(1))).toBe(3);
      expect(await s.receipts.unchainedGrantEvents('acme', g.grantId, from.eventId, T0)).toBe(0);
      // The activities' own list is eventually consistent on DynamoDB: wait for it.
      await expect
        .poll(
          async () =>
            (await allPages((p) => s.receipts.grantActivities('acme', g.grantId, p), 2)).items.length,
        )
        .toBe(3);
    });
  });

  describe(`${name}: instructions`, () => {
    it('creates by a contact who may instruct and changes only from the status read', async () => {
      const s = await make();
      const ada = contact('acme');
      const cy = contact('acme', { canInstruct: false });
      for (const c of [ada, cy]) await s.contacts.addContact(c, event('acme', 'contact.added'));
      await expect(
        s.instructions.createInstruction(instruction('acme', cy), event('acme', 'instruction.requested')),
      ).rejects.toBeInstanceOf(NotAuthorizedContactError);
      const pending = instruction('acme', ada, { status: 'pending-confirmation', confirmBy: iso(100) });
      await s.instructions.createInstruction(pending, event('acme', 'instruction.requested'));
      const confirmed = { ...pending, status: 'confirmed' as const };
      const confirm = (second: number, contactId: string) =>
        s.instructions.changeInstruction(
          pending,
          confirmed,
          event('acme', 'instruction.confirmed'),
          at(second),
          contactId,
        );
      await expect(confirm(100, ada.contactId)).rejects.toBeInstanceOf(ConcurrentModificationError);
      await expect(confirm(1, cy.contactId)).rejects.toBeInstanceOf(NotAuthorizedContactError);
      expect((await s.instructions.listLapsingInstructions(at(100), { limit: 10 })).items).toEqual([pending]);
      await confirm(1, ada.contactId);
      await expect(confirm(1, ada.contactId)).rejects.toBeInstanceOf(ConcurrentModificationError);
      expect(await s.instructions.getInstruction('acme', pending.instructionId)).toEqual(confirmed);
      expect((await s.instructions.listLapsingInstructions(at(100), { limit: 10 })).items).toEqual([]);
    });

    it('pages a tenant’s instructions newest first and every confirmed one oldest first', async () => {
      const s = await make();
      const ada = contact('acme');
      await s.contacts.addContact(ada, event('acme', 'contact.added'));
      const made = [];
      for (let i = 0; i < 5; i++) {
        const ins = instruction('acme', ada, { createdAt: iso(i) });
        await s.instructions.createInstruction(ins, event('acme', 'instruction.requested'));
        made.push(ins);
      }
      const mine = await allPages((p) => s.instructions.listInstructions('acme', p), 2);
      expect(mine.items).toEqual([...made].reverse());
      await expect
        .poll(async () => (await allPages((p) => s.instructions.listConfirmedInstructions(p), 2)).items)
        .toEqual(made);
    });
  });

  describe(`${name}: links and the notification ledger`, () => {
    it('never replaces a stored link', async () => {
      const s = await make();
      const link = {
        tokenHash: `h-${id()}`,
        tenantId: 'acme',
        grantId: 'g',
        instructionId: null,
        contactId: 'c',
        action: 'end' as const,
        extendBySeconds: null,
        createdAt: iso(0),
        validUntil: iso(99),
        usedAt: null,
      };
      await s.links.issueLinks([link]);
      await expect(s.links.issueLinks([{ ...link, contactId: 'd' }])).rejects.toThrow();
      expect(await s.links.getLink(link.tokenHash)).toEqual(link);
      expect(await s.links.getLink('none')).toBeNull();
    });

    it('leases a send: claimed once, released for a retry, taken over when the lease ran out', async () => {
      const s = await make();
      const key = { tenantId: 'acme', eventId: id(), contactId: 'c' };
      expect(await s.ledger.claim(key, 'one', at(0), 1000)).toEqual({ attempts: 1 });
      expect(await s.ledger.claim(key, 'two', at(0.5), 1000)).toBeNull();
      await s.ledger.release(key, 'one', 'boom', { countAttempt: false });
      expect(await s.ledger.claim(key, 'two', at(1), 1000)).toEqual({ attempts: 1 });
      await s.ledger.release(key, 'two', 'boom');
      expect(await s.ledger.claim(key, 'three', at(2), 1000)).toEqual({ attempts: 2 });
      expect(await s.ledger.claim(key, 'four', at(3.5), 1000)).toEqual({ attempts: 3 });
      await expect(
        s.ledger.settle(key, 'three', 'sent', event('acme', 'notification.sent')),
      ).rejects.toBeInstanceOf(ConcurrentModificationError);
      await s.ledger.settle(key, 'four', 'sent', event('acme', 'notification.sent'));
      expect(await s.ledger.claim(key, 'five', at(9), 1000)).toBeNull();
    });
  });
}
