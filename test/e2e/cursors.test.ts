import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentToken, call, tenantWithPeople } from '../support/api.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every list route, as its caller reads it, and a real cursor it issued. */
async function lists() {
  const { tenantId, people } = await tenantWithPeople('cursors');
  const other = await tenantWithPeople('cursors-other');
  const agent = await agentToken();
  for (const t of [
    { tenantId, token: people.contact },
    { tenantId: other.tenantId, token: other.people.contact },
  ]) {
    const created = await call('POST', `/tenants/${t.tenantId}/grants`, {
      token: t.token,
      json: { reason: 'paging', durationSeconds: 3600 },
    });
    expect(created.status).toBe(201);
  }
  // An ended grant too, so the tenant's grant list has two pages of one.
  const active = await call('GET', `/tenants/${tenantId}/grants?status=active`, { token: people.admin });
  await call('DELETE', `/tenants/${tenantId}/grants/${active.body.grants[0].grantId}`, {
    token: people.contact,
  });
  await call('POST', `/tenants/${tenantId}/grants`, {
    token: people.contact,
    json: { reason: 'again', durationSeconds: 3600 },
  });
  const routes = [
    { path: `/tenants/${tenantId}/grants`, token: people.admin },
    { path: `/tenants/${tenantId}/audit`, token: people.admin },
    { path: '/access', token: agent },
  ];
  const issued: string[] = [];
  for (const route of routes) {
    const page = await call('GET', `${route.path}?limit=1`, { token: route.token });
    expect(page.status, route.path).toBe(200);
    expect(page.body.nextCursor, route.path).toEqual(expect.any(String));
    issued.push(page.body.nextCursor);
    const next = await call(
      'GET',
      `${route.path}?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`,
      {
        token: route.token,
      },
    );
    expect(next.status, `${route.path} follows its own cursor`).toBe(200);
  }
  const otherAudit = await call('GET', `/tenants/${other.tenantId}/audit?limit=1`, {
    token: other.people.admin,
  });
  return { routes, issued, foreignCursor: otherAudit.body.nextCursor as string };
}

describe('every cursor the server did not issue is 400 validation-failed, on every list route', () => {
  it('crafted cursors: unsigned keys, the empty-prefix index key, another list’s, another tenant’s, edited', async () => {
    const { routes, issued, foreignCursor } = await lists();
    const crafted = [
      b64({ gsi1pk: 'ACTIVE', gsi1sk: '', pk: 'TENANT#', sk: 'GRANT#' }),
      `${b64({ gsi1pk: 'ACTIVE', gsi1sk: '0', pk: 'TENANT#x', sk: 'GRANT#x' })}.${'A'.repeat(22)}`,
      b64({ pk: 'TENANT#other', sk: 'EVENT#1' }),
      foreignCursor,
      ...issued,
      `${issued[0]?.split('.')[0]}x.${issued[0]?.split('.')[1]}`,
      'A'.repeat(5000),
    ];
    for (const [i, route] of routes.entries()) {
      for (const cursor of crafted) {
        if (cursor === issued[i]) continue;
        const response = await call('GET', `${route.path}?cursor=${encodeURIComponent(cursor)}`, {
          token: route.token,
        });
        expect([route.path, cursor.slice(0, 40), response.status, response.body?.code]).toEqual([
          route.path,
          cursor.slice(0, 40),
          400,
          'validation-failed',
        ]);
        expect(response.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
      }
    }
  });

  it('random cursors', async () => {
    const { routes } = await lists();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
          fc.base64String({ minLength: 1 }),
        ),
        async (route, cursor) => {
          const response = await call('GET', `${route.path}?cursor=${encodeURIComponent(cursor)}`, {
            token: route.token,
          });
          expect(response.status).toBe(400);
          expect(response.body.code).toBe('validation-failed');
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});
