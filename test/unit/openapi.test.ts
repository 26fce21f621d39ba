import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_DETAILS, EVENT_TYPES } from '../../functions/domain/event-types.ts';
import { openApiDocument, openApiJson } from '../../functions/http/openapi.ts';
import { routes } from '../../functions/http/routes.ts';
import * as z from '../../functions/validation/zod.ts';

describe('OpenAPI document', () => {
  it('is committed as generated (run `npm run openapi` after changing routes or schemas)', () => {
    expect(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')).toBe(openApiJson());
  });

  it('has every route of the table', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    for (const route of routes) expect(paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
  });

  it('rejects unknown body fields in its schemas', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { requestBody?: unknown }>>;
    const create = paths['/tenants/{tenantId}/grants']?.post?.requestBody as {
      content: { 'application/json': { schema: { additionalProperties: boolean } } };
    };
    expect(create.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('gives the audit log’s events one shape per event type, each with the details its type declares', () => {
    const paths = openApiDocument().paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    const ok = paths['/tenants/{tenantId}/audit']?.get?.responses['200'] as {
      content: { 'application/json': { schema: { properties: { events: { items: { oneOf: Branch[] } } } } } };
    };
    type Branch = { properties: { type: { const: string }; details: unknown } };
    const branches = ok.content['application/json'].schema.properties.events.items.oneOf;
    expect(branches.map((b) => b.properties.type.const)).toEqual(EVENT_TYPES);
    for (const [i, type] of EVENT_TYPES.entries()) {
      const { $schema: _, ...details } = z.toJSONSchema(EVENT_DETAILS[type], { io: 'output' }) as Record<
        string,
        unknown
      >;
      expect(branches[i]?.properties.details, type).toEqual(details);
    }
  });
});
