import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Principal } from '../domain/authorization.ts';
import { UnauthenticatedError } from '../domain/errors.ts';
import { signInConfig } from '../wiring/config.ts';
import { principalFromClaims } from './claims.ts';

/**
 * A bearer token checked by the function itself, as API Gateway's JWT authorizer checks it on
 * every other route: signature against the issuer's key set (asymmetric algorithms only, the
 * key chosen by `kid`), issuer, audience, expiry and not-before. Used where the authorizer
 * cannot sit because the route must also answer without a token (emailed links).
 */
export type TokenVerifier = (token: string) => Promise<JWTPayload>;

const ALGORITHMS = ['RS256', 'ES256'];

export function jwksVerifier(config: { issuer: string; audience: string[]; jwksUrl: string }): TokenVerifier {
  // Keys are fetched once and kept (refetched when a token names an unknown `kid`).
  const keys = createRemoteJWKSet(new URL(config.jwksUrl));
  return async (token) =>
    (
      await jwtVerify(token, keys, {
        algorithms: ALGORITHMS,
        issuer: config.issuer,
        audience: config.audience,
        requiredClaims: ['sub', 'exp'],
      })
    ).payload;
}

let verifier: TokenVerifier | undefined;

/** The verifier of this function's configuration, made once per cold start. */
function configuredVerifier(): TokenVerifier {
  if (!verifier) {
    const config = signInConfig();
    verifier = jwksVerifier({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      jwksUrl: config.JWT_JWKS_URL,
    });
  }
  return verifier;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * The caller of a request's `Authorization` header: null without one; 401 for anything else
 * that is not a valid token of the issuer.
 */
export async function bearerPrincipal(
  authorization: string | undefined,
  verify: TokenVerifier = configuredVerifier(),
): Promise<Principal | null> {
  if (authorization === undefined || authorization.trim() === '') return null;
  const token = BEARER.exec(authorization.trim())?.[1];
  let claims: JWTPayload;
  try {
    if (!token) throw new Error('not a bearer token');
    claims = await verify(token);
  } catch (error) {
    // The issuer's key set out of reach is our failure (500), not the caller's.
    if (error instanceof errors.JWKSTimeout || (token && !(error instanceof errors.JOSEError))) throw error;
    throw new UnauthenticatedError('The bearer token is not valid: sign in again.');
  }
  const principal = principalFromClaims(claims);
  if (!principal) throw new UnauthenticatedError('The bearer token is not valid: sign in again.');
  return principal;
}
