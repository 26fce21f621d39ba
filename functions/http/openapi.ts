import type { ProblemCode } from '../domain/errors.ts';
import * as z from '../validation/zod.ts';
import { PROBLEMS } from './problems.ts';
import { Problem, RESPONSES } from './response-schemas.ts';
import { type Route, routes } from './routes.ts';

/** Each error status with the problem codes it carries, from the one problem table. */
function errorStatuses(codes: readonly ProblemCode[]): Record<string, string> {
  const statuses: Record<string, string> = {};
  for (const code of codes) {
    const status = PROBLEMS[code].status;
    const known = statuses[status];
    statuses[status] = known ? `${known}, ${code}` : code;
  }
  return statuses;
}
const ERROR_STATUSES = errorStatuses(Object.keys(PROBLEMS) as ProblemCode[]);

/**
 * What a public route refuses with: every one refuses an unknown query parameter; the emailed
 * links what docs/api.md lists for them (a token that names no usable link, a contact no longer
 * allowed, and for acting the sign-in of extend and confirm and the state of grant or instruction).
 */
const LINK_REFUSALS: ProblemCode[] = ['not-found', 'link-used', 'link-expired', 'not-authorized-contact'];
const PUBLIC_PROBLEMS: Record<string, readonly ProblemCode[]> = {
  viewActionLink: LINK_REFUSALS,
  useActionLink: [
    ...LINK_REFUSALS,
    'unauthenticated',
    'forbidden',
    'email-not-verified',
    'four-eyes-required',
    'grant-not-active',
    'instruction-not-pending',
  ],
};

function publicErrorStatuses(route: Route): Record<string, string> {
  return errorStatuses(['validation-failed', ...(PUBLIC_PROBLEMS[route.name] ?? [])]);
}

function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function operation(route: Route) {
  const parameters: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = route.query
    ? (jsonSchema(route.query(), 'input') as { properties?: Record<string, unknown> })
    : {};
  for (const [name, schema] of Object.entries(query.properties ?? {})) {
    parameters.push({ name, in: 'query', required: false, schema });
  }
  for (const header of route.headers ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: { type: 'string' },
    });
  }
  const responses: Record<string, unknown> = {
    [route.success.status]: route.success.schema
      ? {
          description: 'Success',
          content: { 'application/json': { schema: jsonSchema(RESPONSES[route.success.schema], 'output') } },
        }
      : { description: 'Success' },
  };
  const statuses = route.access === 'public' ? publicErrorStatuses(route) : ERROR_STATUSES;
  for (const [status, codes] of Object.entries(statuses)) {
    if (!route.body && (status === '413' || status === '415')) continue;
    if (status === '422' && route.name !== 'createGrant') continue;
    responses[status] = {
      description: codes,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: route.name,
    summary: route.summary,
    'x-access': route.access,
    ...(route.access === 'public' ? { security: route.verifiesSignIn ? [{}, { bearer: [] }] : [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body(), 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Support access grants',
      version: '1.0.0',
      description:
        'Time-limited support access that ends by itself. Errors are RFC 9457 problem documents with a stable `code`.',
      // The vendor's own service: no licence is granted to its API beyond using it.
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      {
        url: '{apiUrl}',
        description: 'The deployed API (the stack’s `ApiUrl` output) or the local runtime',
        variables: {
          apiUrl: { default: 'http://127.0.0.1:3000', description: 'The API’s base URL, no trailing slash' },
        },
      },
    ],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: jsonSchema(Problem, 'output') },
    },
  };
}

export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
