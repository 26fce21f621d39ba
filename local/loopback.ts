import type { IncomingMessage, ServerResponse } from 'node:http';

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
