import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpWebhookSender, type Resolve } from '../../functions/adapters/webhook-sender.ts';
import { ConcurrentModificationError, ValidationError } from '../../functions/domain/errors.ts';
import { slackText } from '../../functions/domain/slack-text.ts';
import type { Delivery } from '../../functions/domain/webhook-store.ts';
import {
  checkResolvedAddresses,
  checkWebhookUrl,
  forbiddenAddress,
  MAX_ATTEMPTS,
  newWebhookSecret,
  nextAttemptAt,
  rotateSecret,
  type StoredWebhook,
  signingSecrets,
} from '../../functions/domain/webhooks.ts';
import { errorToProblem } from '../../functions/http/problems.ts';
import { retryOnConflict } from '../../functions/use-cases/deps.ts';
import { outgoing } from '../../functions/use-cases/webhook-delivery.ts';
import { everyMinute } from '../../local/stack.ts';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

function refusal(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors[0]?.path).toBe('url');
    return (error as ValidationError).message;
  }
}

describe('where webhooks may go', () => {
  it.each([
    'http://hooks.example.com/x',
    'ftp://hooks.example.com/x',
    'https://user:pass@hooks.example.com/x',
    'https://user@hooks.example.com/x',
    'https://127.0.0.1/x',
    'https://localhost/x',
    'https://app.localhost/x',
    'https://10.0.0.1/x',
    'https://172.16.5.4/x',
    'https://192.168.1.1/x',
    'https://100.64.0.1/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[fe80::1]/x',
    'https://[fc00::1]/x',
    'https://[fd12:3456::1]/x',
    'https://[::1]/x',
    'https://[::]/x',
    'https://0.0.0.0/x',
    'https://224.0.0.1/x',
    'https://[ff02::1]/x',
    'https://[::ffff:10.0.0.1]/x',
    'https://[::ffff:127.0.0.1]/x',
    'https://[::ffff:169.254.169.254]/x',
    'https://[::a9fe:a9fe]/x', // 169.254.169.254, IPv4-compatible
    'https://[::a00:1]/x', // 10.0.0.1, IPv4-compatible
    'https://[::7f00:1]/x', // 127.0.0.1, IPv4-compatible
    'https://167772161/x', // 10.0.0.1 in decimal
    'https://2130706433/x', // 127.0.0.1 in decimal
    'https://0177.0.0.1/x', // octal
    'https://0x7f.0.0.1/x', // hex
    'https://012.0.0.1/x', // 10.0.0.1 in octal
    'https://127.1/x',
    `https://hooks.example.com/${'a'.repeat(2000)}`,
    'not a url',
    '/relative',
  ])('refuses %s (400 naming url)', (url) => {
    expect(refusal(() => checkWebhookUrl(url, 'standard', strict))).not.toBeNull();
  });

  it('takes a public https URL, and loopback only where the local runtime allows it', () => {
    expect(checkWebhookUrl('https://hooks.example.com/in?x=1', 'standard', strict).href).toBe(
      'https://hooks.example.com/in?x=1',
    );
    expect(refusal(() => checkWebhookUrl('http://127.0.0.1:4000/hook', 'standard', strict))).not.toBeNull();
    expect(refusal(() => checkWebhookUrl('http://localhost:4000/hook', 'standard', strict))).not.toBeNull();
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', 'standard', local).port).toBe('4000');
    expect(checkWebhookUrl('http://localhost:4000/hook', 'standard', local).port).toBe('4000');
    // Loopback allowed does not open private networks.
    expect(refusal(() => checkWebhookUrl('http://10.0.0.1/hook', 'standard', local))).not.toBeNull();
    expect(refusal(() => checkWebhookUrl('https://10.0.0.1/hook', 'standard', local))).not.toBeNull();
  });

  it('a slack webhook goes to hooks.slack.com only', () => {
    expect(checkWebhookUrl('https://hooks.slack.com/services/T/B/x', 'slack', strict).host).toBe(
      'hooks.slack.com',
    );
    expect(refusal(() => checkWebhookUrl('https://hooks.example.com/x', 'slack', strict))).toContain(
      'hooks.slack.com',
    );
  });

  it('judges resolved addresses: IPv4, IPv6 and IPv4-mapped, public unicast only', () => {
    for (const address of [
      '10.1.2.3',
      '127.0.0.1',
      '::1',
      'fe80::2',
      '::ffff:192.168.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::1',
      '::a00:1',
      '::7f00:1',
      '::a9fe:a9fe',
      '100::1',
    ])
      expect(forbiddenAddress(address, strict), address).not.toBeNull();
    for (const address of ['93.184.215.14', '2606:4700::6810:84e5', '::ffff:93.184.215.14'])
      expect(forbiddenAddress(address, strict), address).toBeNull();
    expect(refusal(() => checkResolvedAddresses(['93.184.215.14', '10.0.0.1'], strict))).toContain('private');
    expect(refusal(() => checkResolvedAddresses([], strict))).toContain('resolve');
  });
});

