import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import type { HttpEvent, HttpResponse } from '../functions/http/handler.ts';
import { internalErrorResponse, problem, SECURITY_HEADERS } from '../functions/http/problems.ts';
import { type Route, routeKey, routes } from '../functions/http/routes.ts';
import { lambdaContext } from './child.ts';
import {
  FOREIGN_HOST_DETAIL,
  isLoopbackHost,
  keepIdleConnections,
  refuseForeignHost,
  requestUrl,
} from './loopback.ts';

export type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** API Gateway's own limit on a request body. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface Readiness {
  ready: boolean;
  components: Record<string, boolean>;
}

export interface GatewayOptions {
  port: number;
  /** Checks a bearer token as API Gateway's JWT authorizer does (see tokens.ts `jwtVerifier`). */
  verifyToken: (token: string) => Promise<JWTPayload>;
  /** Loads a route's Lambda handler (by its entry file). */
  loadHandler: (route: Route) => Promise<LambdaHandler>;
  readiness: () => Promise<Readiness>;
  /** Extra non-API responses (the console), tried before 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /**
   * Adds a `server-timing` header (the gateway's whole part, its token check and its function
   * call) to every API answer: where the gateway's own milliseconds go, for the benchmark. API
   * Gateway sends none.
   */
  timing?: boolean;
}

export interface Gateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

interface Match {
  route: Route;
  params: Record<string, string>;
}

/** Matches like API Gateway: the most specific route (most literal segments) wins. */
export function matchRoute(method: string, path: string): Match | { methodMismatch: boolean } {
  const segments = path.split('/').slice(1);
  let best: Match | null = null;
  let bestLiterals = -1;
  let pathMatched = false;
  for (const route of routes) {
    const pattern = route.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (const [i, part] of pattern.entries()) {
      const segment = segments[i] ?? '';
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) {
        if (segment === '') {
          ok = false;
          break;
        }
        try {
          params[name] = decodeURIComponent(segment);
        } catch {
          ok = false;
          break;
        }
      } else if (part === segment) {
        literals++;
      } else {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method && literals > bestLiterals) {
      best = { route, params };
      bestLiterals = literals;
    }
  }
  return best ?? { methodMismatch: pathMatched };
}

/** API Gateway's JWT authorizer hands claims to the function as strings; arrays as "[a b]". */
function authorizerClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (Array.isArray(value)) claims[key] = `[${value.join(' ')}]`;
    else if (value !== null && typeof value === 'object') claims[key] = JSON.stringify(value);
    else claims[key] = String(value);
  }
  return claims;
}

function send(res: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  for (const [key, value] of Object.entries(response.headers ?? {}))
    headers[key.toLowerCase()] = String(value);
  const body =
    response.body === undefined
      ? undefined
      : Buffer.from(response.body, response.isBase64Encoded ? 'base64' : 'utf8');
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(response.statusCode ?? 200, headers);
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BODY) {
        // Answer now; keep draining (and discarding) so the client reads the answer, not a reset.
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TEXTUAL =
  /^(application\/([a-z0-9.+-]*\+)?json|text\/|application\/x-www-form-urlencoded|application\/xml)/i;

/** Builds an API Gateway HTTP API payload 2.0 event. */
function toEvent(
  req: IncomingMessage,
  url: URL,
  match: Match,
  body: Buffer,
  claims: Record<string, string> | null,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const textual = TEXTUAL.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKey(match.route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(match.params).length ? { pathParameters: match.params } : {}),
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: match.route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKey(match.route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
    },
  } as HttpEvent;
}

function foreignHostProblem(): string {
  return problem('forbidden', FOREIGN_HOST_DETAIL).body ?? '';
}

/**
 * The local API Gateway: matches the route table, verifies the JWT as the production JWT
 * authorizer does (401 otherwise), and invokes the route's Lambda handler with a payload 2.0
 * event.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const handlerFor = (route: Route) => {
    let handler = handlers.get(route.name);
    if (!handler) {
      handler = options.loadHandler(route);
      handlers.set(route.name, handler);
    }
    return handler;
  };

  const server = createServer(async (req, res) => {
    const received = performance.now();
    try {
      if (refuseForeignHost(req, res, () => ['application/problem+json', foreignHostProblem()])) return;
      const url = requestUrl(req.url);
      const method = (req.method ?? 'GET').toUpperCase();
      if (!url) {
        send(res, problem('not-found', 'No such path.'));
        return;
      }
      const match = matchRoute(method, url.pathname);
      if (!('route' in match)) {
        if (options.fallback && (await options.fallback(req, res))) return;
        send(res, problem('not-found', `No route for ${method} ${url.pathname}.`));
        return;
      }
      if (match.route.name === 'health') {
        const readiness = await options.readiness();
        if (!readiness.ready) {
          send(res, {
            statusCode: 503,
            headers: { 'content-type': 'application/json', 'retry-after': '1' },
            body: JSON.stringify({ status: 'starting', components: readiness.components }),
          });
          return;
        }
      }
      let claims: Record<string, string> | null = null;
      const authStarted = performance.now();
      if (match.route.access !== 'public') {
        const authorization = req.headers.authorization ?? '';
        const token = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(authorization)?.[1];
        try {
          if (!token) throw new Error('missing');
          claims = authorizerClaims(await options.verifyToken(token));
        } catch {
          send(
            res,
            problem('unauthenticated', 'A valid bearer token is required (Authorization: Bearer <JWT>).'),
          );
          return;
        }
      }
      const body = await readBody(req);
      if (body === 'too-large') {
        res.setHeader('connection', 'close');
        send(res, problem('payload-too-large', 'The request body is too large.'));
        return;
      }
      const authMs = performance.now() - authStarted;
      const event = toEvent(req, url, match, body, claims);
      const handler = await handlerFor(match.route);
      const invokeStarted = performance.now();
      const answer = await handler(
        event,
        lambdaContext(match.route.name, 29_000, event.requestContext.requestId),
      );
      if (options.timing) {
        const answered = performance.now();
        res.setHeader(
          'server-timing',
          `gateway;dur=${(answered - received).toFixed(2)}, auth;dur=${authMs.toFixed(2)}, invoke;dur=${(answered - invokeStarted).toFixed(2)}`,
        );
      }
      send(res, answer);
    } catch (error) {
      console.error('gateway error', (error as Error).message);
      if (!res.headersSent) send(res, internalErrorResponse());
      else res.end();
    }
  });
  keepIdleConnections(server);
  // CONNECT never reaches the request handler; without an answer Node drops the connection.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const answer = isLoopbackHost(req.headers.host)
      ? problem('not-found', 'This API does not open tunnels.')
      : problem('forbidden', FOREIGN_HOST_DETAIL);
    const body = answer.body ?? '';
    socket.end(
      `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode ?? 500]}\r\n` +
        `content-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
