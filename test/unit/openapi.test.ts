import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiJson } from '../../functions/http/openapi.ts';
import { routes } from '../../functions/http/routes.ts';

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
});
