import { describe, expect, inject, it } from 'vitest';
import { agentToken, call, tenantWithPeople, tokenFor } from '../support/api.ts';
import { mailedLink } from '../support/mail.ts';

/**
 * Every route × every kind of caller → the status the API contract demands. "own" is tenant A (the path's
 * tenant), "foreign" a caller of tenant B on A's path. Statuses for allowed callers are the
 * route's success status for a well-formed request.
 */
type Caller =
  | 'none'
  | 'forged'
  | 'adminOwn'
  | 'adminForeign'
  | 'contactOwn'
  | 'contactForeign'
  | 'userOwn'
  | 'agent'
  | 'contactUnverified'
  | 'agentUnverified';
const CALLERS: Caller[] = [
  'none',
  'forged',
  'adminOwn',
  'adminForeign',
  'contactOwn',
  'contactForeign',
  'userOwn',
  'agent',
  'contactUnverified',
  'agentUnverified',
];

// route                                   none forged adminOwn adminForeign contactOwn contactForeign userOwn agent contactUnverified agentUnverified
const MATRIX: [string, number[]][] = [
  ['GET /health', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET /openapi.json', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET /events.schema.json', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['GET /tenants/A/contacts', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/contacts', [401, 401, 201, 403, 403, 403, 403, 403, 403, 403]],
  ['DELETE /tenants/A/contacts/{spare}', [401, 401, 204, 403, 403, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/contacts/verify', [401, 401, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['GET /tenants/A/grants', [401, 401, 200, 403, 200, 403, 403, 200, 403, 403]],
  ['GET /tenants/A/grants/{grant}', [401, 401, 200, 403, 200, 403, 403, 200, 403, 403]],
  ['POST /tenants/A/grants', [401, 401, 403, 403, 201, 403, 403, 403, 403, 403]],
  ['PATCH /tenants/A/grants/{grant}', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
  ['DELETE /tenants/A/grants/{grant}', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
  ['GET /tenants/A/access', [401, 401, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['GET /access', [401, 401, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['GET /tenants/A/audit', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['GET /tenants/A/audit/export', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/activity', [401, 401, 403, 403, 403, 403, 403, 201, 403, 403]],
  ['GET /tenants/A/grants/{grant}/receipt', [401, 401, 200, 403, 200, 403, 403, 200, 403, 403]],
  ['POST /tenants/A/instructions', [401, 401, 403, 403, 201, 403, 403, 403, 403, 403]],
  ['GET /tenants/A/instructions', [401, 401, 200, 403, 200, 403, 403, 200, 403, 403]],
  ['POST /tenants/A/instructions/{pending}/confirm', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/instructions/{pending}/reject', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/instructions/{confirmed}/complete', [401, 401, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['GET /instructions?status=confirmed', [401, 401, 403, 403, 403, 403, 403, 200, 403, 403]],
  ['POST /tenants/A/webhooks', [401, 401, 201, 403, 403, 403, 403, 403, 403, 403]],
  ['GET /tenants/A/webhooks', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['DELETE /tenants/A/webhooks/{webhook}', [401, 401, 204, 403, 403, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/webhooks/{webhook}/rotate-secret', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  ['POST /tenants/A/webhooks/{webhook}/test', [401, 401, 202, 403, 403, 403, 403, 403, 403, 403]],
  ['GET /tenants/A/webhooks/{webhook}/deliveries', [401, 401, 200, 403, 403, 403, 403, 403, 403, 403]],
  // An emailed link (Ada's): the token is the credential for what takes power away ("End access
  // now", "Reject"), whatever else the caller sends.
  ['GET /actions/{link}', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['POST /actions/{link}', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['POST /actions/{reject}', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  // What gives support more power ("Extend", "Confirm") also needs Ada herself signed in.
  ['GET /actions/{extend}', [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]],
  ['POST /actions/{extend}', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
  ['POST /actions/{confirm}', [401, 401, 403, 403, 200, 403, 403, 403, 403, 403]],
];

/** Which emailed link of Ada's a `{…}` in a route names: the email it comes in and the link's label. */
const LINKS: Record<string, { mail: 'grant' | 'instruction'; label: string }> = {
  '{link}': { mail: 'grant', label: 'End access now' },
  '{extend}': { mail: 'grant', label: 'Extend by 1 day' },
  '{confirm}': { mail: 'instruction', label: 'Confirm' },
  '{reject}': { mail: 'instruction', label: 'Reject' },
};

/**
 * The cells where a caller who would be a contact or an agent is refused only because the
 * identity provider did not verify their email: `email-not-verified`, not `forbidden`.
 */
const EMAIL_NOT_VERIFIED = new Set([
  'POST /tenants/A/contacts/verify as agentUnverified',
  'GET /tenants/A/grants as contactUnverified',
  'GET /tenants/A/grants as agentUnverified',
  'GET /tenants/A/grants/{grant} as contactUnverified',
  'GET /tenants/A/grants/{grant} as agentUnverified',
  'POST /tenants/A/grants as contactUnverified',
  'PATCH /tenants/A/grants/{grant} as contactUnverified',
  'DELETE /tenants/A/grants/{grant} as contactUnverified',
  'GET /tenants/A/access as agentUnverified',
  'GET /access as agentUnverified',
  'POST /tenants/A/activity as agentUnverified',
  'GET /tenants/A/grants/{grant}/receipt as contactUnverified',
  'GET /tenants/A/grants/{grant}/receipt as agentUnverified',
  'POST /tenants/A/instructions as contactUnverified',
  'GET /tenants/A/instructions as contactUnverified',
  'GET /tenants/A/instructions as agentUnverified',
  'POST /tenants/A/instructions/{pending}/confirm as contactUnverified',
  'POST /tenants/A/instructions/{pending}/reject as contactUnverified',
  'POST /tenants/A/instructions/{confirmed}/complete as agentUnverified',
  'GET /instructions?status=confirmed as agentUnverified',
  'POST /actions/{extend} as contactUnverified',
  'POST /actions/{confirm} as contactUnverified',
]);

const BODIES: Record<string, unknown> = {
  'POST /tenants/A/contacts': { name: 'New', email: 'new-{n}@x.example', phone: '030 1234567' },
  'POST /tenants/A/contacts/verify': { email: 'ada@x.example' },
  'POST /tenants/A/grants': { reason: 'matrix', durationSeconds: 600 },
  'PATCH /tenants/A/grants/{grant}': { durationSeconds: 1200 },
  'POST /tenants/A/activity': { action: 'matrix', target: 'x', ticket: 'T-1' },
  'POST /tenants/A/instructions': { kind: 'other', details: 'matrix' },
  'POST /tenants/A/instructions/{confirmed}/complete': { note: 'done' },
  // Nothing listens there: the deliveries fail quietly.
  'POST /tenants/A/webhooks': { url: 'http://127.0.0.1:9/matrix' },
};

describe('authorization matrix: every route × every caller', () => {
  it('answers each cell as the API contract says', async () => {
    const results: string[] = [];
    const agent = await agentToken();
    const agentUnverified = await tokenFor({
      email: 'agent@vendor.example',
      roles: ['support-agent'],
      emailVerified: false,
    });
    let n = 0;
    for (const [route, expected] of MATRIX) {
      for (const [i, caller] of CALLERS.entries()) {
        // Fresh tenants per cell: no cell depends on another's data.
        const a = await tenantWithPeople('mx');
        const b = await tenantWithPeople('mx');
        const tokens: Record<Caller, string | undefined> = {
          none: undefined,
          forged: `${a.people.admin.slice(0, -6)}AAAAAA`,
          adminOwn: a.people.admin,
          adminForeign: b.people.admin,
          contactOwn: a.people.contact,
          contactForeign: b.people.contact,
          userOwn: a.people.user,
          agent,
          // Ada's own email, but not verified by the identity provider.
          contactUnverified: await tokenFor({
            email: a.contacts.contact.email,
            tenantId: a.tenantId,
            emailVerified: false,
          }),
          agentUnverified,
        };
        let grantId = '';
        let link = '';
        const linkRef = Object.keys(LINKS).find((ref) => route.includes(ref));
        if (linkRef) {
          const { mail, label } = LINKS[linkRef] as (typeof LINKS)[string];
          // Bob grants or asks; Ada is mailed the links.
          const made =
            mail === 'grant'
              ? await call('POST', `/tenants/${a.tenantId}/grants`, {
                  token: a.people.contact2,
                  json: { reason: 'linked', durationSeconds: 900 },
                })
              : await call('POST', `/tenants/${a.tenantId}/instructions`, {
                  token: a.people.contact2,
                  json: { kind: 'account-deletion', details: 'linked' },
                });
          expect(made.status).toBe(201);
          const subject =
            mail === 'grant'
              ? 'Support access granted: linked'
              : `Instruction given: account deletion (${a.tenantId})`;
          link = (await mailedLink(inject('sesUrl'), a.contacts.contact.email, subject, label)).token;
        }
        let instructionId = '';
        if (route.includes('{pending}') || route.includes('{confirmed}')) {
          // Requested by Bob, so Ada (contactOwn) is the second pair of eyes.
          const requested = await call('POST', `/tenants/${a.tenantId}/instructions`, {
            token: a.people.contact2,
            json: route.includes('{pending}')
              ? { kind: 'account-deletion', details: 'matrix' }
              : { kind: 'data-export', details: 'matrix' },
          });
          expect(requested.status, requested.text).toBe(201);
          instructionId = requested.body.instructionId;
        }
        if (/grants\/\{grant\}/.test(route) || route === 'POST /tenants/A/activity') {
          const created = await call('POST', `/tenants/${a.tenantId}/grants`, {
            token: a.people.contact2,
            json: { reason: 'seed', durationSeconds: 900 },
          });
          grantId = created.body.grantId;
        }
        let webhookId = '';
        if (route.includes('{webhook}')) {
          const added = await call('POST', `/tenants/${a.tenantId}/webhooks`, {
            token: a.people.admin,
            json: { url: 'http://127.0.0.1:9/matrix' },
          });
          expect(added.status, added.text).toBe(201);
          webhookId = added.body.webhookId;
        }
        if (route === 'POST /tenants/A/grants' && caller === 'contactOwn') {
          // nothing active: the create can succeed
        }
        const [method, template] = route.split(' ') as [string, string];
        const path = template
          .replace('/A/', `/${a.tenantId}/`)
          .replace(/\/A$/, `/${a.tenantId}`)
          .replace('{grant}', grantId)
          .replace(/\{(link|extend|confirm|reject)\}/, link)
          .replace(/\{(pending|confirmed)\}/, instructionId)
          .replace('{spare}', a.contacts.readOnly.contactId)
          .replace('{webhook}', webhookId);
        const body = BODIES[route];
        const json =
          body === undefined ? undefined : JSON.parse(JSON.stringify(body).replace('{n}', String(n++)));
        const response = await call(method, path, { token: tokens[caller], json });
        const want = expected[i] as number;
        results.push(
          `${route} as ${caller}: ${response.status}${response.status === want ? '' : ` (want ${want}: ${response.text.slice(0, 120)})`}`,
        );
        if (want >= 400) {
          expect(response.headers.get('content-type')).toBe('application/problem+json');
          const codes = { 401: ['unauthenticated'], 403: ['forbidden', 'not-authorized-contact'] } as Record<
            number,
            string[]
          >;
          if (EMAIL_NOT_VERIFIED.has(`${route} as ${caller}`))
            expect(response.body.code).toBe('email-not-verified');
          else expect(codes[want]).toContain(response.body.code);
          if (caller.endsWith('Foreign')) expect(response.body.code).toBe('forbidden');
        }
      }
    }
    const mismatches = results.filter((r) => r.includes('want'));
    expect(mismatches).toEqual([]);
    expect(results).toHaveLength(MATRIX.length * CALLERS.length);
    // Each emailed-link cell waits for its email; the webhook rows add 60 cells.
  }, 900_000);
});
