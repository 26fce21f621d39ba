import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '../../web/src/api.ts';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fake `fetch` that records each request and answers from the list, in order. */
function serve(...answers: (() => Response)[]): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    sent.push({
      url,
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: init.body as string | undefined,
    });
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed');
    return answer();
  });
  return sent;
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console’s API client', () => {
  const api = new Api('https://api.example', () => 'the-token');

  it('fills the route’s path with encoded parameters and sends the query it was given', async () => {
    const sent = serve(
      json(200, { grants: [], nextCursor: null }),
      json(200, { events: [], nextCursor: null }),
    );
    await api.activeGrant('acme/1 ?');
    await api.audit('acme', undefined);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET https://api.example/tenants/acme%2F1%20%3F/grants?status=active&limit=1',
      'GET https://api.example/tenants/acme/audit?limit=20',
    ]);
    expect(sent[0]?.headers.authorization).toBe('Bearer the-token');
  });

  it('sends a JSON body with its content type, and the idempotency key of a grant', async () => {
    const sent = serve(json(201, { grantId: 'g1' }));
    const grant = await api.createGrant('acme', { reason: 'Ticket', durationSeconds: 86_400 }, 'key-1');
    expect(grant.grantId).toBe('g1');
    expect(sent[0]).toMatchObject({
      url: 'https://api.example/tenants/acme/grants',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
      body: '{"reason":"Ticket","durationSeconds":86400}',
    });
  });

  it('answers null for an empty body and sends no token when it has none', async () => {
    const sent = serve(() => new Response(null, { status: 204 }));
    const signedOut = new Api('https://api.example', () => null);
    expect(await signedOut.removeContact('acme', 'c 1')).toBeNull();
    expect(sent[0]).toMatchObject({
      method: 'DELETE',
      url: 'https://api.example/tenants/acme/contacts/c%201',
    });
    expect(sent[0]?.headers.authorization).toBeUndefined();
  });

  it('turns a problem document into an ApiError with its status, code and detail', async () => {
    serve(json(409, { code: 'grant-already-active', detail: 'Support already has access.' }));
    const failure = await api.createGrant('acme', { reason: 'x', durationSeconds: 60 }, 'k').catch((e) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({
      status: 409,
      code: 'grant-already-active',
      message: 'Support already has access.',
    });
  });

  it('names the status when the failure is no problem document, and the network when nothing answered', async () => {
    serve(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(api.contacts('acme')).rejects.toMatchObject({
      status: 502,
      code: 'error',
      message: 'Request failed (502).',
    });
    serve();
    await expect(api.contacts('acme')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('joins every page of the audit export, following x-next-cursor', async () => {
    const sent = serve(
      () => new Response('{"n":1}\n', { headers: { 'x-next-cursor': 'c/2' } }),
      () => new Response('{"n":2}\n'),
    );
    expect(await api.exportAudit('acme')).toBe('{"n":1}\n{"n":2}\n');
    expect(sent.map((s) => s.url)).toEqual([
      'https://api.example/tenants/acme/audit/export',
      'https://api.example/tenants/acme/audit/export?cursor=c%2F2',
    ]);
  });

  it('decides an instruction on the route of its decision', async () => {
    const sent = serve(json(200, {}), json(200, {}));
    await api.decideInstruction('acme', 'i1', 'confirm');
    await api.decideInstruction('acme', 'i1', 'reject');
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST https://api.example/tenants/acme/instructions/i1/confirm',
      'POST https://api.example/tenants/acme/instructions/i1/reject',
    ]);
  });
});
