import middy, { type MiddlewareObj, type Request } from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type Authorized, authorize, type Principal } from '../domain/authorization.ts';
import { DomainError, NotFoundError, UnauthenticatedError, ValidationError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/ids.ts';
import type { Deps } from '../use-cases/deps.ts';
import type * as z from '../validation/zod.ts';
import { appDeps, logger } from '../wiring/app.ts';
import { principalFromClaims } from './claims.ts';
import { parseStrictJson } from './json.ts';
import { errorToProblem, internalErrorResponse, SECURITY_HEADERS } from './problems.ts';
import { type Route, type RouteName, route as routeNamed } from './routes.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 16 * 1024;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface HttpRequest<Body = unknown, Query = Record<string, string | undefined>> {
  route: Route;
  requestId: string;
  /** When the request was received: the `now` of deadline bounds. */
  receivedAt: Date;
  auth: Authorized;
  params: Record<string, string>;
  tenantId: string | null;
  headers: Record<string, string>;
  body: Body;
  query: Query;
}

export interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Impl<B, Q> = (request: HttpRequest<B, Q>, deps: Deps) => Promise<Result>;

interface RequestState {
  startedAt: number;
  receivedAt: Date;
  principal: Principal | null;
  rawBody: string | null;
  auth?: Authorized;
  input?: { body: unknown; query: unknown; tenantId: string | null };
}
type Req = Request<HttpEvent, HttpResponse, Error, Context>;

/** Per-request state, keyed by the event object the handler also receives. */
const states = new WeakMap<HttpEvent, RequestState>();
const state = (request: Req): RequestState => states.get(request.event) as RequestState;

/** Problems, security headers and the one log line per request. */
function respond(route: Route, deps: () => Deps): MiddlewareObj<HttpEvent, HttpResponse> {
  const finish = (request: Req) => {
    const response = request.response as HttpResponse;
    response.headers = { ...SECURITY_HEADERS, ...response.headers };
    logger.info('request', {
      correlationId: request.event.requestContext?.requestId,
      route: route.name,
      tenantId: request.event.pathParameters?.tenantId,
      status: response.statusCode,
      durationMs: Date.now() - (states.get(request.event)?.startedAt ?? Date.now()),
    });
  };
  return {
    before: (request) => {
      states.set(request.event, {
        startedAt: Date.now(),
        receivedAt: deps().clock.now(),
        principal: null,
        rawBody: null,
      });
    },
    after: (request) => finish(request as Req),
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
      request.response = response;
      finish(request as Req);
    },
  };
}

/** 401 before anything else. API Gateway verified the token; here we read its claims. */
function authenticate(route: Route): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: (request) => {
      if (route.access === 'public') return;
      const principal = principalFromClaims(request.event.requestContext?.authorizer?.jwt?.claims);
      if (!principal) throw new UnauthenticatedError();
      state(request as Req).principal = principal;
    },
  };
}

/** 413 and 415 next, for routes that take a body. */
function bodyLimits(route: Route): MiddlewareObj<HttpEvent, HttpResponse> {
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
      state(request as Req).rawBody = raw;
    },
  };
}

/** 403 before any validation or lookup, so nothing about another tenant leaks. */
function authorizeRoute(route: Route, deps: () => Deps): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: async (request) => {
      const current = state(request as Req);
      const tenantId = request.event.pathParameters?.tenantId ?? null;
      if (route.access === 'public') {
        current.auth = { principal: { sub: '', email: null, tenantId: null, roles: [] }, contact: null };
        return;
      }
      const principal = current.principal as Principal;
      current.auth = await authorize(route.access, principal, tenantId, (t, email) =>
        TENANT_ID.test(t) ? deps().store.findContactByEmail(t, email) : Promise.resolve(null),
      );
    },
  };
}

/** 400 for everything about the input itself. */
function parseInput(route: Route): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    before: (request) => {
      const current = state(request as Req);
      const tenantId = request.event.pathParameters?.tenantId ?? null;
      if (tenantId !== null && !TENANT_ID.test(tenantId)) {
        throw ValidationError.field('tenantId', 'tenantId must be 1–64 letters, digits, ".", "_" or "-".');
      }
      const query = validate(route.query, request.event.queryStringParameters ?? {}, 'query');
      let body: unknown;
      if (route.body) {
        const raw = current.rawBody ?? '';
        if (raw.trim() === '') throw ValidationError.field('', 'A JSON request body is required.');
        const parsed = parseStrictJson(raw);
        if (!parsed.ok) throw ValidationError.field('', parsed.detail);
        body = validate(route.body, parsed.value, 'body');
      }
      // An id that cannot be one of ours names nothing: 404, as an unknown one would.
      for (const [name, what] of [
        ['grantId', 'Grant'],
        ['contactId', 'Contact'],
      ] as const) {
        const id = request.event.pathParameters?.[name];
        if (id !== undefined && !ID_PATTERN.test(id)) throw new NotFoundError(what);
      }
      current.input = { body, query, tenantId };
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
 * A Lambda handler for one route of the table: authentication, body limits, authorization and
 * validation in the documented order (docs/api.md, "Order of checks"), then the use case, then the response.
 */
export function httpHandler<B = unknown, Q = Record<string, string | undefined>>(
  name: RouteName,
  impl: Impl<B, Q>,
  deps: () => Deps = appDeps,
) {
  const route = routeNamed(name);
  return middy<HttpEvent, HttpResponse, Error, Context>()
    .use(respond(route, deps))
    .use(authenticate(route))
    .use(bodyLimits(route))
    .use(authorizeRoute(route, deps))
    .use(parseInput(route))
    .handler(async (event): Promise<HttpResponse> => {
      const current = states.get(event) as RequestState;
      const input = current.input as NonNullable<RequestState['input']>;
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(event.headers ?? {})) {
        if (value !== undefined) headers[key.toLowerCase()] = value;
      }
      const result = await impl(
        {
          route,
          requestId: event.requestContext?.requestId ?? '',
          receivedAt: current.receivedAt,
          auth: current.auth as Authorized,
          params: (event.pathParameters ?? {}) as Record<string, string>,
          tenantId: input.tenantId,
          headers,
          body: input.body as B,
          query: input.query as Q,
        },
        deps(),
      );
      if (result.body === undefined) return { statusCode: result.status, headers: { ...result.headers } };
      return {
        statusCode: result.status,
        headers: { 'content-type': 'application/json', ...result.headers },
        body: JSON.stringify(result.body),
      };
    });
}