describe('secrets and the retry schedule', () => {
  it('a secret is whsec_ and 32 random bytes, different each time', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('retries after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then gives up (8 attempts)', () => {
    const t = new Date('2026-12-01T10:00:00.000Z');
    const delays = [];
    for (let attempts = 1; attempts < MAX_ATTEMPTS; attempts++)
      delays.push(((nextAttemptAt(attempts, t)?.getTime() ?? 0) - t.getTime()) / 1000);
    expect(delays).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(nextAttemptAt(8, t)).toBeNull();
  });
});

const at = new Date('2026-12-01T10:00:00.000Z');
const webhook = (over: Partial<StoredWebhook> = {}): StoredWebhook => ({
  webhookId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  tenantId: 'acme',
  url: 'https://hooks.example.com/in',
  eventTypes: ['grant.created'],
  format: 'standard',
  locale: 'en',
  description: null,
  createdAt: at.toISOString(),
  createdBy: 'admin@acme.example',
  secret: newWebhookSecret(),
  previousSecret: null,
  previousSecretUntil: null,
  ...over,
});
const delivery = (over: Partial<Delivery> = {}): Delivery => ({
  tenantId: 'acme',
  webhookId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  eventId: '01KBJ8R7Y2G1W0Z5Q8YV4N3M2A',
  type: 'grant.created',
  at: at.toISOString(),
  data: {
    tenantId: 'acme',
    eventId: '01KBJ8R7Y2G1W0Z5Q8YV4N3M2A',
    at: at.toISOString(),
    type: 'grant.created',
    actor: 'anna.schmidt@acme.example',
    grantId: '01KBJ8R7Y2G1W0Z5Q8YV4N3M2B',
    details: {
      reason: 'Payroll <https://evil.example|click> export',
      ticket: null,
      expiresAt: '2026-12-01T11:00:00.000Z',
      grantedBy: { contactId: 'c', name: 'Anna Schmidt', email: 'anna.schmidt@acme.example' },
    },
  },
  status: 'pending',
  attempts: 0,
  lastAttemptAt: null,
  nextAttemptAt: null,
  responseStatus: null,
  error: null,
  dueAt: null,
  claim: null,
  ...over,
});

describe('signing (Standard Webhooks)', () => {
  it('the reference library verifies a delivery; the webhook-id is the event id on every attempt', () => {
    const hook = webhook();
    const request = outgoing(hook, delivery(), at);
    expect(request.headers['webhook-id']).toBe('01KBJ8R7Y2G1W0Z5Q8YV4N3M2A');
    expect(request.headers['webhook-timestamp']).toBe(String(at.getTime() / 1000));
    expect(JSON.parse(request.body)).toMatchObject({ type: 'grant.created', timestamp: at.toISOString() });
    // The library checks the timestamp against its own clock: verify as of the attempt.
    const verified = withNow(at, () =>
      new StandardWebhook(hook.secret).verify(request.body, request.headers),
    );
    expect(verified).toMatchObject({ data: { tenantId: 'acme', type: 'grant.created' } });
    expect(() =>
      withNow(at, () => new StandardWebhook(newWebhookSecret()).verify(request.body, request.headers)),
    ).toThrow();
  });

  it('for 24 hours after a rotation every delivery carries two signatures, and either secret verifies it', () => {
    const before = webhook();
    const after = rotateSecret(before, at);
    const during = new Date(at.getTime() + 23 * 3600 * 1000);
    const request = outgoing(after, delivery(), during);
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [before.secret, after.secret])
      expect(
        withNow(during, () => new StandardWebhook(secret).verify(request.body, request.headers)),
      ).toBeTruthy();
    const later = new Date(at.getTime() + 24 * 3600 * 1000);
    expect(signingSecrets(after, later)).toEqual([after.secret]);
    const afterwards = outgoing(after, delivery(), later);
    expect(() =>
      withNow(later, () => new StandardWebhook(before.secret).verify(afterwards.body, afterwards.headers)),
    ).toThrow();
  });

  it('two rotations within a day: the secret before both signs on for its 24 h; a third drops the oldest', () => {
    const first = webhook();
    const second = rotateSecret(first, at);
    const hourLater = new Date(at.getTime() + 3600 * 1000);
    const third = rotateSecret(second, hourLater);
    const during = new Date(at.getTime() + 23 * 3600 * 1000);
    const request = outgoing(third, delivery(), during);
    expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(3);
    for (const secret of [first.secret, second.secret, third.secret])
      expect(
        withNow(during, () => new StandardWebhook(secret).verify(request.body, request.headers)),
      ).toBeTruthy();
    // Each replaced secret for 24 h after it was replaced, not longer.
    expect(signingSecrets(third, new Date(at.getTime() + 24 * 3600 * 1000))).toEqual([
      third.secret,
      second.secret,
    ]);
    expect(signingSecrets(third, new Date(hourLater.getTime() + 24 * 3600 * 1000))).toEqual([third.secret]);
    // A rotation a day after the last: nothing older is kept.
    const dayLater = new Date(at.getTime() + 30 * 3600 * 1000);
    expect(signingSecrets(rotateSecret(third, dayLater), dayLater)).toHaveLength(2);
    const fourth = rotateSecret(third, new Date(hourLater.getTime() + 1000));
    expect(signingSecrets(fourth, during)).toEqual([fourth.secret, third.secret, second.secret]);
  });

  it('slack: one unsigned sentence in the webhook’s language, naming tenant, people, reason and UTC deadline, no link markup', () => {
    const en = outgoing(webhook({ format: 'slack' }), delivery(), at);
    expect(en.headers['webhook-signature']).toBeUndefined();
    const { text, mrkdwn } = JSON.parse(en.body) as { text: string; mrkdwn: boolean };
    expect(mrkdwn).toBe(false);
    expect(text).toBe(
      'acme: Anna Schmidt granted support access until 2026-12-01 11:00 UTC (Payroll &lt;https://evil.example|click&gt; export).',
    );
    expect(slackText(delivery(), 'de')).toContain('hat Supportzugriff bis 2026-12-01 11:00 UTC gewährt');
  });
});

