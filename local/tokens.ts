import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { localEnv } from './env.ts';

/**
 * The local identity provider's key (ES256, kept under the data folder), its issuer and the
 * audience of its ID tokens (the console's client id, as with Cognito). The provider itself is
 * `oidc.ts`; `npm run token` signs with the same key, so its tokens pass the same checks.
 */
export const LOCAL_AUDIENCE = 'support-access-console';
const ALGORITHM = 'ES256';
const issuerFile = (dataDir: string) => join(dataDir, 'keys', 'issuer');

/** The issuer of the stack that last started on this data folder (else the default port's). */
export async function localIssuer(dataDir: string): Promise<string> {
  try {
    return (await readFile(issuerFile(dataDir), 'utf8')).trim();
  } catch {
    return `http://127.0.0.1:${localEnv().oidcPort}`;
  }
}

export async function rememberIssuer(dataDir: string, issuer: string): Promise<void> {
  await mkdir(join(dataDir, 'keys'), { recursive: true });
  await writeFile(issuerFile(dataDir), `${issuer}\n`);
}

type Key = Awaited<ReturnType<typeof importJWK>>;

export interface LocalKeys {
  privateKey: Key;
  publicKey: Key;
  /** The signing key as a JWK, for the local OpenID provider's key set. */
  privateJwk: JWK & { kid: string; alg: string };
  kid: string;
  issuer: string;
}

const keyFile = (dataDir: string) => join(dataDir, 'keys', 'signing-key.jwk.json');

/** Loads the signing key, generating it on first use. */
export async function localKeys(dataDir: string): Promise<LocalKeys> {
  const file = keyFile(dataDir);
  if (!existsSync(file)) {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true });
    const jwk = {
      ...(await exportJWK(pair.privateKey)),
      kid: `local-${Date.now().toString(36)}`,
      alg: ALGORITHM,
    };
    await mkdir(join(dataDir, 'keys'), { recursive: true });
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' }).catch((error) => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
  }
  const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK & { kid: string };
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateJwk: { ...jwk, alg: ALGORITHM, use: 'sig' },
    issuer: await localIssuer(dataDir),
    privateKey: await importJWK(jwk, ALGORITHM),
    publicKey: await importJWK(publicJwk, ALGORITHM),
    kid: jwk.kid,
  };
}

/** The secret that signs list cursors locally, generated on first start and kept like the signing key. */
export async function localCursorKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'keys', 'cursor-key');
  await mkdir(join(dataDir, 'keys'), { recursive: true });
  await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch((error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

export interface TokenClaims {
  email: string;
  tenantId?: string | undefined;
  roles?: string[] | undefined;
  sub?: string | undefined;
  ttlSeconds?: number | undefined;
  /** Whether the email is verified; true unless said otherwise. */
  emailVerified?: boolean | undefined;
}

export async function signToken(keys: LocalKeys, claims: TokenClaims): Promise<string> {
  const payload: JWTPayload = {
    email: claims.email,
    email_verified: claims.emailVerified ?? true,
    roles: claims.roles ?? [],
  };
  if (claims.tenantId) payload.tenant_id = claims.tenantId;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.sub ?? `local|${claims.email.toLowerCase()}`)
    .setIssuer(keys.issuer)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(keys.privateKey);
}

/**
 * What API Gateway's JWT authorizer does: finds the issuer's keys through its discovery document
 * and JWKS, then checks the signature (algorithm pinned), issuer, audience, expiry and
 * not-before. Anything else (alg none, HS256 with the public key, another key) fails.
 */
export async function jwtVerifier(issuer: string): Promise<(token: string) => Promise<JWTPayload>> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    issuer: string;
    jwks_uri: string;
  };
  if (discovery.issuer !== issuer) throw new Error(`the identity provider names itself ${discovery.issuer}`);
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  return verifiedOnce(async (token) => {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [ALGORITHM],
      issuer,
      audience: LOCAL_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    return payload;
  });
}

/** Tokens kept verified at most (the oldest half goes when full). */
const VERIFIED_MAX = 10_000;

/**
 * A token's signature, issuer and audience never change: once verified it is taken again until
 * its expiry (checked every time, as is not-before) without the signature check, which was a
 * millisecond of every request through the local gateway. The cache lives as long as the
 * process, whose keys do not change meanwhile.
 */
export function verifiedOnce(
  verify: (token: string) => Promise<JWTPayload>,
): (token: string) => Promise<JWTPayload> {
  const verified = new Map<string, JWTPayload>();
  return async (token) => {
    const now = Date.now() / 1000;
    const known = verified.get(token);
    if (known && typeof known.exp === 'number' && known.exp > now && (known.nbf ?? 0) <= now) return known;
    verified.delete(token);
    const payload = await verify(token);
    if (verified.size >= VERIFIED_MAX)
      for (const old of [...verified.keys()].slice(0, VERIFIED_MAX / 2)) verified.delete(old);
    verified.set(token, payload);
    return payload;
  };
}
