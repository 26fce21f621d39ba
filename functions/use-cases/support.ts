import { type AccessAnswer, type AccessCheck, accessAnswer } from '../domain/access-check.ts';
import type { CallerIdentity } from '../domain/contact.ts';
import { type Contact, contactSummary, emailKey, normalisePhone } from '../domain/contact.ts';
import { effectiveGrant, isBeforeDeadline, publicGrant } from '../domain/grant.ts';
import type { PageRequest } from '../domain/ports.ts';
import type { Needs } from './deps.ts';
import { newEvent } from './events.ts';

/**
 * "May I access tenant T now?" One write decides and records: the decision instant is taken
 * first, then the check is stamped on the tenant's access item, which returns the grant state
 * at that write — so every change committed before `checkedAt` is seen. The stamp is durable
 * before the answer; the stream turns it into `access.checked` within seconds, exactly once.
 */
export async function checkAccess(
  deps: Needs<'grants'>,
  tenantId: string,
  agentEmail: string,
): Promise<AccessAnswer> {
  const checkedAt = deps.clock.now();
  const check: AccessCheck = {
    checkId: deps.ids.next(checkedAt),
    tenantId,
    checkedAt: checkedAt.toISOString(),
    agent: agentEmail,
  };
  return accessAnswer(check, await deps.grants.recordAccessCheck(check));
}

export async function listActiveGrants(deps: Needs<'grants'>, page: PageRequest, now: Date) {
  const result = await deps.grants.listActiveGrants(now, page);
  return {
    items: result.items.map((g) => publicGrant(effectiveGrant(g, now))),
    nextCursor: result.nextCursor,
  };
}

/**
 * Is the caller a registered contact of the tenant, and what may they do? Every contact with
 * that phone or email is a match; only a single match names the contact, so a shared number
 * (a switchboard) makes the agent ask who is calling instead of lending someone else's rights.
 */
export async function verifyCaller(
  deps: Needs<'contacts' | 'grants' | 'audit'>,
  tenantId: string,
  agentEmail: string,
  caller: CallerIdentity,
  now: Date,
) {
  let matches: Contact[];
  if (caller.phone !== undefined) {
    const phone = normalisePhone(caller.phone);
    matches = (await deps.contacts.listContacts(tenantId)).filter((c) => c.phone === phone);
  } else {
    const found = await deps.contacts.findContactByEmail(tenantId, emailKey(caller.email));
    matches = found ? [found] : [];
  }
  const single = matches.length === 1 ? matches[0] : undefined;
  // Made while a grant is active, the verification belongs to that grant's receipt.
  const active = await deps.grants.getActiveAccess(tenantId);
  const grantId = active && isBeforeDeadline(active, now) ? active.grantId : null;
  await deps.audit.appendEvent(
    newEvent(deps, now, tenantId, 'contact.verified', agentEmail, grantId, {
      by: caller.phone !== undefined ? 'phone' : 'email',
      authorized: matches.length > 0,
      contactId: single?.contactId ?? null,
      matches: matches.map((c) => c.contactId),
    }),
  );
  return {
    authorized: matches.length > 0,
    contact: single ? contactSummary(single) : null,
    matches: matches.map(contactSummary),
  };
}

export async function listAudit(deps: Needs<'audit'>, tenantId: string, page: PageRequest) {
  return deps.audit.listEvents(tenantId, page);
}
