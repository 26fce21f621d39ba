import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { describe, expect, inject, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients.ts';
import { contactItem } from '../../functions/adapters/dynamodb/items.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { emailKey } from '../../functions/domain/contact.ts';
import { type Route, routes as routeTable } from '../../functions/http/routes.ts';
import { localEnv } from '../../local/env.ts';
import { matchRoute } from '../../local/gateway.ts';
import { requestUrl } from '../../local/loopback.ts';
import { agentToken, call, changesOf, tenantWithPeople, tokenFor, uniqueTenant } from '../support/api.ts';
import { emails, mailedLink } from '../support/mail.ts';
import { rawHttp } from '../support/raw-http.ts';
import { localDynamoClient } from '../support/table.ts';
import { until } from '../support/until.ts';

const CODES = new Set([
  'validation-failed',
  'unauthenticated',
  'forbidden',
  'not-authorized-contact',
  'not-found',
  'grant-already-active',
  'grant-not-active',
  'contact-exists',
  'contact-limit-reached',
  'webhook-limit-reached',
  'webhook-test-pending',
  'concurrent-modification',
  'idempotency-key-reused',
  'payload-too-large',
  'unsupported-media-type',
  'email-not-verified',
  'link-used',
  'link-expired',
  'no-active-grant',
]);

/**
 * Sends raw bytes exactly as given (no JSON re-encoding), with any headers, on a fresh
 * connection: a kept-alive socket closed by the server just as it is reused would otherwise
 * fail on the client's side and hide what the server answered.
 */
async function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  // The path as a browser or fetch sends it: percent-encoded and with dot segments resolved.
  const url = new URL(path, inject('apiUrl'));
  const response = await rawHttp(url.origin, `${url.pathname}${url.search}`, { method, headers, body });
  let json: any = null;
  try {
    json = JSON.parse(response.body);
  } catch {}
  const type = response.headers['content-type'];
  return { status: response.status, type: typeof type === 'string' ? type : null, json, text: response.body };
}

