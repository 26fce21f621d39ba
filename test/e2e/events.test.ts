import { readFile } from 'node:fs/promises';
import { describe, expect, inject, it } from 'vitest';
import { EventDataSchema } from '../../functions/domain/event-types.ts';
import type { DeliveredEvent } from '../../local/events-emulator.ts';
import { call, tenantWithPeople } from '../support/api.ts';
import { until } from '../support/until.ts';

const busEvents = async () =>
  (await (await fetch(`${inject('eventsUrl')}/events`)).json()) as DeliveredEvent[];

describe("the vendor's event bus on npm start", () => {
  it('carries a grant and its revocation to the bus within 5 s, each as the published EventData', async () => {
    const { tenantId, people } = await tenantWithPeople('bus');
    const t = `/tenants/${tenantId}`;
    const created = await call('POST', `${t}/grants`, {
      token: people.contact,
      json: { reason: 'Session on the bus', durationSeconds: 3600 },
    });
    expect(created.status).toBe(201);
    const grantId = created.body.grantId as string;
    expect((await call('DELETE', `${t}/grants/${grantId}`, { token: people.contact })).status).toBe(200);
    const revokedAt = Date.now();

    const ours = (events: DeliveredEvent[]) =>
      events.filter((e) => (e.detail as { grantId?: string }).grantId === grantId);
    const seen = ours(
      await until(
        busEvents,
        (events) => ours(events).some((e) => e['detail-type'] === 'grant.revoked'),
        5000,
      ),
    );
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    expect(seen.map((e) => e['detail-type'])).toEqual(['grant.created', 'grant.revoked']);
    for (const event of seen) {
      expect(event).toMatchObject({ version: '0', source: 'support-access', account: expect.any(String) });
      const detail = EventDataSchema.parse(event.detail);
      expect(detail).toMatchObject({ tenantId, grantId, type: event['detail-type'] });
      expect(event.time).toBe(detail.at.replace(/\.\d{3}Z$/, 'Z'));
    }
    // The audit log holds the same events: the bus carries their ids and instants.
    const audit = await call('GET', `${t}/audit?limit=50`, { token: people.admin });
    const logged = audit.body.events.filter((e: { grantId: string | null }) => e.grantId === grantId);
    for (const event of seen) {
      const detail = event.detail as { eventId: string; at: string; type: string };
      expect(logged).toContainEqual(
        expect.objectContaining({ eventId: detail.eventId, at: detail.at, type: detail.type }),
      );
    }
    // Nothing about mail goes out.
    await until(
      async () =>
        (await call('GET', `${t}/audit?limit=50`, { token: people.admin })).body.events as { type: string }[],
      (events) => events.some((e) => e.type === 'notification.sent'),
      30_000,
    );
    expect((await busEvents()).some((e) => e['detail-type'].startsWith('notification.'))).toBe(false);
  });

  it('publishes the JSON Schema of EventData without sign-in, as committed in docs/', async () => {
    const response = await call('GET', '/events.schema.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      JSON.parse(await readFile(new URL('../../docs/events.schema.json', import.meta.url), 'utf8')),
    );
  });
});
