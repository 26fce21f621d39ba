import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { ACT_PAGE } from '../functions/domain/console-urls.ts';
import { requestUrl } from './loopback.ts';
import { CONSOLE_CLIENT_ID, CONSOLE_SCOPES } from './oidc.ts';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The console may talk to itself (the API) and to the identity provider's token endpoint. */
function consoleHeaders(issuer: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${issuer}/token; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  };
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name === '.build-lock') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the console with Vite when its sources are newer than the last build. Several processes
 * may ask at once (the test suites, a running stack): a lock folder lets one build while the
 * others wait and then find the build fresh, so nobody serves a half-emptied build folder.
 */
export async function buildConsoleIfStale(log: (message: string) => void = () => {}): Promise<void> {
  const index = join(DIST, 'index.html');
  const fresh = async () => existsSync(index) && statSync(index).mtimeMs >= (await newestMtime(WEB));
  if (await fresh()) return;
  const lock = join(WEB, '.build-lock');
  const waitUntil = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A build that died left its lock: take it over after the longest a build takes.
      if (Date.now() > waitUntil) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (await fresh()) return;
    log('Building the admin console …');
    const { build } = await import('vite');
    await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Serves the console at `/` from its built files and its local configuration: sign-in with
 * authorization code + PKCE at the local OpenID provider (`issuer`), the same code path as with
 * Cognito's hosted UI in production. There is no other way to sign in.
 */
export function consoleHandler(issuer: string) {
  const headers = consoleHeaders(issuer);
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = requestUrl(req.url);
    if (!url) return false;
    const method = req.method ?? 'GET';
    if (url.pathname === '/config.json' && method === 'GET') {
      json(res, 200, {
        apiUrl: '',
        auth: {
          mode: 'oidc',
          authorizeUrl: `${issuer}/auth`,
          tokenUrl: `${issuer}/token`,
          clientId: CONSOLE_CLIENT_ID,
          scopes: CONSOLE_SCOPES,
        },
        claims: { roles: 'roles', tenant: 'tenant_id', email: 'email' },
      });
      return true;
    }
    if (method !== 'GET') return false;
    let relative: string;
    try {
      // The page of an emailed link (/act#<token>, and /act/<token> of older mails) is the
      // console itself, as in the stack.
      relative =
        url.pathname === '/' || url.pathname === ACT_PAGE || url.pathname.startsWith(`${ACT_PAGE}/`)
          ? 'index.html'
          : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return false; // malformed percent-encoding: not a file of ours
    }
    const file = normalize(join(DIST, relative));
    // Inside the build folder, not a sibling that shares its name as a prefix (dist-old/…).
    if (!file.startsWith(DIST + sep)) return false;
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': relative === 'index.html' ? 'no-cache' : 'public, max-age=300',
        ...headers,
      });
      res.end(body);
      return true;
    } catch {
      return false;
    }
  };
}
