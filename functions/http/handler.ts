import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type Authorized, authorize, type Principal } from '../domain/authorization.ts';
import type { Clock } from '../domain/clock.ts';
import type { Contact } from '../domain/contact.ts';
import { DomainError, NotFoundError, UnauthenticatedError, ValidationError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import { parseStrictJson } from '../domain/json-text.ts';
import type { Deps, SchedulingDeps } from '../use-cases/deps.ts';
import type * as z from '../validation/zod.ts';
import { appDeps } from '../wiring/app.ts';
import { logger } from '../wiring/observability.ts';
import { principalFromClaims } from './claims.ts';
import { errorToProblem, internalErrorResponse, SECURITY_HEADERS } from './problems.ts';
import { type Route, type RouteName, route as routeNamed, type routes } from './routes.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 16 * 1024;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type AnyRoute = (typeof routes)[number];
type RouteNamed<N extends RouteName> = Extract<AnyRoute, { name: N }>;
type Parsed<S> = S extends () => infer T ? (T extends z.ZodMiniType ? z.infer<T> : undefined) : undefined;
type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParams<Rest>
  : never;
type NeedsScheduler<R> = R extends { needs: { schedules: readonly unknown[] } } ? true : false;

/** The dependencies a route's code gets: the Scheduler only where its entry needs schedules. */
export type DepsOf<R> = NeedsScheduler<R> extends true ? SchedulingDeps : Deps;

/** A request to route `R`, parsed and authorized: its types follow from the route's entry. */
export interface HttpRequest<R extends AnyRoute> {
  route: Route;
  requestId: string;
  /** When the request was received: the `now` of deadline bounds. */
  receivedAt: Date;
  /** For `authorized-contact` routes the caller's contact record is always there. */
  auth: R['access'] extends 'authorized-contact' | 'instructing-contact'
    ? Authorized & { contact: Contact }
    : Authorized;
  params: Record<PathParams<R['path']>, string>;
  tenantId: 'tenantId' extends PathParams<R['path']> ? string : null;
  headers: Record<string, string>;
  body: R extends { body: infer S } ? Parsed<S> : undefined;
  query: R extends { query: infer S } ? Parsed<S> : undefined;
}

export interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body that is not JSON, sent as it is (its content-type in `headers`). */
  raw?: string;
}

/** What the middlewares learn about one request, kept in middy's `request.internal`. */
interface RequestState extends Record<string, unknown> {
  startedAt?: number;
  receivedAt?: Date;
  principal?: Principal;
  rawBody?: string;
  auth?: Authorized;
  input?: { body: unknown; query: unknown; tenantId: string | null };
  result?: HttpResponse;
}
type Req = Request<HttpEvent, HttpResponse, Error, Context, RequestState>;
type Middleware = MiddlewareObj<HttpEvent, HttpResponse, Error, Context, RequestState>;

/** Problems, security headers and the one log line per request. */
function respond(route: Route, clock: () => Clock): Middleware {
  const finish = (request: Req, response: HttpResponse) => {
    request.response = { ...response, headers: { ...SECURITY_HEADERS, ...response.headers } };
    logger.info('request', {
      correlationId: request.event.requestContext?.requestId,
      route: route.name,
      tenantId: request.event.pathParameters?.tenantId,
      status: response.statusCode,
      durationMs: Date.now() - (request.internal.startedAt ?? Date.now()),
    });
  };
  return {
    before: (request) => {
      request.internal.startedAt = Date.now();
      request.internal.receivedAt = clock().now();
    },
    after: (request) => finish(request, request.response ?? internalErrorResponse()),
    onError: (request) => {
      let response = errorToProblem(request.error);
      if (!response) {
        logger.error('unhandled error', {
          correlationId: request.event.requestContext?.requestId,
          route: route.name,
          error:
            request.error instanceof Error
              ? { name: request.error.name, message: request.error.message, stack: request.error.stack }
              : String(request.error),
        });
        response = internalErrorResponse();
      }
      finish(request, response);
    },
  };
}

/** 401 before anything else. API Gateway verified the token; here we read its claims. */
function authenticate(route: Route): Middleware {
  return {
    before: (request) => {
      if (route.access === 'public') return;
      const principal = principalFromClaims(request.event.requestContext?.authorizer?.jwt?.claims);
      if (!principal) throw new UnauthenticatedError();
      request.internal.principal = principal;
    },
  };
}

/** 413 and 415 next, for routes that take a body. */
function bodyLimits(route: Route): Middleware {
  return {
    before: (request) => {
      if (!route.body) return;
      const { body, isBase64Encoded, headers } = request.event;
      const raw =
        body === undefined ? '' : isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
        throw new DomainError(
          'payload-too-large',
          `The request body must not exceed ${MAX_BODY_BYTES} bytes.`,
        );
      }
      const contentType = headerValue(headers, 'content-type');
      if (!isJsonMediaType(contentType)) {
        throw new DomainError('unsupported-media-type', 'Send the request body as application/json (UTF-8).');
      }
      request.internal.rawBody = raw;
    },
  };
}

/** 403 before any validation or lookup, so nothing about another tenant leaks. */
function authorizeRoute(route: Route, deps: () => Deps): Middleware {
  return {
    before: async (request) => {
      const tenantId = request.event.pathParameters?.tenantId ?? null;
      const principal = request.internal.principal;
      if (route.access === 'public' || !principal) {
        request.internal.auth = {
          principal: { sub: '', email: null, tenantId: null, roles: [], emailVerified: false },
          contact: null,
        };
        return;
      }
      request.internal.auth = await authorize(route.access, principal, tenantId, (t, email) =>
        TENANT_ID.test(t) ? deps().contacts.findContactByEmail(t, email) : Promise.resolve(null),
      );
    },
  };
}

