import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccessAnswer } from '../../functions/domain/access-check.ts';
import type { AuditEvent } from '../../functions/domain/audit.ts';
import type { Contact } from '../../functions/domain/contact.ts';
import { DomainError } from '../../functions/domain/errors.ts';
import { isEffectivelyActive, type StoredGrant } from '../../functions/domain/grant.ts';
import { chainAuditLog } from '../../functions/use-cases/audit.ts';
import { removeContact } from '../../functions/use-cases/contacts.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import {
  changeGrantDeadline,
  createGrant,
  expireGrant,
  revokeGrant,
  sweepOverdueGrants,
} from '../../functions/use-cases/grants.ts';
import { notifyContacts } from '../../functions/use-cases/notify.ts';
import { checkAccess, listAudit } from '../../functions/use-cases/support.ts';
import { notifyDepsFor, RecordingMailer, seedContact, testDeps } from '../support/deps.ts';

/**
 * Random interleavings of every way a grant changes, several tenants, steps in a batch run
 * concurrently for real against DynamoDB Local; the invariants of docs/reliability.md are checked after
 * every batch and at the end. CI runs a fixed seed; `npm run test:soak` runs many random ones.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
const SEED = process.env.PROPERTY_SEED
  ? Number(process.env.PROPERTY_SEED)
  : process.env.SOAK
    ? undefined
    : 20261127;
const TENANTS = 3;
const CONTACTS = 3;

type Command =
  | { kind: 'create'; tenant: number; contact: number; seconds: number }
  | { kind: 'extend'; tenant: number; contact: number; seconds: number }
  | { kind: 'revoke'; tenant: number; contact: number }
  | { kind: 'expire'; tenant: number; pick: number }
  | { kind: 'sweep' }
  | { kind: 'removeContact'; tenant: number; contact: number }
  | { kind: 'check'; tenant: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'toDeadline'; tenant: number };

const tenant = fc.nat(TENANTS - 1);
const contact = fc.nat(CONTACTS - 1);
const seconds = fc.integer({ min: 1, max: 900 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), tenant, contact, seconds }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('extend' as const), tenant, contact, seconds }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('revoke' as const), tenant, contact }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('expire' as const), tenant, pick: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sweep' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeContact' as const), tenant, contact }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('check' as const), tenant }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 700_000 }) }),
  },
  // Jump to the very millisecond of a deadline, where off-by-one mistakes live.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('toDeadline' as const), tenant }) },
);
const scenario = fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 10 });

/** Errors the contract allows a step to end with; anything else breaks the property. */
/** Refusals a concurrent batch may cause; `not-authorized-contact`: the actor was removed meanwhile. */
const ALLOWED = new Set([
  'grant-already-active',
  'grant-not-active',
  'not-found',
  'validation-failed',
  'not-authorized-contact',
]);

