import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_AUDIENCE } from '../../local/tokens.ts';
import { agentToken, call, changesOf, stackKeys, tenantWithPeople, tokenFor } from '../support/api.ts';
import { mailedLink } from '../support/mail.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function signed(
  claims: Record<string, unknown>,
  options: { iss?: string; aud?: string; exp?: number; nbf?: number; otherKey?: boolean } = {},
) {
  const keys = await stackKeys();
  const key = options.otherKey ? (await generateKeyPair('ES256')).privateKey : keys.privateKey;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'someone', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid })
    .setIssuer(options.iss ?? keys.issuer)
    .setAudience(options.aud ?? LOCAL_AUDIENCE)
    .setIssuedAt()
    .setNotBefore(options.nbf ?? now - 5)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(key);
}

function expectProblem(
  response: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({
    type: `/problems/${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
}

describe('every error of the contract, and nothing written by a rejected request', () => {
  it('401 unauthenticated for missing, malformed, forged, expired and misaddressed tokens', async () => {
    const { tenantId } = await tenantWithPeople('auth');
    const claims = { email: 'admin@x.example', tenant_id: tenantId, roles: ['tenant-admin'] };
    const now = Math.floor(Date.now() / 1000);
    const good = await signed(claims);
    const [header, payload, signature] = good.split('.');
    const tampered = `${header}.${b64({ ...claims, sub: 'someone', tenant_id: 'other', iss: (await stackKeys()).issuer, aud: LOCAL_AUDIENCE, exp: now + 600 })}.${signature}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    const tokens: Record<string, string | undefined> = {
      missing: undefined,
      garbage: 'not-a-jwt',
      'alg none': none,
      tampered,
      'other key': await signed(claims, { otherKey: true }),
      expired: await signed(claims, { exp: now - 10 }),
      'not yet valid': await signed(claims, { nbf: now + 600 }),
      'wrong issuer': await signed(claims, { iss: 'https://evil.example' }),
      'wrong audience': await signed(claims, { aud: 'another-api' }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const response = await call('GET', `/tenants/${tenantId}/contacts`, { token });
      expect(response.status, name).toBe(401);
      expectProblem(response, 401, 'unauthenticated');
    }
    const sane = await call('GET', `/tenants/${tenantId}/contacts`, { token: good });
    expect(sane.status).toBe(200);
  });

  it('401 for an HS256 token signed with the public key (algorithm confusion)', async () => {
    const keys = await stackKeys();
    const { exportJWK } = await import('jose');
    const publicJwk = JSON.stringify(await exportJWK(keys.publicKey));
    const hs = await new SignJWT({ sub: 'x', email: 'a@b.example', roles: ['support-agent'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(keys.issuer)
      .setAudience(LOCAL_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(publicJwk));
    expectProblem(await call('GET', '/access', { token: hs }), 401, 'unauthenticated');
  });

  it('rejects bad bodies and parameters with the right problem, writing nothing', async () => {
    const { tenantId, people } = await tenantWithPeople('errors');
    const agent = await agentToken();
    const created = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { reason: 'base', durationSeconds: 600 },
    });
    const grantId = created.body.grantId;
    const before = await changesOf(tenantId, people.admin);
    // Vendor staff never carry a tenant: a support-agent token that does is nobody's agent.
    const agentWithTenant = await tokenFor({
      email: 'agent@vendor.example',
      tenantId,
      roles: ['support-agent'],
    });
    const grants = `/tenants/${tenantId}/grants`;
    const maxSeconds = 122 * 86_400;

    const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    type Case = [string, string, string, Parameters<typeof call>[2], number, string];
    /** A contact the admin adds, valid but for `change`. */
    const invalidContact = (name: string, change: Record<string, unknown>): Case => [
      name,
      'POST',
      `/tenants/${tenantId}/contacts`,
      { token: people.admin, json: { name: 'n', email: 'n@x.example', phone: '030 1234567', ...change } },
      400,
      'validation-failed',
    ];
    /** A request naming an id nothing has. */
    const notFound = (name: string, method: string, path: string, options: Case[3]): Case => [
      name,
      method,
      path,
      options,
      404,
      'not-found',
    ];
    /** An instruction the contact gives, as `json`. */
    const invalidInstruction = (name: string, json: Record<string, unknown>): Case => [
      name,
      'POST',
      `/tenants/${tenantId}/instructions`,
      { token: people.contact, json },
      400,
      'validation-failed',
    ];
    const cases: Case[] = [
      [
        'oversized body',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'x'.repeat(17_000), durationSeconds: 600 } },
        413,
        'payload-too-large',
      ],
      [
        'text/plain',
        'POST',
        grants,
        {
          token: people.contact,
          body: '{"reason":"r","durationSeconds":600}',
          headers: { 'content-type': 'text/plain' },
        },
        415,
        'unsupported-media-type',
      ],
      [
        'no content type',
        'POST',
        grants,
        { token: people.contact, body: '{"reason":"r","durationSeconds":600}' },
        415,
        'unsupported-media-type',
      ],
      [
        'latin-1 charset',
        'POST',
        grants,
        {
          token: people.contact,
          body: '{}',
          headers: { 'content-type': 'application/json; charset=iso-8859-1' },
        },
        415,
        'unsupported-media-type',
      ],
      [
        'bad JSON',
        'POST',
        grants,
        { token: people.contact, body: '{"reason": "r",', headers: { 'content-type': 'application/json' } },
        400,
        'validation-failed',
      ],
      [
        'empty body',
        'POST',
        grants,
        { token: people.contact, body: '', headers: { 'content-type': 'application/json' } },
        400,
        'validation-failed',
      ],
      ['JSON array body', 'POST', grants, { token: people.contact, json: [1, 2] }, 400, 'validation-failed'],
      [
        'unknown field',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', durationSeconds: 600, admin: true } },
        400,
        'validation-failed',
      ],
      [
        '__proto__ field',
        'POST',
        grants,
        {
          token: people.contact,
          body: '{"reason":"r","durationSeconds":600,"__proto__":{"x":1}}',
          headers: { 'content-type': 'application/json' },
        },
        400,
        'validation-failed',
      ],
      [
        'string duration',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', durationSeconds: '600' } },
        400,
        'validation-failed',
      ],
      [
        'fractional duration',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', durationSeconds: 600.5 } },
        400,
        'validation-failed',
      ],
      [
        'both deadlines',
        'POST',
        grants,
        {
          token: people.contact,
          json: {
            reason: 'r',
            durationSeconds: 600,
            expiresAt: new Date(Date.now() + 600_000).toISOString(),
          },
        },
        400,
        'validation-failed',
      ],
      [
        'no deadline',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r' } },
        400,
        'validation-failed',
      ],
      [
        'deadline in the past',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', expiresAt: '2020-01-01T00:00:00Z' } },
        400,
        'validation-failed',
      ],
      [
        'zero duration',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', durationSeconds: 0 } },
        400,
        'validation-failed',
      ],
      [
        'beyond the maximum',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', durationSeconds: maxSeconds + 1 } },
        400,
        'validation-failed',
      ],
      [
        'not a date',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', expiresAt: 'next week' } },
        400,
        'validation-failed',
      ],
      [
        'blank reason',
        'POST',
        grants,
        { token: people.contact, json: { reason: '   ', durationSeconds: 600 } },
        400,
        'validation-failed',
      ],
      [
        'reason too long',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'x'.repeat(501), durationSeconds: 600 } },
        400,
        'validation-failed',
      ],
      [
        'ticket too long',
        'POST',
        grants,
        { token: people.contact, json: { reason: 'r', ticket: 't'.repeat(101), durationSeconds: 600 } },
        400,
        'validation-failed',
      ],
      [
        'bad Idempotency-Key',
        'POST',
        grants,
        {
          token: people.contact,
          json: { reason: 'r', durationSeconds: 600 },
          headers: { 'idempotency-key': 'x'.repeat(300) },
        },
        400,
        'validation-failed',
      ],
      [
        'extend beyond the maximum',
        'PATCH',
        `${grants}/${grantId}`,
        { token: people.contact, json: { durationSeconds: maxSeconds + 1 } },
        400,
        'validation-failed',
      ],
      [
        'extend unknown field',
        'PATCH',
        `${grants}/${grantId}`,
        { token: people.contact, json: { durationSeconds: 600, reason: 'x' } },
        400,
        'validation-failed',
      ],
      notFound('extend unknown grant', 'PATCH', `${grants}/${UNKNOWN_ID}`, {
        token: people.contact,
        json: { durationSeconds: 600 },
      }),
      ['limit 0', 'GET', `${grants}?limit=0`, { token: people.admin }, 400, 'validation-failed'],
      ['limit 101', 'GET', `${grants}?limit=101`, { token: people.admin }, 400, 'validation-failed'],
      [
        'limit abc',
        'GET',
        `/tenants/${tenantId}/audit?limit=abc`,
        { token: people.admin },
        400,
        'validation-failed',
      ],
      [
        'forged cursor',
        'GET',
        `/tenants/${tenantId}/audit?cursor=${b64({ pk: 'TENANT#other', sk: 'EVENT#1' })}`,
        { token: people.admin },
        400,
        'validation-failed',
      ],
      ['garbage cursor', 'GET', `${grants}?cursor=%%%`, { token: people.admin }, 400, 'validation-failed'],
      ['bad status', 'GET', `${grants}?status=deleted`, { token: people.admin }, 400, 'validation-failed'],
      [
        'unknown query parameter',
        'GET',
        `${grants}?sort=asc`,
        { token: people.admin },
        400,
        'validation-failed',
      ],
      notFound('unknown grant', 'GET', `${grants}/${UNKNOWN_ID}`, { token: people.admin }),
      ['path traversal id', 'GET', `${grants}/..%2F..%2Fcontacts`, { token: people.admin }, 404, 'not-found'],
      notFound('revoke unknown grant', 'DELETE', `${grants}/${UNKNOWN_ID}`, { token: people.contact }),
      notFound('unknown contact', 'DELETE', `/tenants/${tenantId}/contacts/${UNKNOWN_ID}`, {
        token: people.admin,
      }),
      invalidContact('invalid phone', { phone: '12' }),
      invalidContact('invalid email', { email: 'not-an-email' }),
      invalidContact('blank name', { name: ' ' }),
      invalidContact('bad locale', { locale: 'fr' }),
      ...['Mars/Olympus', '+01:00', 'Europe/Berlinn', '', 'Europe/Berlin/../x'].map((timeZone) =>
        invalidContact(`time zone ${JSON.stringify(timeZone)}`, { timeZone }),
      ),
      invalidInstruction('unknown instruction kind', { kind: 'delete-everything', details: 'x' }),
      invalidInstruction('empty instruction details', { kind: 'other', details: '   ' }),
      invalidInstruction('oversized instruction details', { kind: 'other', details: 'x'.repeat(2001) }),
      notFound('unknown instruction', 'POST', `/tenants/${tenantId}/instructions/${UNKNOWN_ID}/confirm`, {
        token: people.contact,
      }),
      [
        'agent token with a tenant claim completes',
        'POST',
        `/tenants/${tenantId}/instructions/${UNKNOWN_ID}/complete`,
        { token: agentWithTenant, json: {} },
        403,
        'forbidden',
      ],
      invalidContact('flag as string', { canGrantAccess: 'true' }),
      [
        'existing contact',
        'POST',
        `/tenants/${tenantId}/contacts`,
        { token: people.admin, json: { name: 'n', email: `ADA@${tenantId}.example`, phone: '030 1234567' } },
        409,
        'contact-exists',
      ],
      [
        'verify with both',
        'POST',
        `/tenants/${tenantId}/contacts/verify`,
        { token: agent, json: { phone: '030 1234567', email: 'a@b.example' } },
        400,
        'validation-failed',
      ],
      [
        'verify with neither',
        'POST',
        `/tenants/${tenantId}/contacts/verify`,
        { token: agent, json: {} },
        400,
        'validation-failed',
      ],
      [
        'verify unparseable phone',
        'POST',
        `/tenants/${tenantId}/contacts/verify`,
        { token: agent, json: { phone: 'call me' } },
        400,
        'validation-failed',
      ],
      [
        'second active grant',
        'POST',
        grants,
        { token: people.contact2, json: { reason: 'r', durationSeconds: 600 } },
        409,
        'grant-already-active',
      ],
      ['unknown route', 'GET', `/tenants/${tenantId}/nothing`, { token: people.admin }, 404, 'not-found'],
    ];
    for (const [name, method, path, options, status, code] of cases) {
      const response = await call(method, path, options);
      expect({ name, status: response.status, code: response.body?.code }).toEqual({ name, status, code });
      expectProblem(response, status, code);
      if (code === 'validation-failed') expect(response.body.errors, name).toEqual(expect.any(Array));
    }
    const unknownField = await call('POST', grants, {
      token: people.contact,
      json: { reason: 'r', durationSeconds: 600, admin: true },
    });
    expect(unknownField.body.errors).toEqual([
      { path: 'admin', message: expect.stringContaining('Unknown field') },
    ]);
    expect(await changesOf(tenantId, people.admin)).toEqual(before);
  });

  it('decides 403 before validation, so a foreign tenant learns nothing', async () => {
    const a = await tenantWithPeople('a');
    const b = await tenantWithPeople('b');
    const before = await changesOf(b.tenantId, b.people.admin);
    const foreign: [string, string, unknown?][] = [
      ['GET', `/tenants/${b.tenantId}/contacts`],
      ['POST', `/tenants/${b.tenantId}/contacts`, { nonsense: true }],
      ['GET', `/tenants/${b.tenantId}/audit?limit=abc`],
      ['GET', `/tenants/${b.tenantId}/grants/does-not-exist`],
      ['POST', `/tenants/${b.tenantId}/grants`, { reason: '', durationSeconds: 'x' }],
      ['DELETE', `/tenants/${b.tenantId}/contacts/${b.contacts.contact.contactId}`],
    ];
    for (const token of [a.people.admin, a.people.contact]) {
      for (const [method, path, json] of foreign) {
        const response = await call(method, path, { token, json });
        expect({ path, status: response.status }).toEqual({ path, status: 403 });
        expectProblem(response, 403, 'forbidden');
        expect(response.text).not.toContain(b.contacts.contact.email);
      }
    }
    // Body limits come before authorization: an oversized body is 413 even for a foreign tenant.
    const big = await call('POST', `/tenants/${b.tenantId}/grants`, {
      token: a.people.contact,
      json: { reason: 'x'.repeat(20_000) },
    });
    expectProblem(big, 413, 'payload-too-large');
    expect(await changesOf(b.tenantId, b.people.admin)).toEqual(before);
  });

  it('403 for the wrong role, not-authorized-contact with how to get registered', async () => {
    const { tenantId, people } = await tenantWithPeople('roles');
    const agent = await agentToken();
    const staffWithTenant = await tokenFor({ email: 'x@vendor.example', tenantId, roles: ['support-agent'] });
    for (const token of [people.admin, people.readOnly, people.user]) {
      const response = await call('POST', `/tenants/${tenantId}/grants`, {
        token,
        json: { reason: 'r', durationSeconds: 600 },
      });
      expectProblem(response, 403, 'not-authorized-contact');
      expect(response.body.detail).toMatch(/register/i);
    }
    expectProblem(
      await call('POST', `/tenants/${tenantId}/grants`, {
        token: agent,
        json: { reason: 'r', durationSeconds: 600 },
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await call('GET', `/tenants/${tenantId}/contacts`, { token: people.contact }),
      403,
      'forbidden',
    );
    expectProblem(await call('GET', `/tenants/${tenantId}/audit`, { token: agent }), 403, 'forbidden');
    expectProblem(await call('GET', `/tenants/${tenantId}/grants`, { token: people.user }), 403, 'forbidden');
    expectProblem(
      await call('GET', `/tenants/${tenantId}/access`, { token: people.admin }),
      403,
      'forbidden',
    );
    expectProblem(await call('GET', '/access', { token: staffWithTenant }), 403, 'forbidden');
    expectProblem(await call('GET', '/access', { token: people.admin }), 403, 'forbidden');
  });

  it('emailed links that give support more power act only for their contact signed in; refused, nothing is used', async () => {
    const a = await tenantWithPeople('lnk');
    const ada = { email: a.contacts.contact.email, tenant_id: a.tenantId };
    const now = Math.floor(Date.now() / 1000);
    const created = await call('POST', `/tenants/${a.tenantId}/grants`, {
      token: a.people.contact2,
      json: { reason: 'links', durationSeconds: 900 },
    });
    expect(created.status).toBe(201);
    const link = (label: string) =>
      mailedLink(inject('sesUrl'), ada.email, 'Support access granted: links', label).then((l) => l.token);
    const extend = await link('Extend by 1 day');
    const view = await call('GET', `/actions/${extend}`);
    expect(view.body).toMatchObject({ action: 'extend', signInRequired: true });
    const refused: [string, string | undefined, number, string][] = [
      ['no token', undefined, 401, 'unauthenticated'],
      ['garbage', 'not-a-jwt', 401, 'unauthenticated'],
      ['other key', await signed(ada, { otherKey: true }), 401, 'unauthenticated'],
      ['expired', await signed(ada, { exp: now - 10 }), 401, 'unauthenticated'],
      ['wrong issuer', await signed(ada, { iss: 'https://evil.example' }), 401, 'unauthenticated'],
      ['wrong audience', await signed(ada, { aud: 'another-api' }), 401, 'unauthenticated'],
      ['another contact', a.people.contact2, 403, 'forbidden'],
      ['the tenant admin', a.people.admin, 403, 'forbidden'],
      ['a support agent', await agentToken(), 403, 'forbidden'],
      [
        "Ada's address in another tenant",
        await tokenFor({ email: ada.email, tenantId: `${a.tenantId}-x` }),
        403,
        'forbidden',
      ],
      [
        "Ada's address, unverified",
        await tokenFor({ email: ada.email, tenantId: a.tenantId, emailVerified: false }),
        403,
        'email-not-verified',
      ],
    ];
    const before = await changesOf(a.tenantId, a.people.admin);
    for (const [name, token, status, code] of refused) {
      const response = await call('POST', `/actions/${extend}`, { token });
      expect(response.status, name).toBe(status);
      expectProblem(response, status, code);
    }
    expect(await changesOf(a.tenantId, a.people.admin)).toEqual(before);
    expect((await call('GET', `/actions/${extend}`)).status).toBe(200);
    // Ada herself, her address in another case: extended, and the link is used.
    const adaUpper = await tokenFor({ email: ada.email.toUpperCase(), tenantId: a.tenantId });
    const extended = await call('POST', `/actions/${extend}`, { token: adaUpper });
    expect(extended.status, extended.text).toBe(200);
    expect(Date.parse(extended.body.expiresAt)).toBe(Date.parse(created.body.expiresAt) + 86_400_000);
    expectProblem(await call('POST', `/actions/${extend}`, { token: a.people.contact }), 410, 'link-used');
    // "End access now" is one click: no token needed, and one that would not verify is not looked at.
    const end = await link('End access now');
    expect((await call('GET', `/actions/${end}`)).body.signInRequired).toBe(false);
    const ended = await call('POST', `/actions/${end}`, { token: 'not-a-jwt' });
    expect(ended.status, ended.text).toBe(200);
    expect(ended.body).toMatchObject({ status: 'revoked', endedBy: ada.email });

    // An account deletion Bob asks for: Ada's "Confirm" needs Ada, "Reject" does not.
    const ask = async (t: typeof a) => {
      const asked = await call('POST', `/tenants/${t.tenantId}/instructions`, {
        token: t.people.contact2,
        json: { kind: 'account-deletion', details: 'delete it' },
      });
      expect(asked.status, asked.text).toBe(201);
      const subject = `Instruction given: account deletion (${t.tenantId})`;
      return {
        instructionId: asked.body.instructionId as string,
        confirm: (await mailedLink(inject('sesUrl'), t.contacts.contact.email, subject, 'Confirm')).token,
        reject: (await mailedLink(inject('sesUrl'), t.contacts.contact.email, subject, 'Reject')).token,
      };
    };
    const asked = await ask(a);
    expect((await call('GET', `/actions/${asked.confirm}`)).body.signInRequired).toBe(true);
    expectProblem(await call('POST', `/actions/${asked.confirm}`), 401, 'unauthenticated');
    expectProblem(
      await call('POST', `/actions/${asked.confirm}`, { token: a.people.contact2 }),
      403,
      'forbidden',
    );
    const pending = await call('GET', `/tenants/${a.tenantId}/instructions`, { token: a.people.admin });
    expect(pending.body.instructions[0]).toMatchObject({ status: 'pending-confirmation' });
    const confirmed = await call('POST', `/actions/${asked.confirm}`, { token: a.people.contact });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', confirmedBy: { email: ada.email } });
    const b = await tenantWithPeople('lnk');
    const other = await ask(b);
    const rejected = await call('POST', `/actions/${other.reject}`);
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body).toMatchObject({ instructionId: other.instructionId, status: 'rejected' });
  });

  it('answers an unknown tenant like an empty one', async () => {
    const agent = await agentToken();
    const tenantId = `nobody-${Date.now()}`;
    expect((await call('GET', `/tenants/${tenantId}/access`, { token: agent })).body).toMatchObject({
      access: false,
      grant: null,
    });
    expect((await call('GET', `/tenants/${tenantId}/grants`, { token: agent })).body).toEqual({
      grants: [],
      nextCursor: null,
    });
    const bad = await call('GET', '/tenants/has%20space/access', { token: agent });
    expectProblem(bad, 400, 'validation-failed');
  });
});
