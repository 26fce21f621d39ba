import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/** Local stand-in for the production identity provider: one ES256 key kept under the data folder. */
export const LOCAL_ISSUER = 'https://auth.support-access.local';
export const LOCAL_AUDIENCE = 'support-access-api';
const ALGORITHM = 'ES256';

type Key = Awaited<ReturnType<typeof importJWK>>;

export interface LocalKeys {
  privateKey: Key;
  publicKey: Key;
  kid: string;
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
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(keys.privateKey);
}

/**
 * What API Gateway's JWT authorizer checks: signature with the pinned algorithm, issuer,
 * audience, expiry and not-before. Anything else (alg none, HS256 with the public key) fails.
 */
export async function verifyToken(keys: LocalKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, {
    algorithms: [ALGORITHM],
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    requiredClaims: ['sub', 'exp'],
  });
  return payload;
}
