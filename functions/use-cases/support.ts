import { type Contact, contactSummary, emailKey, normalisePhone } from '../domain/contact.ts';
import { effectiveGrant, publicGrant } from '../domain/grant.ts';
import type { PageRequest } from '../domain/ports.ts';
import type { Deps } from './deps.ts';
import { newEvent } from './events.ts';

export interface AccessAnswer {
  tenantId: string;
  access: boolean;
  grant: { grantId: string; expiresAt: string; reason: string; ticket: string | null } | null;
  checkedAt: string;
}

/**
 * "May I access tenant T now?" One strongly consistent read decides; the decision instant is
 * taken after the read, so an answer is never newer than the data behind it. The question is
 * recorded in the tenant's audit log before the answer is returned.
 */
export async function checkAccess(deps: Deps, tenantId: string, agentEmail: string): Promise<AccessAnswer> {
  const active = await deps.store.getActiveAccess(tenantId);
  const checkedAt = deps.clock.now();
  const access = active !== null && checkedAt.getTime() < Date.parse(active.expiresAt);
  const answer: AccessAnswer = {
    tenantId,
    access,
    grant:
      access && active
        ? {
            grantId: active.grantId,
            expiresAt: active.expiresAt,
            reason: active.reason,
            ticket: active.ticket,
          }
        : null,
    checkedAt: checkedAt.toISOString(),
  };
  await deps.store.appendEvent(
    newEvent(deps, checkedAt, tenantId, 'access.checked', agentEmail, answer.grant?.grantId ?? null, {
      access,
      checkedAt: answer.checkedAt,
    }),
  );
  return answer;
}

export async function listActiveGrants(deps: Deps, page: PageRequest, now: Date) {
  const result = await deps.store.listActiveGrants(now, page);
  return {
    items: result.items.map((g) => publicGrant(effectiveGrant(g, now))),
    nextCursor: result.nextCursor,
  };
}

export type CallerIdentity = { phone: string; email?: undefined } | { email: string; phone?: undefined };

/**
 * Is the caller a registered contact of the tenant, and what may they do? Every contact with
 * that phone or email is a match; only a single match names the contact, so a shared number
 * (a switchboard) makes the agent ask who is calling instead of lending someone else's rights.
 */
export async function verifyCaller(
  deps: Deps,
  tenantId: string,
  agentEmail: string,
  caller: CallerIdentity,
  now: Date,
) {
  let matches: Contact[];
  if (caller.phone !== undefined) {
    const phone = normalisePhone(caller.phone);
    matches = (await deps.store.listContacts(tenantId)).filter((c) => c.phone === phone);
  } else {
    const found = await deps.store.findContactByEmail(tenantId, emailKey(caller.email));
    matches = found ? [found] : [];
  }
  const single = matches.length === 1 ? matches[0] : undefined;
  // Made while a grant is active, the verification belongs to that grant's receipt.
  const active = await deps.store.getActiveAccess(tenantId);
  const grantId = active && now.getTime() < Date.parse(active.expiresAt) ? active.grantId : null;
  await deps.store.appendEvent(
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

export async function listAudit(deps: Deps, tenantId: string, page: PageRequest) {
  return deps.store.listEvents(tenantId, page);
}