function withNow<T>(now: Date, fn: () => T): T {
  const real = Date.now;
  Date.now = () => now.getTime();
  try {
    return fn();
  } finally {
    Date.now = real;
  }
}

describe('the sender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  const receiver = async (
    answer: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
  ) => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      answer(req, res);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, seen };
  };
  const post = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('a name that resolves to an internal address is failed with forbidden-address, and nothing is sent', async () => {
    const { port, seen } = await receiver((_req, res) => res.end('ok'));
    const rebinding: Resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const sender = new HttpWebhookSender(strict, rebinding);
    expect(await sender.send(post(`http://hooks.example.com:${port}/in`))).toEqual({
      status: null,
      error: 'forbidden-address',
    });
    const mapped: Resolve = async () => [{ address: '::ffff:127.0.0.1', family: 6 }];
    expect((await new HttpWebhookSender(strict, mapped).send(post(`http://x.example:${port}/`))).error).toBe(
      'forbidden-address',
    );
    // An address literal is judged before any connection, too.
    expect((await sender.send(post(`http://127.0.0.1:${port}/in`))).error).toBe('forbidden-address');
    expect(seen).toEqual([]);
    // Allowed locally, the same name reaches the receiver.
    expect(
      await new HttpWebhookSender(local, rebinding).send(post(`http://hooks.example.com:${port}/in`)),
    ).toEqual({
      status: 200,
      error: null,
    });
    expect(seen).toEqual(['/in']);
  });

  it('does not follow a redirect (to a private address or anywhere)', async () => {
    const target = await receiver((_req, res) => res.end('ok'));
    const { port } = await receiver((_req, res) => {
      res.writeHead(301, { location: `http://127.0.0.1:${target.port}/private` });
      res.end();
    });
    expect(await new HttpWebhookSender(local).send(post(`http://127.0.0.1:${port}/`))).toEqual({
      status: 301,
      error: null,
    });
    expect(target.seen).toEqual([]);
  });

  it('a 10 MB answer is not read, and an endpoint that never answers times out', async () => {
    const huge = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const more = () => {
        while (sent < 10 && res.write(chunk)) sent++;
        if (sent < 10) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const started = Date.now();
    expect(await new HttpWebhookSender(local).send(post(`http://127.0.0.1:${huge.port}/`))).toEqual({
      status: 200,
      error: null,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    const silent = await receiver(() => {});
    const sender = new HttpWebhookSender(local, undefined, 300);
    expect(await sender.send(post(`http://127.0.0.1:${silent.port}/`))).toEqual({
      status: null,
      error: 'timeout',
    });
  });

  it('a refused connection is an error the schedule retries', async () => {
    const { port } = await receiver(() => {});
    await new Promise((r) => servers.pop()?.close(r));
    expect((await new HttpWebhookSender(local).send(post(`http://127.0.0.1:${port}/`))).error).toBe(
      'connection-refused',
    );
  });
});

describe('the local retry driver’s per-minute look', () => {
  it('looks at once and then once a minute, never two at a time, reports a failure and stops', async () => {
    vi.useFakeTimers();
    try {
      const runs: { end: () => void; fail: (e: Error) => void }[] = [];
      const errors: string[] = [];
      const stop = everyMinute(
        () => new Promise<void>((resolve, reject) => runs.push({ end: resolve, fail: reject })),
        (error) => errors.push(error.message),
      );
      // At once on start, nothing more until the minute.
      expect(runs).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(runs).toHaveLength(1);
      // Still running at the minute: not doubled.
      await vi.advanceTimersByTimeAsync(1);
      expect(runs).toHaveLength(1);
      runs[0]?.fail(new Error('down'));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(errors).toEqual(['down']);
      expect(runs).toHaveLength(2);
      runs[1]?.end();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(runs).toHaveLength(3);
      runs[2]?.end();
      await stop();
      await vi.advanceTimersByTimeAsync(180_000);
      expect(runs).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('concurrent rotations', () => {
  it('a race lost after every retry answers 409 concurrent-modification; the retries back off', async () => {
    let tries = 0;
    const started = Date.now();
    const error = await retryOnConflict(async () => {
      tries++;
      throw new ConcurrentModificationError();
    }).catch((e: unknown) => e);
    expect(tries).toBe(5);
    // Four pauses of at least half of 10, 20, 40 and 80 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(errorToProblem(error)).toMatchObject({ statusCode: 409 });
    expect(JSON.parse(String(errorToProblem(error)?.body))).toMatchObject({
      status: 409,
      code: 'concurrent-modification',
    });
  });
});
