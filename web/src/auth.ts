/**
 * Sign-in: OIDC authorization code + PKCE against the configured issuer — Cognito's hosted UI
 * or another provider in production, the local OpenID provider under `npm start`; one code path.
 * The ID token is kept in sessionStorage only until it expires.
 */
export interface ConsoleConfig {
  apiUrl: string;
  auth:
    | { mode: 'none' }
    | {
        mode: 'oidc';
        authorizeUrl: string;
        tokenUrl: string;
        logoutUrl?: string;
        clientId: string;
        scopes: string[];
      };
  claims: { roles: string; tenant: string; email: string };
}

export interface Session {
  token: string;
  email: string;
  tenantId: string | null;
  roles: string[];
  expiresAt: number;
}

const TOKEN_KEY = 'support-access.token';
const PKCE_KEY = 'support-access.pkce';

function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .replace(/^\[|\]$/g, '')
      .split(/[\s,]+/)
      .filter(Boolean);
  return [];
}

export function sessionFrom(token: string, config: ConsoleConfig): Session | null {
  try {
    const claims = decodeClaims(token);
    const expiresAt = Number(claims.exp) * 1000;
    if (!Number.isFinite(expiresAt) || expiresAt <= Date.now()) return null;
    return {
      token,
      email: String(claims[config.claims.email] ?? ''),
      tenantId:
        typeof claims[config.claims.tenant] === 'string' ? (claims[config.claims.tenant] as string) : null,
      roles: list(claims[config.claims.roles]),
      expiresAt,
    };
  } catch {
    return null;
  }
}

export function storedSession(config: ConsoleConfig): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const session = token ? sessionFrom(token, config) : null;
  if (!session) sessionStorage.removeItem(TOKEN_KEY);
  return session;
}

export function keepSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  // Forget it the moment it expires.
  setTimeout(
    () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.reload();
    },
    Math.max(0, session.expiresAt - Date.now()),
  );
}

export function forgetSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error('The console configuration (/config.json) is missing.');
  return response.json();
}

// ---- OIDC authorization code + PKCE ------------------------------------------------------------

function randomString(bytes = 32): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function startOidcSignIn(
  config: Extract<ConsoleConfig['auth'], { mode: 'oidc' }>,
): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(config.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${location.origin}/`,
    scope: config.scopes.join(' '),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** Finishes a sign-in when the issuer sent the browser back with a code; returns the ID token. */
export async function finishOidcSignIn(
  config: Extract<ConsoleConfig['auth'], { mode: 'oidc' }>,
): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? '{}') as { verifier?: string; state?: string };
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', '/');
  if (!saved.verifier || saved.state !== params.get('state'))
    throw new Error('The sign-in could not be verified; please try again.');
  const response = await fetch(config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: `${location.origin}/`,
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error('The sign-in failed at the identity provider; please try again.');
  return ((await response.json()) as { id_token: string }).id_token;
}
