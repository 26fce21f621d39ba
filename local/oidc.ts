import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { FOREIGN_HOST_DETAIL, keepIdleConnections, refuseForeignHost } from './loopback.ts';
import { DEMO_USERS } from './seed.ts';
import type { LocalKeys } from './tokens.ts';

/** The console's client at the local provider (public: authorization code + PKCE). */
export const CONSOLE_CLIENT_ID = 'support-access-console';
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'];

export interface OidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

export interface OidcOptions {
  port: number;
  keys: LocalKeys;
  /** Origins the console is served from: its sign-in returns there, and only they may call the token endpoint. */
  consoleOrigins: string[];
}

type DemoUserId = keyof typeof DEMO_USERS;
const isDemoUser = (id: string): id is DemoUserId => Object.hasOwn(DEMO_USERS, id);

function claimsOf(id: DemoUserId) {
  const user = DEMO_USERS[id];
  return {
    sub: `local|${user.email}`,
    email: user.email,
    email_verified: true,
    name: user.label,
    ...('tenantId' in user ? { tenant_id: user.tenantId } : {}),
    roles: user.roles,
  };
}

type Payload = Record<string, unknown> & { uid?: string; userCode?: string; grantId?: string };

/**
 * The provider's store for sessions, interactions, codes and grants: in this process's memory,
 * like the library's own quick-start store (sign-ins do not outlive a restart), expiring entries
 * on time.
 */
class LocalStore {
  private static readonly entries = new Map<string, { payload: Payload; expiresAt: number }>();

  constructor(private readonly model: string) {}

  private key(id: string) {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: Payload, expiresIn?: number) {
    LocalStore.entries.set(this.key(id), {
      payload,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
    });
  }

  async find(id: string): Promise<Payload | undefined> {
    const entry = LocalStore.entries.get(this.key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      LocalStore.entries.delete(this.key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string) {
    return this.findWhere((p) => p.uid === uid);
  }

  async findByUserCode(userCode: string) {
    return this.findWhere((p) => p.userCode === userCode);
  }

  private async findWhere(test: (payload: Payload) => boolean) {
    for (const [key, entry] of LocalStore.entries)
      if (key.startsWith(`${this.model}:`) && test(entry.payload))
        return this.find(key.slice(this.model.length + 1));
    return undefined;
  }

  async consume(id: string) {
    const payload = await this.find(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string) {
    LocalStore.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string) {
    for (const [key, entry] of LocalStore.entries)
      if (entry.payload.grantId === grantId) LocalStore.entries.delete(key);
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page of the provider; its form may lead (through redirects) back to the console only. */
function page(res: ServerResponse, html: string, returnTo: string[]) {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${returnTo.join(' ')}`,
    'x-frame-options': 'DENY',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local)</title>
<style>body{font:16px system-ui;margin:3rem auto;max-width:32rem}button{display:block;width:100%;margin:.5rem 0;padding:.8rem;font:inherit;text-align:left}</style>
</head><body>${html}</body></html>`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID Connect provider (`oidc-provider`, certified) for local sign-in: it knows the
 * demo users and signs their ID tokens with the local key. The console signs in with
 * authorization code + PKCE against it exactly as against Cognito; the gateway verifies its
 * tokens through discovery and JWKS. Its login page lists the demo users (local only).
 */
export async function startOidcProvider(options: OidcOptions): Promise<OidcProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: options.consoleOrigins.map((origin) => `${origin}/`),
        response_types: ['code'],
        grant_types: ['authorization_code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    adapter: LocalStore,
    jwks: { keys: [options.keys.privateJwk] },
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => {
      const id = (Object.keys(DEMO_USERS) as DemoUserId[]).find((u) => claimsOf(u).sub === sub);
      return id ? { accountId: sub, claims: () => claimsOf(id) } : undefined;
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'tenant_id', 'roles'],
    },
    // The API reads the ID token, as with Cognito: the scopes' claims belong in it.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: (_ctx, origin) => options.consoleOrigins.includes(origin),
    ttl: {
      IdToken: 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Session: 3600,
      Interaction: 600,
      Grant: 3600,
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!match) return false;
    const details = await provider.interactionDetails(req, res);
    if (match[2] && req.method === 'POST') {
      const user = (await readForm(req)).get('user') ?? '';
      if (!isDemoUser(user)) {
        res.writeHead(400).end('Unknown user.');
        return true;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: claimsOf(user).sub } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return true;
    }
    if (details.prompt.name === 'consent') {
      // Our own console: consent is implied, as with Cognito's hosted UI.
      const grant = new provider.Grant({
        accountId: String(details.session?.accountId),
        clientId: String(details.params.client_id),
      });
      grant.addOIDCScope(CONSOLE_SCOPES.join(' '));
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        {
          mergeWithLastSubmission: true,
        },
      );
      return true;
    }
    const buttons = (Object.keys(DEMO_USERS) as DemoUserId[])
      .map(
        (id) =>
          `<button name="user" value="${id}">${escapeHtml(DEMO_USERS[id].label)} — ${escapeHtml(DEMO_USERS[id].email)}</button>`,
      )
      .join('');
    page(
      res,
      `<h1>Sign in to support access (local)</h1><p>Choose a demo user:</p><form method="post" action="/interaction/${escapeHtml(details.uid)}/login">${buttons}</form>`,
      options.consoleOrigins,
    );
    return true;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      if (refuseForeignHost(req, res, () => ['text/plain; charset=utf-8', FOREIGN_HOST_DETAIL])) return;
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (path.startsWith('/interaction/') && (await interaction(req, res, path))) return;
      callback(req, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Sign-in failed: ${(error as Error).message}`);
    }
  });
  keepIdleConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  if (port !== options.port) throw new Error('the identity provider did not get its port');
  return {
    issuer,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
