import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { rawHttp as raw } from '../support/raw-http.ts';

const servers = () => ({
  oidc: inject('oidcUrl'),
  api: inject('apiUrl'),
  ses: inject('sesUrl'),
  scheduler: inject('schedulerUrl'),
  events: inject('eventsUrl'),
});

describe('local servers refuse requests not addressed to a loopback name (DNS rebinding)', () => {
  for (const host of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil', '']) {
    it(`Host "${host}" → 403 on the API, the console, the Scheduler, SES and events emulators`, async () => {
      const { api, ses, scheduler, oidc, events } = servers();
      for (const [base, path] of [
        [oidc, '/.well-known/openid-configuration'],
        [api, '/health'],
        [api, '/tenants/acme/access'],
        [api, '/'],
        [api, '/local/users'],
        [ses, '/store'],
        [scheduler, '/schedules'],
        [events, '/events'],
      ] as const) {
        const response = await raw(base, path, { host });
        // Without any Host, Node's HTTP server itself answers 400 before we see the request.
        expect([base, path, response.status]).toEqual([base, path, host === '' ? 400 : 403]);
        expect(response.body).not.toMatch(/token|emails|Schedules|detail-type/);
      }
    });
  }

  it('loopback names in every form are served', async () => {
    const { api } = servers();
    const port = new URL(api).port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
      '127.0.0.1',
    ]) {
      expect((await raw(api, '/health', { host })).status).toBe(200);
    }
  });
});

describe('odd request targets are answered, never with a 5xx', () => {
  for (const target of [
    '//',
    '//evil.example/x',
    '/%2e%2e/',
    '/%2e%2e/%2e%2e/etc/passwd',
    `/${'a'.repeat(8192)}`,
    '/..//..',
  ]) {
    it(`GET ${target.slice(0, 40)} → a 4xx problem document or the console, never a 5xx`, async () => {
      const response = await raw(servers().api, target);
      expect(response.status).toBeLessThan(500);
      if (response.status === 200) expect(response.body).toContain('<!doctype html>');
      else expect(response.headers['content-type']).toMatch(/problem\+json/);
    });
  }

  it('an absolute-form target is not read as another host', async () => {
    const response = await raw(servers().api, 'http://evil.example/tenants/acme/access');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/problem\+json/);
  });

  it('the Scheduler emulator answers // with its own error, not a 500', async () => {
    const response = await raw(servers().scheduler, '//');
    expect(response.status).toBe(404);
    expect(response.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
  });
});

describe('the console serves only its own build folder', () => {
  it('a sibling folder whose name starts like the build folder is not served', async () => {
    const sibling = resolve(import.meta.dirname, '..', '..', 'web', `dist-${randomUUID().slice(0, 8)}`);
    await mkdir(sibling, { recursive: true });
    try {
      await writeFile(join(sibling, 'secret.txt'), 'not for the web');
      const name = sibling.split('/').at(-1);
      const response = await raw(servers().api, `/..%2F${name}%2Fsecret.txt`);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain('not for the web');
    } finally {
      await rm(sibling, { recursive: true, force: true });
    }
  });
});

describe('no web page can read the local engines (CORS)', () => {
  it('DynamoDB Local allows no foreign origin', async () => {
    const response = await fetch(inject('dynamodbUrl'), {
      method: 'POST',
      headers: {
        origin: 'http://evil.example',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/eu-central-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the API, SES and Scheduler emulators send no CORS grant to a foreign origin', async () => {
    const { api, ses, scheduler } = servers();
    for (const [base, path] of [
      [api, '/health'],
      [ses, '/store'],
      [scheduler, '/schedules'],
    ] as const) {
      const response = await raw(base, path, { headers: { origin: 'http://evil.example' } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('a web page of another origin cannot change the SES, Scheduler or EventBridge emulator (simple requests need no preflight)', async () => {
    const { ses, scheduler, events } = servers();
    const before = ((await (await fetch(`${ses}/store`)).json()) as { emails: unknown[] }).emails.length;
    const page = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    const attempts = [
      fetch(`${ses}/clear-store`, { method: 'POST', headers: { ...page, 'content-type': 'text/plain' } }),
      fetch(`${ses}/`, {
        method: 'POST',
        headers: { ...page, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=SendEmail&Source=a%40evil.example&Destination.ToAddresses.member.1=b%40evil.example',
      }),
      fetch(`${scheduler}/schedules/page-made`, {
        method: 'POST',
        headers: { ...page, 'content-type': 'text/plain;charset=UTF-8' },
        body: JSON.stringify({
          GroupName: 'SupportAccess-local-grants',
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: 'arn:x', RoleArn: 'arn:y' },
        }),
      }),
    ];
    attempts.push(
      fetch(`${events}/`, {
        method: 'POST',
        headers: { ...page, 'content-type': 'text/plain', 'x-amz-target': 'AWSEvents.PutEvents' },
        body: JSON.stringify({
          Entries: [{ Source: 'page', DetailType: 'page', Detail: '{}', EventBusName: 'x' }],
        }),
      }),
    );
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(403);
    const after = ((await (await fetch(`${ses}/store`)).json()) as { emails: unknown[] }).emails.length;
    expect(after).toBeGreaterThanOrEqual(before);
    const made = await fetch(`${scheduler}/schedules/page-made?groupName=SupportAccess-local-grants`);
    expect(made.status).toBe(404);
  });
});

describe('methods no route has', () => {
  it('TRACE and CONNECT get a problem document, never an echo, a tunnel or a dropped connection', async () => {
    const { api } = servers();
    const trace = await raw(api, '/health', { method: 'TRACE', headers: { cookie: 'secret=1' } });
    expect(trace.status).toBe(404);
    expect(trace.body).not.toContain('secret=1');
    const connect = await raw(api, '127.0.0.1:22', { method: 'CONNECT' });
    expect(connect.status).toBe(404);
    expect(JSON.parse(connect.body)).toMatchObject({ code: 'not-found' });
  });
});

describe('local sign-in is the OpenID provider only', () => {
  it('has no demo-token shortcut: the old endpoints are gone', async () => {
    const { api } = servers();
    expect((await raw(api, '/local/users')).status).toBe(404);
    expect((await raw(api, '/local/users/agent/token', { method: 'POST' })).status).toBe(404);
  });

  it('publishes discovery and keys, and lets only the console call its token endpoint', async () => {
    const { oidc, api } = servers();
    const discovery = JSON.parse((await raw(oidc, '/.well-known/openid-configuration')).body);
    expect(discovery).toMatchObject({ issuer: oidc, token_endpoint: `${oidc}/token` });
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const keys = JSON.parse((await raw(oidc, '/jwks')).body);
    expect(keys.keys.every((k: { d?: string }) => k.d === undefined)).toBe(true);
    // The token request of a page: allowed (for reading) from the console's origin only.
    const tokenRequest = (origin: string) =>
      raw(oidc, '/token', {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&client_id=support-access-console&code=nope&code_verifier=x&redirect_uri=x',
      });
    expect((await tokenRequest(api)).headers['access-control-allow-origin']).toBe(api);
    const foreign = await tokenRequest('http://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });
});