async function runScenario(batches: Command[][]) {
  const { deps, clock, stores } = await testDeps();
  (deps as Deps).policy = { minSeconds: 1, maxSeconds: 3600 };
  const tenants = Array.from({ length: TENANTS }, (_, i) => `prop-${i}`);
  const contacts: Contact[][] = [];
  for (const id of tenants) {
    const list: Contact[] = [];
    for (let c = 0; c < CONTACTS; c++) list.push(await seedContact(deps, id, `c${c}@${id}.example`));
    contacts.push(list);
  }
  const knownGrants = new Map<string, string[]>(tenants.map((t) => [t, []]));
  const terminal = new Map<string, StoredGrant>();
  const answers: AccessAnswer[] = [];

  const present = async (t: number, c: number) =>
    stores.contacts.getContact(tenants[t] as string, contacts[t]?.[c]?.contactId as string);

  async function step(cmd: Command): Promise<void> {
    const now = clock.now();
    switch (cmd.kind) {
      case 'create': {
        const who = await present(cmd.tenant, cmd.contact);
        if (!who) return;
        const { grant } = await createGrant(
          deps,
          tenants[cmd.tenant] as string,
          who,
          { reason: 'p', durationSeconds: cmd.seconds },
          now,
        );
        knownGrants.get(grant.tenantId)?.push(grant.grantId);
        return;
      }
      case 'extend':
      case 'revoke': {
        const who = await present(cmd.tenant, cmd.contact);
        const id = tenants[cmd.tenant] as string;
        const access = await stores.grants.getActiveAccess(id);
        if (!who || !access) return;
        if (cmd.kind === 'extend')
          await changeGrantDeadline(deps, id, access.grantId, who, { durationSeconds: cmd.seconds }, now);
        else await revokeGrant(deps, id, access.grantId, who, now);
        return;
      }
      case 'expire': {
        const id = tenants[cmd.tenant] as string;
        const known = knownGrants.get(id) ?? [];
        const grantId = known[known.length - 1 - (cmd.pick % Math.max(1, known.length))];
        // Early, late, stale and duplicate invocations all come from picking any known grant.
        if (grantId) await expireGrant(deps, id, grantId);
        return;
      }
      case 'sweep':
        await sweepOverdueGrants(deps);
        return;
      case 'removeContact': {
        const who = await present(cmd.tenant, cmd.contact);
        if (who) await removeContact(deps, tenants[cmd.tenant] as string, who.contactId, 'admin@test', now);
        return;
      }
      case 'check':
        answers.push(await checkAccess(deps, tenants[cmd.tenant] as string, 'agent@vendor.example'));
        return;
      case 'advance':
        clock.advance(cmd.ms);
        return;
      case 'toDeadline': {
        const access = await stores.grants.getActiveAccess(tenants[cmd.tenant] as string);
        if (access && Date.parse(access.expiresAt) > clock.now().getTime()) {
          clock.set(access.expiresAt);
          answers.push(await checkAccess(deps, tenants[cmd.tenant] as string, 'agent@vendor.example'));
        }
        return;
      }
    }
  }

  async function allGrants(id: string): Promise<StoredGrant[]> {
    const grants: StoredGrant[] = [];
    for (const grantId of knownGrants.get(id) ?? []) {
      const grant = await stores.grants.getGrant(id, grantId);
      if (grant) grants.push(grant);
    }
    return grants;
  }

  async function checkInvariants(): Promise<void> {
    for (const id of tenants) {
      const grants = await allGrants(id);
      const active = grants.filter((g) => g.status === 'active');
      expect(active.length, `${id}: at most one active grant`).toBeLessThanOrEqual(1);
      const pointer = await stores.grants.getActiveAccess(id);
      expect(pointer?.grantId ?? null, `${id}: the access pointer names the active grant`).toBe(
        active[0]?.grantId ?? null,
      );
      if (pointer && active[0]) expect(pointer.expiresAt).toBe(active[0].expiresAt);
      if (active[0] && isEffectivelyActive(active[0], clock.now())) {
        const granter = await stores.contacts.getContact(id, active[0].grantedBy.contactId);
        expect(granter, `${id}: an active grant's contact is still registered`).not.toBeNull();
      }
      for (const grant of grants) {
        const before = terminal.get(grant.grantId);
        if (before) expect(grant, 'terminal states never change').toEqual(before);
        else if (grant.status !== 'active') terminal.set(grant.grantId, grant);
      }
    }
  }

  for (const batch of batches) {
    const results = await Promise.allSettled(batch.map(step));
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      const error = result.reason as Error;
      const allowed =
        (error instanceof DomainError && ALLOWED.has(error.code)) ||
        error.name === 'ConcurrentModificationError';
      if (!allowed) throw error;
    }
    await checkInvariants();
  }
  await sweepOverdueGrants(deps);
  await checkInvariants();

  // Audit: every state change has its event and every event its state change.
  const events: AuditEvent[] = [];
  for (const id of tenants) {
    let cursor: string | undefined;
    do {
      const page = await listAudit(deps, id, { limit: 100, cursor });
      events.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  for (const id of tenants) {
    for (const grant of await allGrants(id)) {
      const of = (type: string) =>
        events.filter((e) => e.grantId === grant.grantId && e.type === type).length;
      const ended = grant.status !== 'active';
      expect(of('grant.created'), 'one created event').toBe(1);
      expect(of('grant.revoked') + of('grant.expired'), 'one terminal event per ended grant').toBe(
        ended ? 1 : 0,
      );
      if (ended) expect(of(`grant.${grant.status}`)).toBe(1);
      expect(of('grant.extended'), 'one extended event per deadline change').toBe(
        grant.version - 1 - (ended ? 1 : 0),
      );
    }
  }

  // Access: never yes at or after the deadline it reported.
  for (const answer of answers) {
    if (answer.access)
      expect(Date.parse(answer.checkedAt)).toBeLessThan(Date.parse(answer.grant?.expiresAt ?? ''));
    else expect(answer.grant).toBeNull();
  }

  // Email: every grant event processed twice, concurrently: exactly one email per (event, contact).
  const mailer = new RecordingMailer();
  const notify = { ...notifyDepsFor({ stores, clock, deps }, mailer), consoleUrl: 'http://127.0.0.1:3000' };
  const grantEvents = events.filter((e) => e.type.startsWith('grant.'));
  // The end mails wait for the chain to pass their event (their receipts name a head covering it).
  clock.advance(1);
  for (const id of tenants) await chainAuditLog(deps, id, 0);
  await Promise.all(grantEvents.flatMap((e) => [notifyContacts(notify, e), notifyContacts(notify, e)]));
  const remaining = new Map<string, number>();
  for (const id of tenants) remaining.set(id, (await stores.contacts.listContacts(id)).length);
  const expected = grantEvents.reduce((n, e) => n + (remaining.get(e.tenantId) ?? 0), 0);
  const keys = mailer.sent.map((m) => `${m.to}|${m.subject}|${m.text}`);
  expect(mailer.sent.length, 'one email per contact per grant event').toBe(expected);
  expect(new Set(keys).size).toBe(keys.length);
  return {
    batches: batches.length,
    steps: batches.flat().length,
    checks: answers.length,
    emails: mailer.sent.length,
  };
}

describe('grant lifecycle under random concurrent interleavings (fast-check, DynamoDB Local)', () => {
  it('keeps every invariant', async () => {
    const totals = { runs: 0, steps: 0, checks: 0, emails: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (batches) => {
        const result = await runScenario(batches);
        totals.runs++;
        totals.steps += result.steps;
        totals.checks += result.checks;
        totals.emails += result.emails;
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
    );
    console.info(`lifecycle property: ${JSON.stringify(totals)}`);
    expect(totals.runs).toBe(RUNS);
  }, 600_000);
});
