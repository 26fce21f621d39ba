import diagnostics from 'node:diagnostics_channel';
import { describe, expect, inject, it } from 'vitest';
import { SCHEDULE_GROUP } from '../../local/stack.ts';
import { call, tokenFor, uniqueTenant } from '../support/api.ts';

/**
 * Node's fetch (undici) keeps a pool of kept-alive connections per origin and closes an idle one
 * by a timer, 2 s before the server's `Keep-Alive: timeout=N`. A timer runs only when the event
 * loop gets to it: a client whose loop is held up (synchronous work, a starved or suspended
 * process) past the moment the server closes its idle connections, and that sends as soon as it
 * goes on, writes into connections the server has closed: "other side closed", and the request
 * never reaches a handler. Clients that ignore the hint (Node's http.Agent, load balancers) need
 * no pause for that. Every local server keeps idle connections longer than such a client.
 */

const CONNECTIONS = 20;
const ROUNDS = 3;

type Answer = { status: number; keepAlive: string | null; body: string } | string;

/** The answer, or why there was none (the error's cause, as undici reports it). */
async function answer(url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    return {
      status: response.status,
      keepAlive: response.headers.get('keep-alive'),
      body: await response.text(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${cause?.code ?? (error as Error).name}: ${cause?.message ?? (error as Error).message}`;
  }
}

/** Holds the event loop as a busy process does: no timer fires, no socket event is read. */
const holdEventLoop = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Counts the requests sent on a connection that had carried one before, per origin. */
function countReuse() {
  const reused = new Map<string, number>();
  const used = new WeakSet<object>();
  const onSend = (message: unknown) => {
    const { request, socket } = message as { request: { origin: string }; socket: object };
    if (used.has(socket)) reused.set(request.origin, (reused.get(request.origin) ?? 0) + 1);
    used.add(socket);
  };
  diagnostics.subscribe('undici:client:sendHeaders', onSend);
  return { reused, stop: () => diagnostics.unsubscribe('undici:client:sendHeaders', onSend) };
}

/** A tenant with one contact who may grant access, and that contact's token. */
async function tenantWithContact() {
  const tenantId = uniqueTenant('keep-alive');
  const email = `ada@${tenantId}.example`;
  const admin = await tokenFor({ email: `admin@${tenantId}.example`, tenantId, roles: ['tenant-admin'] });
  const added = await call('POST', `/tenants/${tenantId}/contacts`, {
    token: admin,
    json: { name: 'Ada', email, phone: '+49 30 1234567' },
  });
  if (added.status !== 201) throw new Error(`adding the contact failed: ${added.status} ${added.text}`);
  return { tenantId, contact: await tokenFor({ email, tenantId }) };
}

const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

describe('kept-alive connections after an idle gap', () => {
  it('bursts on connections reused past the advertised keep-alive are answered, on every local server', {
    timeout: 120_000,
  }, async () => {
    const api = inject('apiUrl');
    const tenants = await Promise.all(times(CONNECTIONS, tenantWithContact));
    const grants = new Map<string, string>();
    const asContact = (tenant: (typeof tenants)[number]) => ({
      authorization: `Bearer ${tenant.contact}`,
      'content-type': 'application/json',
    });
    /** Odd rounds create a grant in every tenant, even rounds end it: each reaches a handler that writes. */
    const changeGrants = (round: number) =>
      tenants.map(async (tenant) => {
        if (round % 2 === 0)
          return answer(`${api}/tenants/${tenant.tenantId}/grants/${grants.get(tenant.tenantId)}`, {
            method: 'DELETE',
            headers: asContact(tenant),
          });
        const created = await answer(`${api}/tenants/${tenant.tenantId}/grants`, {
          method: 'POST',
          headers: asContact(tenant),
          body: JSON.stringify({ reason: 'kept-alive burst', durationSeconds: 3600 }),
        });
        if (typeof created !== 'string' && created.status === 201)
          grants.set(tenant.tenantId, JSON.parse(created.body).grantId);
        return created;
      });
    const ses = `${inject('sesUrl')}/health-check`;
    const scheduler = `${inject('schedulerUrl')}/schedule-groups/${SCHEDULE_GROUP}`;
    const oidc = `${inject('oidcUrl')}/.well-known/openid-configuration`;
    const events = `${inject('eventsUrl')}/health`;
    // Per server: a quick request that opens the pool's connections, the burst, and its status.
    const servers = [
      {
        origin: api,
        warm: `${api}/openapi.json`,
        burst: changeGrants,
        status: (round: number) => (round % 2 ? 201 : 200),
      },
      ...[ses, scheduler, oidc, events].map((url) => ({
        origin: new URL(url).origin,
        warm: url,
        burst: () => times(CONNECTIONS, () => answer(url)),
        status: () => 200,
      })),
    ];

    const reuse = countReuse();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const warmed: Answer[] = [];
        for (const server of servers)
          warmed.push(...(await Promise.all(times(CONNECTIONS, () => answer(server.warm)))));
        const hints = warmed.map((a) => (typeof a === 'string' ? a : a.keepAlive));
        const advertised = Math.max(...hints.map((h) => Number(/^timeout=(\d+)/.exec(h ?? '')?.[1])));
        expect(advertised, `every answer advertises its keep-alive: ${hints}`).toBeGreaterThan(0);
        // Every pooled connection idle and free; then the client handles an answer from another
        // server (DynamoDB Local) and is held up doing so: the burst goes out before the client's
        // own keep-alive timers run.
        await new Promise((resolve) => setImmediate(resolve));
        await answer(inject('dynamodbUrl'));
        reuse.reused.clear();

        // Node closes an idle connection 1 s after the timeout it advertises by default: 2 s past
        // it, such a client reuses connections that a server with Node's defaults has dropped.
        holdEventLoop((advertised + 2) * 1000);
        const answered = await Promise.all(servers.map((server) => Promise.all(server.burst(round))));

        expect(
          servers.map((server, i) => ({
            round,
            origin: server.origin,
            failed: answered[i]?.filter((a) => typeof a === 'string'),
            statuses: answered[i]?.map((a) => (typeof a === 'string' ? 0 : a.status)),
            // The burst went out on connections the pool had kept (not all of it on a busy
            // machine: undici closes a connection idle for 3 s before the pause begins).
            reused: (reuse.reused.get(server.origin) ?? 0) > 0,
          })),
        ).toEqual(
          servers.map((server) => ({
            round,
            origin: server.origin,
            failed: [],
            statuses: Array(CONNECTIONS).fill(server.status(round)),
            reused: true,
          })),
        );
      }
    } finally {
      reuse.stop();
    }
    expect((await call('GET', '/health')).status).toBe(200);
  });
});
