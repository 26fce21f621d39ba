import type { Principal } from '../domain/authorization.ts';
import { claimsConfig } from '../wiring/config.ts';

type Claims = Record<string, unknown>;

/**
 * API Gateway's JWT authorizer hands claims over as strings: an array claim arrives as
 * "[a b]". Accept that, a real array, and comma- or space-separated text.
 */
export function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  let text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
    } catch {
      // API Gateway's own "[a b]" form, not JSON.
    }
    text = text.slice(1, -1);
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

/** API Gateway hands a boolean claim over as the string "true". Anything else is not verified. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function claimString(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The caller from verified claims, or null when the token said nothing usable. */
export function principalFromClaims(claims: Claims | undefined): Principal | null {
  if (!claims) return null;
  const names = claimsConfig();
  const sub = claimString(claims.sub);
  if (!sub) return null;
  return {
    sub,
    email: claimString(claims[names.EMAIL_CLAIM]),
    tenantId: claimString(claims[names.TENANT_CLAIM]),
    roles: claimList(claims[names.ROLES_CLAIM]),
    emailVerified: isTrue(claims[names.EMAIL_VERIFIED_CLAIM]),
  };
}
