import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionLink, assertLinkPerson, needsSignIn } from '../../functions/domain/action-link.ts';
import type { Principal } from '../../functions/domain/authorization.ts';
import { bearerPrincipal, jwksVerifier, type TokenVerifier } from '../../functions/http/bearer.ts';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'console-client';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let server: Server;
let keys: Keys;
let stranger: Keys;
let verify: TokenVerifier;
let jwksUrl: string;

beforeAll(async () => {
  keys = await generateKeyPair('ES256');
  stranger = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  verify = jwksVerifier({ issuer: ISSUER, audience: [AUDIENCE], jwksUrl });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function token(
  claims: JWTPayload = {},
  options: { key?: Keys; issuer?: string; audience?: string; expires?: string } = {},
) {
  return new SignJWT({ email: 'bob@acme.test', email_verified: true, tenant_id: 'acme', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('sub-bob')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign((options.key ?? keys).privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a bearer token the function checks itself, as the JWT authorizer does', () => {
  it('reads the caller of a valid token, and nobody without a header', async () => {
    expect(await bearerPrincipal(`Bearer ${await token()}`, verify)).toEqual({
      sub: 'sub-bob',
      email: 'bob@acme.test',
      tenantId: 'acme',
      roles: [],
      emailVerified: true,
    });
    expect(await bearerPrincipal(undefined, verify)).toBeNull();
    expect(await bearerPrincipal('', verify)).toBeNull();
  });

  it('refuses with 401 every token the authorizer would refuse', async () => {
    const good = await token();
    const [header, payload] = good.split('.');
    const refused = [
      'Basic Ym9iOnB3',
      good,
      `Bearer ${await token({}, { expires: '-1m' })}`,
      `Bearer ${await token({}, { issuer: 'https://other.example' })}`,
      `Bearer ${await token({}, { audience: 'someone-else' })}`,
      `Bearer ${await token({}, { key: stranger })}`,
      `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `Bearer ${b64({ alg: 'HS256', kid: 'k1' })}.${payload}.${'A'.repeat(43)}`,
      `Bearer ${header}.${b64({ sub: 'sub-bob', email: 'ada@acme.test', iss: ISSUER, aud: AUDIENCE, exp: 9e9 })}.${good.split('.')[2]}`,
      'Bearer not-a-jwt',
    ];
    for (const authorization of refused)
      await expect(bearerPrincipal(authorization, verify), authorization.slice(0, 40)).rejects.toMatchObject({
        code: 'unauthenticated',
      });
  });

  it("fails as the server's fault, not the caller's, when the issuer's keys are out of reach", async () => {
    const unreachable = jwksVerifier({
      issuer: ISSUER,
      audience: [AUDIENCE],
      jwksUrl: 'http://127.0.0.1:9/jwks',
    });
    const error = await bearerPrincipal(`Bearer ${await token()}`, unreachable).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).not.toBe('unauthenticated');
  });
});

describe('which links need their person, and who that is', () => {
  const link = { tenantId: 'acme', action: 'extend' } as ActionLink;
  const bob: Principal = {
    sub: 's',
    email: 'Bob@Acme.test',
    tenantId: 'acme',
    roles: [],
    emailVerified: true,
  };
  const code = (caller: Principal | null) => {
    try {
      assertLinkPerson(link, 'bob@acme.test', caller);
      return 'ok';
    } catch (error) {
      return (error as { code: string }).code;
    }
  };

  it('extend and confirm give support more power; end and reject take it away', () => {
    expect(needsSignIn('extend')).toBe(true);
    expect(needsSignIn('confirm-instruction')).toBe(true);
    expect(needsSignIn('end')).toBe(false);
    expect(needsSignIn('reject-instruction')).toBe(false);
  });

  it('is the contact by verified email (any case) in the link’s tenant', () => {
    expect(code(bob)).toBe('ok');
    expect(code(null)).toBe('unauthenticated');
    expect(code({ ...bob, email: 'ada@acme.test' })).toBe('forbidden');
    expect(code({ ...bob, tenantId: 'other' })).toBe('forbidden');
    expect(code({ ...bob, tenantId: null, roles: ['support-agent'] })).toBe('forbidden');
    expect(code({ ...bob, emailVerified: false })).toBe('email-not-verified');
    expect(code({ ...bob, email: null })).toBe('email-not-verified');
  });
});
