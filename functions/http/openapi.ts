import * as z from '../validation/zod.ts';
import { PROBLEMS } from './problems.ts';
import { Problem, RESPONSES } from './response-schemas.ts';
import { type Route, routes } from './routes.ts';

/** Each error status with the problem codes it carries, from the one problem table. */
const ERROR_STATUSES: Record<string, string> = {};
for (const [code, { status }] of Object.entries(PROBLEMS)) {
  const codes = ERROR_STATUSES[status];
  ERROR_STATUSES[status] = codes ? `${codes}, ${code}` : code;
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
  const problemStatuses = route.access === 'public' ? [] : Object.keys(ERROR_STATUSES);
  for (const status of problemStatuses) {
    if (!route.body && (status === '413' || status === '415')) continue;
    if (status === '422' && route.name !== 'createGrant') continue;
    responses[status] = {
      description: ERROR_STATUSES[status],
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
    },
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
