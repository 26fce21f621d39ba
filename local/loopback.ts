import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Host names that reach this machine's loopback interface, with an optional port. A request
 * naming any other host reached a local server through DNS rebinding (a web page whose name
 * now points at 127.0.0.1) or by mistake, and is refused: our local servers hand out tokens
 * and show mail with one-click links.
 */
const LOOPBACK_HOST = /^(localhost|127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\])(?::\d{1,5})?$/i;

export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Answers 403 and returns true when the request's Host is not a loopback name. */
export function refuseForeignHost(
  req: IncomingMessage,
  res: ServerResponse,
  body: () => [string, string],
): boolean {
  if (isLoopbackHost(req.headers.host)) return false;
  const [type, text] = body();
  res.writeHead(403, { 'content-type': type, 'cache-control': 'no-store', connection: 'close' });
  res.end(text);
  return true;
}

/**
 * Answers 403 and returns true when a web page of another origin sent the request: browsers send
 * simple cross-origin requests (a form post, a `text/plain` fetch) without asking first, so CORS
 * alone does not keep a page from changing an emulator's state (its mail, its quota, its
 * schedules). Tools that are no browser (the SDK, curl) send no `Origin`.
 */
export function refuseCrossOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  body: () => [string, string],
): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const sameOrigin = origin === undefined || origin === `http://${req.headers.host}`;
  if (sameOrigin && (site === undefined || site === 'same-origin' || site === 'none')) return false;
  const [type, text] = body();
  res.writeHead(403, { 'content-type': type, 'cache-control': 'no-store', connection: 'close' });
  res.end(text);
  return true;
}

export const CROSS_ORIGIN_DETAIL = 'This local server takes no requests from web pages of other origins.';

export const FOREIGN_HOST_DETAIL =
  'This local server answers only requests addressed to 127.0.0.1, localhost or [::1].';

/**
 * The request target as a URL on this server, or null when it is not a path (`//x`, `http://…`
 * proxy form, `*`): such a target names no route and must never be read as another host.
 */
export function requestUrl(target: string | undefined): URL | null {
  if (!target?.startsWith('/')) return null;
  try {
    const url = new URL(`http://127.0.0.1${target}`);
    return url.host === '127.0.0.1' ? url : null;
  } catch {
    return null;
  }
}

/**
 * Every local server keeps an idle kept-alive connection 65 s, telling clients 5 s (Node's
 * `Keep-Alive: timeout=5`). A request written into a connection the server is closing never
 * reaches a handler, so the server gives up last: after clients that honour the hint (undici
 * closes 2 s early by a timer, but a client whose event loop was held up sends before that timer
 * runs) and after those that ignore it (Node's http.Agent under the AWS SDK; load balancers, 60 s).
 */
export const IDLE_CONNECTION = { keepAliveTimeout: 5_000, keepAliveTimeoutBuffer: 60_000 } as const;

export function keepIdleConnections<S extends Server>(server: S): S {
  return Object.assign(server, IDLE_CONNECTION);
}

/**
 * The request's body (at most `limit` bytes kept; `size` counts all that came), or null when the
 * client went away mid-body: that request is dropped and answered no more, the server goes on (an
 * unread `aborted` would reject outside any handler and take the whole local stack down).
 */
export async function readRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit = Number.POSITIVE_INFINITY,
): Promise<{ body: Buffer; size: number } | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= limit) chunks.push(chunk as Buffer);
    }
  } catch {
    res.destroy();
    return null;
  }
  return { body: Buffer.concat(chunks), size };
}