/** 400 for everything about the input itself. */
function parseInput(route: Route): Middleware {
  return {
    before: (request) => {
      const tenantId = request.event.pathParameters?.tenantId ?? null;
      if (tenantId !== null && !TENANT_ID.test(tenantId)) {
        throw ValidationError.field('tenantId', 'tenantId must be 1–64 letters, digits, ".", "_" or "-".');
      }
      const query = validate(route.query?.(), request.event.queryStringParameters ?? {}, 'query');
      let body: unknown;
      if (route.body) {
        const raw = request.internal.rawBody ?? '';
        if (raw.trim() === '') throw ValidationError.field('', 'A JSON request body is required.');
        const parsed = parseStrictJson(raw);
        if (!parsed.ok) throw ValidationError.field('', parsed.detail);
        body = validate(route.body(), parsed.value, 'body');
      }
      // An id that cannot be one of ours names nothing: 404, as an unknown one would.
      for (const [name, what] of [
        ['grantId', 'Grant'],
        ['contactId', 'Contact'],
        ['instructionId', 'Instruction'],
      ] as const) {
        const id = request.event.pathParameters?.[name];
        if (id !== undefined && !ID_PATTERN.test(id)) throw new NotFoundError(what);
      }
      request.internal.input = { body, query, tenantId };
    },
  };
}

function validate(schema: z.ZodMiniType | undefined, value: unknown, where: 'body' | 'query'): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...issue.path, key].join('.'),
        message: `Unknown ${where === 'body' ? 'field' : 'query parameter'} "${key}".`,
      }));
    }
    return [{ path: issue.path.join('.'), message: issue.message }];
  });
  const detail = `The request ${where} is not valid: ${errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`;
  throw new ValidationError(detail, errors);
}

function headerValue(
  headers: Record<string, string | undefined> | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...parameters] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type ?? '')) return false;
  return parameters.every(
    (p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"',
  );
}

export function json(status: number, body?: unknown, headers: Record<string, string> = {}): Result {
  return { status, body, headers };
}

/**
 * Runs the route's code once every check has passed. It is the last middleware, so the request
 * state is at hand in `request.internal`; its result becomes the response in its `after`, which
 * runs before the log line of `respond`.
 */
function invoke<R extends AnyRoute>(
  route: Route,
  impl: (request: HttpRequest<R>, deps: DepsOf<R>) => Promise<Result>,
  deps: () => DepsOf<R>,
): Middleware {
  return {
    before: async (request) => {
      const result = await impl(parsedRequest<R>(route, request), deps());
      request.internal.result =
        result.raw !== undefined
          ? { statusCode: result.status, headers: { ...result.headers }, body: result.raw }
          : result.body === undefined
            ? { statusCode: result.status, headers: { ...result.headers } }
            : {
                statusCode: result.status,
                headers: { 'content-type': 'application/json', ...result.headers },
                body: JSON.stringify(result.body),
              };
    },
    after: (request) => {
      request.response = request.internal.result ?? null;
    },
  };
}

/**
 * The parse boundary: what the middlewares validated, typed as the route's request. The only
 * cast of the HTTP layer lives here: the body and query were parsed by this very route's
 * schemas, the path's parameters were matched by its path, and `authorize` returned a contact
 * for `authorized-contact` routes or threw.
 */
function parsedRequest<R extends AnyRoute>(route: Route, request: Req): HttpRequest<R> {
  const { input, auth, receivedAt } = request.internal;
  if (!input || !auth || !receivedAt) throw new Error('A request reached the route before its checks.');
  if ((route.access === 'authorized-contact' || route.access === 'instructing-contact') && !auth.contact)
    throw new Error('No contact was authorized.');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.event.headers ?? {})) {
    if (value !== undefined) headers[key.toLowerCase()] = value;
  }
  const parsed = {
    route,
    requestId: request.event.requestContext?.requestId ?? '',
    receivedAt,
    auth,
    params: { ...request.event.pathParameters },
    tenantId: input.tenantId,
    headers,
    body: input.body,
    query: input.query,
  };
  return parsed as HttpRequest<R>;
}

/**
 * A Lambda handler for one route of the table: authentication, body limits, authorization and
 * validation in the documented order (docs/api.md, "Order of checks"), then the route's code,
 * then the response. The request's types and the dependencies follow from the route's entry; a
 * route whose entry needs schedules must be given the scheduling wiring.
 */
export function httpHandler<N extends RouteName>(
  name: N,
  impl: (request: HttpRequest<RouteNamed<N>>, deps: DepsOf<RouteNamed<N>>) => Promise<Result>,
  ...wiring: NeedsScheduler<RouteNamed<N>> extends true ? [deps: () => SchedulingDeps] : [deps?: () => Deps]
) {
  const route = routeNamed(name);
  const deps = (wiring[0] ?? appDeps) as () => DepsOf<RouteNamed<N>>;
  return middy<HttpEvent, HttpResponse, Error, Context, RequestState>()
    .use(respond(route, () => deps().clock))
    .use(authenticate(route))
    .use(bodyLimits(route))
    .use(authorizeRoute(route, deps))
    .use(parseInput(route))
    .use(invoke(route, impl, deps))
    .handler(async (): Promise<HttpResponse> => ({}));
}
