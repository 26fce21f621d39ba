import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalKeys, localKeys, signToken, type TokenClaims } from '../../local/tokens.ts';

let keys: Promise<LocalKeys> | undefined;

export function stackKeys(): Promise<LocalKeys> {
  keys ??= localKeys(inject('dataDir'));
  return keys;
}

export async function tokenFor(claims: TokenClaims): Promise<string> {
  return signToken(await stackKeys(), claims);
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = any>(
  method: string,
  path: string,
  options: {
    token?: string | undefined;
    json?: unknown;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${inject('apiUrl')}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export const uniqueTenant = (label = 't') => `${label}-${randomUUID().slice(0, 8)}`;

/** A tenant with an admin, two granting contacts, one read-only contact and a plain user. */
export async function tenantWithPeople(label = 't') {
  const tenantId = uniqueTenant(label);
  const domain = `${tenantId}.example`;
  const people = {
    admin: await tokenFor({ email: `admin@${domain}`, tenantId, roles: ['tenant-admin'] }),
    contact: await tokenFor({ email: `ada@${domain}`, tenantId }),
    contact2: await tokenFor({ email: `bob@${domain}`, tenantId }),
    readOnly: await tokenFor({ email: `ro@${domain}`, tenantId }),
    user: await tokenFor({ email: `eve@${domain}`, tenantId }),
  };
  const contacts: Record<string, any> = {};
  for (const [key, email, extra] of [
    ['contact', `ada@${domain}`, { locale: 'en' }],
    ['contact2', `bob@${domain}`, { locale: 'de' }],
    ['readOnly', `ro@${domain}`, { canGrantAccess: false, locale: 'en' }],
  ] as const) {
    const response = await call('POST', `/tenants/${tenantId}/contacts`, {
      token: people.admin,
      json: { name: key, email, phone: '+49 30 1234567', ...extra },
    });
    if (response.status !== 201)
      throw new Error(`seeding contact failed: ${response.status} ${response.text}`);
    contacts[key] = response.body;
  }
  return { tenantId, domain, people, contacts };
}

export async function agentToken(): Promise<string> {
  return tokenFor({ email: 'agent@vendor.example', roles: ['support-agent'] });
}

type Event = { type: string; grantId: string | null; details: any; actor: string };

/** The tenant's whole audit log, newest first, following every page. */
export async function auditOf(tenantId: string, admin: string): Promise<Event[]> {
  const events: Event[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await call('GET', `/tenants/${tenantId}/audit?limit=100${query}`, { token: admin });
    if (response.status !== 200) throw new Error(`audit read failed: ${response.status} ${response.text}`);
    events.push(...response.body.events);
    cursor = response.body.nextCursor;
  } while (cursor);
  return events;
}

/** The audit log without the notifier's own events, which arrive asynchronously. */
export async function changesOf(tenantId: string, admin: string) {
  return (await auditOf(tenantId, admin)).filter((e) => !e.type.startsWith('notification.'));
}