function expectCleanRejection(
  r: { status: number; type: string | null; json: any; text: string },
  label: string,
) {
  expect(r.status, `${label}: ${r.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(r.status, label).toBeLessThan(500);
  expect(r.type, label).toBe('application/problem+json');
  expect(CODES.has(r.json?.code), `${label}: code ${r.json?.code}`).toBe(true);
  expect(r.text, label).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+|Exception:/);
}

/** A small seeded PRNG, so a failing fuzz run can be replayed exactly. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const routes: readonly Route[] = routeTable;

const UNICODE = ['\u0000', '\u202e', '\u200b', '\ufeff', '😀', 'ü', 'İ', '\u0301', '\\ud800', '\ud83d'];
const HOSTILE_IDS = [
  '..',
  '%2e%2e',
  '..%2F..%2Fcontacts',
  '%00',
  'a'.repeat(400),
  "' OR '1'='1",
  '%F0%9F%98%80',
  '%ZZ',
  'GRANT%23x',
  'null',
];

describe('hostile input', () => {
  it('a corpus of malformed requests on every route: zero 5xx, a problem document each, nothing written', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('hostile');
    const agent = await agentToken();
    const grant = await call('POST', `/tenants/${tenantId}/grants`, {
      token: people.contact,
      json: { reason: 'base', durationSeconds: 900 },
    });
    // Changes, not the chain's sealing of events already there (a long corpus outlasts its settling).
    const unsealed = async () =>
      (await changesOf(tenantId, people.admin)).map((e) => ({ ...e, hash: undefined }));
    const before = await unsealed();
    const tokenFor_ = (access: string) =>
      ({
        'tenant-admin': people.admin,
        'authorized-contact': people.contact,
        'instructing-contact': people.contact,
        'grant-reader': people.admin,
        'support-agent': agent,
      })[access];
    const fill = (path: string, id?: string) =>
      path
        .replace('{tenantId}', tenantId)
        .replace('{grantId}', id ?? grant.body.grantId)
        .replace('{contactId}', id ?? contacts.readOnly.contactId)
        .replace('{instructionId}', id ?? '01ARZ3NDEKTSV4RRFFQ69G5FAV')
        .replace('{webhookId}', id ?? '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    let sent = 0;
    for (const route of routes) {
      if (route.access === 'public') continue;
      const token = tokenFor_(route.access) as string;
      const auth = { authorization: `Bearer ${token}` };
      // Hostile ids in every path parameter.
      if (/\{(grant|contact|instruction|webhook)Id\}/.test(route.path)) {
        for (const id of HOSTILE_IDS) {
          const r = await raw(
            route.method,
            fill(route.path, id),
            { ...auth, 'content-type': 'application/json' },
            route.body ? '{}' : undefined,
          );
          expectCleanRejection(r, `${route.name} id ${id}`);
          sent++;
        }
      }
      for (const tenant of HOSTILE_IDS) {
        const r = await raw(
          route.method,
          route.path.replace('{tenantId}', tenant).replace(/\{\w+\}/g, '01ARZ3NDEKTSV4RRFFQ69G5FAV'),
          auth,
          route.body ? '{}' : undefined,
        );
        // A literal ".." segment is resolved by the client's URL parser before it is sent, so
        // it may name another route; everything else must be rejected.
        // And a well-formed id of a tenant with no data ("null") is a tenant like any other.
        const dotSegment = tenant === '..' || tenant === '%2e%2e' || tenant === 'null';
        if (route.path.includes('{tenantId}') && !dotSegment)
          expectCleanRejection(r, `${route.name} tenant ${tenant}`);
        else expect(r.status).toBeLessThan(500);
        sent++;
      }
      // Query strings.
      for (const query of [
        'limit=-1',
        'limit=1e2',
        'limit=0x10',
        'limit=',
        'limit=1&limit=2',
        'cursor=%FF%FE',
        `cursor=${'A'.repeat(5000)}`,
        'status=ACTIVE',
        '__proto__[x]=1',
        'x=1',
      ]) {
        const r = await raw(
          route.method,
          `${fill(route.path)}?${query}`,
          { ...auth, 'content-type': 'application/json' },
          route.body ? '{}' : undefined,
        );
        if (r.status < 400) expect(route.query, `${route.name} ?${query}`).toBeDefined();
        else expectCleanRejection(r, `${route.name} ?${query}`);
        sent++;
      }
      if (!route.body) continue;
      const bodies: [string, string | Buffer, Record<string, string>?][] = [
        ['truncated', '{"reason": "x"'],
        ['array', '[1,2,3]'],
        ['null', 'null'],
        ['string', '"just a string"'],
        ['number', '42'],
        ['deep nesting', `${'['.repeat(7000)}${']'.repeat(7000)}`],
        ['deep object', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`],
        ['__proto__', '{"__proto__":{"admin":true},"reason":"r","durationSeconds":600}'],
        ['constructor.prototype', '{"constructor":{"prototype":{"admin":true}}}'],
        [
          'duplicate keys',
          '{"reason":"a","reason":"b","durationSeconds":600,"name":"n","email":"e@x.example","phone":"030 1234567","email":"f@x.example"}',
        ],
        [
          'lone surrogate',
          '{"reason":"\\ud800","name":"\\udc00","email":"a@b.example","phone":"030 1234567","durationSeconds":600}',
        ],
        ['huge string', JSON.stringify({ reason: 'x'.repeat(16_500), durationSeconds: 600 })],
        ['huge number', '{"durationSeconds":1e400,"reason":"r"}'],
        ['negative duration', '{"durationSeconds":-5,"reason":"r"}'],
        [
          'wrong types',
          '{"reason":123,"ticket":[],"durationSeconds":"600","name":{},"email":true,"phone":null}',
        ],
        [
          'unicode junk',
          JSON.stringify({
            reason: UNICODE.join(''),
            email: `${UNICODE.join('')}@x`,
            phone: UNICODE.join(''),
          }),
        ],
        ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])],
        [
          'form body',
          'reason=r&durationSeconds=600',
          { 'content-type': 'application/x-www-form-urlencoded' },
        ],
        ['text/plain', '{"reason":"r","durationSeconds":600}', { 'content-type': 'text/plain' }],
        ['utf-16 charset', '{"reason":"r"}', { 'content-type': 'application/json; charset=utf-16' }],
        ['multipart', '--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }],
        ['no content type', '{"reason":"r","durationSeconds":600}', {}],
      ];
      if (route.name === 'addWebhook')
        for (const url of [
          'https://10.0.0.1/x',
          'https://[::ffff:10.0.0.1]/x',
          'https://169.254.169.254/latest/meta-data/',
          'https://167772161/x',
          'https://0300.0250.0.1/x',
          'https://u:p@hooks.example.com/x',
          'http://hooks.example.com/x',
          `https://hooks.example.com/${'a'.repeat(2001)}`,
          'https://[fe80::1%25eth0]/x',
          'https://[fc00::1]/x',
        ])
          bodies.push([`url ${url.slice(0, 40)}`, JSON.stringify({ url })]);
      for (const [label, body, headers] of bodies) {
        const r = await raw(
          route.method,
          fill(route.path),
          { ...auth, 'content-type': 'application/json', ...headers },
          body,
        );
        expectCleanRejection(r, `${route.name} ${label}`);
        sent++;
      }
    }
    // Emailed links: a tampered, invented or malformed token names nothing (404), and changes nothing.
    const real = (
      await mailedLink(
        inject('sesUrl'),
        contacts.contact.email,
        'Support access granted: base',
        'End access now',
      )
    ).token;
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (const token of [
      `${real.slice(0, -1)}${flip(real.slice(-1))}`,
      `${flip(real[0] ?? 'A')}${real.slice(1)}`,
      real.toUpperCase() === real ? real.toLowerCase() : real.toUpperCase(),
      `${real}A`,
      real.slice(0, -1),
      'A'.repeat(43),
      `${real}%00`,
      `${real}%2F..`,
      encodeURIComponent(`${real}\u202e`),
      ...HOSTILE_IDS,
    ]) {
      for (const method of ['GET', 'POST']) {
        const r = await raw(
          method,
          `/actions/${token}`,
          { 'content-type': 'application/json' },
          method === 'POST' ? '{}' : undefined,
        );
        // A literal ".." resolves to another path before it is sent: only no 5xx there.
        if (token === '..' || token === '%2e%2e') expect(r.status).toBeLessThan(500);
        else {
          expectCleanRejection(r, `${method} /actions/${token.slice(0, 20)}`);
          expect(r.json.code, `${method} /actions/${token.slice(0, 20)}`).toBe('not-found');
        }
        sent++;
      }
    }
    // An extend link checks its contact's token itself: broken ones are a clean 401, and leave it unused.
    const extend = (
      await mailedLink(
        inject('sesUrl'),
        contacts.contact.email,
        'Support access granted: base',
        'Extend by 1 day',
      )
    ).token;
    // Gateway-level: an 11 MB body, broken Authorization headers.
    const huge = await raw(
      'POST',
      `/tenants/${tenantId}/grants`,
      { authorization: `Bearer ${people.contact}`, 'content-type': 'application/json' },
      Buffer.alloc(11 * 1024 * 1024, 0x20),
    );
    expectCleanRejection(huge, '11 MB body');
    for (const authorization of [
      'Bearer',
      'Basic YWRtaW46YWRtaW4=',
      `bearer  ${people.admin}`,
      `Bearer ${people.admin}x`,
      `Bearer ${'a'.repeat(9000)}`,
    ]) {
      expectCleanRejection(
        await raw('GET', `/tenants/${tenantId}/contacts`, { authorization }),
        `authorization ${authorization.slice(0, 20)}`,
      );
      const onLink = await raw('POST', `/actions/${extend}`, { authorization });
      expectCleanRejection(onLink, `extend link, authorization ${authorization.slice(0, 20)}`);
      expect(onLink.json.code).toBe('unauthenticated');
      sent += 2;
    }
    expect(sent).toBeGreaterThan(300);
    expect(await unsealed()).toEqual(before);
    expect((await call('GET', `/actions/${extend}`)).status).toBe(200);
    console.info(`hostile corpus: ${sent} requests, 0 5xx`);
  }, 300_000);

  it('a seeded random fuzzer: zero 5xx, problems for every rejection, and only accepted requests wrote anything', async () => {
    const count = Number(process.env.FUZZ_REQUESTS ?? 1500);
    const seed = Number(process.env.FUZZ_SEED ?? (process.env.SOAK ? Date.now() % 2 ** 31 : 20261127));
    const random = mulberry32(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const { tenantId, people } = await tenantWithPeople('fuzz');
    const agent = await agentToken();
    const foreign = await tokenFor({
      email: 'x@other.example',
      tenantId: 'other-fuzz',
      roles: ['tenant-admin'],
    });
    const tokens = [
      undefined,
      'garbage',
      `${people.admin}x`,
      people.admin,
      people.contact,
      people.readOnly,
      people.user,
      agent,
      foreign,
    ];
    const tenants = [tenantId, tenantId, tenantId, 'other-fuzz', ...HOSTILE_IDS];
    // Path ids, and tokens of the shape of an emailed link's (that no link has).
    const ids = ['01ARZ3NDEKTSV4RRFFQ69G5FAV', ...HOSTILE_IDS, '', 'A'.repeat(43), `${'x_-'.repeat(14)}y`];
    const values = [
      () => 'x'.repeat(Math.floor(random() * 600)),
      () => Math.floor(random() * 20_000_000) - 1000,
      () => random() * 1000,
      () => null,
      () => true,
      () => [],
      () => ({}),
      () => new Date(Date.now() + random() * 1e10).toISOString(),
      () => pick(UNICODE).repeat(Math.floor(random() * 50)),
      () => `${Math.floor(random() * 1e6)}@fuzz.example`,
      () => `+49 30 ${Math.floor(random() * 1e7)}`,
    ];
    const fields = [
      'reason',
      'ticket',
      'expiresAt',
      'durationSeconds',
      'name',
      'email',
      'phone',
      'locale',
      'canGrantAccess',
      'canInstruct',
      'action',
      'target',
      'kind',
      'details',
      'note',
      '__proto__',
      'x',
      'url',
      'eventTypes',
      'format',
      'description',
    ];
    const encode = (value: string) => {
      try {
        return encodeURIComponent(value);
      } catch {
        return '%ED%A0%80'; // a lone surrogate, as bytes
      }
    };
    // Valid bodies per route, to be mutated: a fuzzer that never sends anything valid proves little.
    const templates: Record<string, () => Record<string, unknown>> = {
      addContact: () => ({
        name: 'Fuzz',
        email: `${Math.floor(random() * 1e9)}@fuzz.example`,
        phone: '030 1234567',
      }),
      verifyCaller: () => (random() < 0.5 ? { phone: '030 1234567' } : { email: `ada@${tenantId}.example` }),
      createGrant: () => ({ reason: 'fuzz', durationSeconds: 1 + Math.floor(random() * 3) }),
      changeGrantDeadline: () => ({ durationSeconds: 600 }),
      recordActivity: () => ({ action: 'fuzz', target: random() < 0.5 ? 'x' : null }),
      requestInstruction: () => ({
        kind: pick(['other', 'data-export', 'account-deletion']),
        details: 'fuzz',
      }),
      completeInstruction: () => ({ note: 'fuzz' }),
      addWebhook: () => ({
        url: pick([
          'http://127.0.0.1:9/fuzz',
          'https://10.0.0.1/fuzz',
          'https://[::ffff:127.0.0.1]/fuzz',
          'https://2130706433/',
          'ftp://x.example/',
        ]),
        ...(random() < 0.3 ? { format: pick(['standard', 'slack', 'teams']) } : {}),
        ...(random() < 0.3 ? { eventTypes: pick([[], ['grant.created'], ['nope'], 'grant.created']) } : {}),
      }),
    };
    const body = (route: Route) => {
      if (random() < 0.1) return pick(['{', '[', 'null', '{"a":1,"a":2}', '\u0000', '']);
      const template = templates[route.name];
      const o: Record<string, unknown> = template && random() < 0.6 ? template() : {};
      for (let i = Math.floor(random() * (template ? 2.5 : 5)); i > 0; i--) {
        const field = pick(fields);
        if (random() < 0.3) delete o[field];
        else o[field] = pick(values)();
      }
      return JSON.stringify(o);
    };
    const accepted: Record<string, number> = {};
    /** Counts an accepted request of the fuzzed tenant under the route that really answered it. */
    const countAccepted = (method: string, pathname: string | undefined) => {
      if (!pathname?.includes(`/tenants/${tenantId}/`)) return;
      const served = matchRoute(method, pathname);
      const name = 'route' in served ? served.route.name : 'none';
      accepted[`${method} ${name}`] = (accepted[`${method} ${name}`] ?? 0) + 1;
    };
    const apiUrl = inject('apiUrl');
    const port = new URL(apiUrl).port;
    const oddTargets: ((path: string) => string)[] = [
      (path) => `/${path}`,
      (path) => path.replace('/tenants/', '/%2e%2e/tenants/'),
      (path) => `${path}/${'a'.repeat(8192)}`,
      (path) => `//evil.example${path}`,
      (path) => `http://evil.example${path}`,
      (path) => `${path}/..//../`,
      () => '*',
      () => '//',
    ];
    const oddHosts = [
      'evil.example',
      '',
      'localhost',
      `[::1]:${port}`,
      'h'.repeat(300),
      '127.0.0.1.evil.example',
    ];
    let oddSent = 0;
    const failures: string[] = [];
    let fiveXX = 0;
    for (let i = 0; i < count; i++) {
      const route = pick(routes);
      const method = random() < 0.9 ? route.method : pick(['GET', 'POST', 'PATCH', 'DELETE', 'PUT']);
      const path = route.path
        .replace('{tenantId}', encode(random() < 0.6 ? tenantId : pick(tenants)))
        .replace(/\{\w+\}/g, () => encode(pick(ids)));
      const query =
        random() < 0.3
          ? `?${pick(['limit', 'cursor', 'status', 'x'])}=${encode(String(pick(values)()))}`
          : '';
      const right = {
        'tenant-admin': people.admin,
        'authorized-contact': people.contact,
        'instructing-contact': people.contact,
        'grant-reader': people.readOnly,
        'support-agent': agent,
        public: undefined,
      }[route.access];
      const token = random() < 0.5 ? right : pick(tokens);
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (random() < 0.85)
        headers['content-type'] = pick([
          'application/json',
          'application/json',
          'text/plain',
          'application/problem+json',
        ]);
      // Header values must be bytes; fetch refuses anything else before it is sent.
      if (random() < 0.1) headers['idempotency-key'] = String(pick(values)()).replace(/[^\x20-\x7e]/g, '?');
      const payload = ['GET', 'DELETE'].includes(method) ? undefined : body(route);
      if (random() < 0.12) {
        // Below the API: odd request targets, methods no route has, Host headers of all kinds.
        const target = pick(oddTargets)(`${path}${query}`);
        const oddMethod = random() < 0.3 ? pick(['TRACE', 'CONNECT', 'OPTIONS', 'HEAD', 'PROPFIND']) : method;
        const host = random() < 0.4 ? pick(oddHosts) : undefined;
        const r = await rawHttp(apiUrl, target, { method: oddMethod, host, headers, body: payload });
        oddSent++;
        // Status 0: the connection was dropped without an answer, which counts as a failure too.
        if (r.status === 0 || r.status >= 500) {
          fiveXX++;
          failures.push(
            `${r.status} ${oddMethod} ${target.slice(0, 120)} host=${host} ${r.body.slice(0, 200)}`,
          );
        }
        const type = String(r.headers['content-type'] ?? '');
        if (r.status >= 400 && type.startsWith('application/problem+json') && oddMethod !== 'HEAD')
          expect(CODES.has(JSON.parse(r.body).code), `${oddMethod} ${target.slice(0, 80)}`).toBe(true);
        if (r.status < 300) countAccepted(oddMethod, requestUrl(target)?.pathname);
        continue;
      }
      const r = await raw(method, `${path}${query}`, headers, payload);
      if (r.status >= 500) {
        fiveXX++;
        failures.push(`${r.status} ${method} ${path}${query} ${r.text.slice(0, 200)}`);
      }
      if (r.status >= 400) expectCleanRejection(r, `${method} ${path}${query}`);
      else countAccepted(method, new URL(path, 'http://x').pathname);
    }
    expect(failures, `seed ${seed}`).toEqual([]);
    expect(fiveXX).toBe(0);
    // Only accepted requests wrote: the tenant's audit log has exactly their events.
    // Checks reach the log from their stamps within seconds: wait for them, then count exactly.
    const checks = accepted['GET checkAccess'] ?? 0;
    const events = await until(
      () => changesOf(tenantId, people.admin),
      (list) => list.filter((e) => e.type === 'access.checked').length >= checks,
      15_000,
      `${checks} access checks in the audit log`,
    );
    const count_ = (type: string) => events.filter((e) => e.type === type).length;
    expect(count_('access.checked')).toBe(checks);
    expect(count_('contact.verified')).toBe(accepted['POST verifyCaller'] ?? 0);
    expect(count_('support.activity')).toBe(accepted['POST recordActivity'] ?? 0);
    expect(count_('instruction.requested')).toBe(accepted['POST requestInstruction'] ?? 0);
    expect(count_('contact.added')).toBe(3 + (accepted['POST addContact'] ?? 0));
    expect(count_('grant.created')).toBe(accepted['POST createGrant'] ?? 0);
    expect(count_('grant.expired')).toBeLessThanOrEqual(count_('grant.created'));
    expect(count_('contact.removed') + count_('grant.extended') + count_('grant.revoked')).toBe(
      (accepted['DELETE removeContact'] ?? 0) +
        (accepted['PATCH changeGrantDeadline'] ?? 0) +
        (accepted['DELETE revokeGrant'] ?? 0),
    );
    expect(count_('webhook.added')).toBe(accepted['POST addWebhook'] ?? 0);
    expect(count_('webhook.removed')).toBe(accepted['DELETE removeWebhook'] ?? 0);
    expect(count_('webhook.secret-rotated')).toBe(accepted['POST rotateWebhookSecret'] ?? 0);
    expect(oddSent).toBeGreaterThan(count / 20);
    console.info(
      `fuzz: ${count} requests (${oddSent} below the API; seed ${seed}), 0 5xx, accepted ${JSON.stringify(accepted)}`,
    );
  }, 600_000);

  it('four eyes by person: the requester removed and added again, in another letter case, or a contact added later cannot confirm', async () => {
    const { tenantId, domain, people, contacts } = await tenantWithPeople('foureyes');
    const requested = await call('POST', `/tenants/${tenantId}/instructions`, {
      token: people.contact,
      json: { kind: 'account-deletion', details: 'Delete the account.' },
    });
    expect(requested.status).toBe(201);
    const confirm = (token: string) =>
      call('POST', `/tenants/${tenantId}/instructions/${requested.body.instructionId}/confirm`, { token });
    const add = (name: string, email: string) =>
      call('POST', `/tenants/${tenantId}/contacts`, {
        token: people.admin,
        json: { name, email, phone: '+49 30 1234567' },
      });
    expect(
      (
        await call('DELETE', `/tenants/${tenantId}/contacts/${contacts.contact.contactId}`, {
          token: people.admin,
        })
      ).status,
    ).toBe(204);
    expect((await add('Ada again', `ADA@${domain}`)).status).toBe(201);
    expect((await add('Newcomer', `new@${domain}`)).status).toBe(201);
    for (const token of [
      people.contact,
      await tokenFor({ email: `ADA@${domain}`, tenantId }),
      await tokenFor({ email: `new@${domain}`, tenantId }),
    ]) {
      const refused = await confirm(token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('four-eyes-required');
    }
    const confirmed = await confirm(people.contact2);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'confirmed',
      requestedBy: { email: `ada@${domain}` },
      confirmedBy: { email: `bob@${domain}` },
    });
  });

  it('a tenant with 49 contacts from before contacts were counted: of six adds at once one lands, the rest and the next are 409', async () => {
    // Written straight into the table, as a tenant registered before the count existed (and
    // without the 1 200 welcome mails that 49 adds through the API would queue for the run).
    const tenantId = uniqueTenant('limit');
    const admin = await tokenFor({ email: `admin@${tenantId}.example`, tenantId, roles: ['tenant-admin'] });
    const doc = dynamoDocumentClient(localDynamoClient(inject('dynamodbUrl')));
    const { tableName } = localEnv();
    for (let i = 0; i < 49; i++) {
      const email = `c${i}@${tenantId}.example`;
      const item = contactItem({
        contactId: ulid(),
        tenantId,
        name: `c${i}`,
        email,
        phone: '+49301234567',
        locale: 'en',
        timeZone: 'Europe/Berlin',
        canGrantAccess: false,
        canInstruct: false,
        createdAt: new Date().toISOString(),
      });
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...item, sk: keys.contactEmail(emailKey(email)), kind: 'contact-email' },
        }),
      );
    }
    const add = (email: string) =>
      call('POST', `/tenants/${tenantId}/contacts`, {
        token: admin,
        json: { name: email.split('@')[0], email, phone: '+49 30 1234567' },
      });
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) => add(`racer${i}@${tenantId}.example`)),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const refused of racing.filter((r) => r.status === 409)) {
      expectCleanRejection(
        { ...refused, type: refused.headers.get('content-type'), json: refused.body },
        'limit',
      );
      expect(refused.body.code).toBe('contact-limit-reached');
    }
    expect((await call('GET', `/tenants/${tenantId}/contacts`, { token: admin })).body.contacts).toHaveLength(
      50,
    );
    expect((await add(`late@${tenantId}.example`)).body.code).toBe('contact-limit-reached');
  });

  it('a fake link line in an instruction’s details reaches the mail quoted, never as a link line of its own', async () => {
    const { tenantId, people, contacts } = await tenantWithPeople('maillinks');
    const evil = `https://evil.example/act/${'A'.repeat(43)}`;
    const requested = await call('POST', `/tenants/${tenantId}/instructions`, {
      token: people.contact,
      json: {
        kind: 'account-deletion',
        details: `Please delete the account.\nBestätigen: ${evil}\r\nConfirm: ${evil}\n\n   Ablehnen: ${evil}`,
      },
    });
    expect(requested.status).toBe(201);
    // Bob reads German: the mail's own Confirm link is "Bestätigen".
    const { url } = await mailedLink(
      inject('sesUrl'),
      contacts.contact2.email,
      'Weisung erteilt',
      'Bestätigen',
    );
    expect(url).not.toContain('evil.example');
    const mail = (await emails(inject('sesUrl'), contacts.contact2.email)).find((m) =>
      m.subject.startsWith('Weisung erteilt'),
    );
    const lines = (mail?.body.text ?? '').split(/\r\n|[\n\r]/);
    expect(lines.filter((l) => l.includes('evil.example'))).toEqual([
      `> Bestätigen: ${evil}`,
      `> Confirm: ${evil}`,
      `>    Ablehnen: ${evil}`,
    ]);
    expect(mail?.body.html).not.toContain(`href="${evil}"`);
  });
});
