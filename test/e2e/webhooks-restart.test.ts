import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';
import { localKeys, signToken } from '../../local/tokens.ts';
import { until } from '../support/until.ts';
import { startReceiver } from '../support/webhook-receiver.ts';

describe('webhook retries pending while the stack is down', () => {
  let stack: SpawnedStack | undefined;
  let dataDir = '';
  let healthy = false;
  const receiverReady = startReceiver(() => (healthy ? 200 : 503));
  afterAll(async () => {
    await stack?.stop();
    await (await receiverReady).close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('go on after a restart: the failed attempt is retried and delivered, with the same webhook-id', async () => {
    const receiver = await receiverReady;
    dataDir = await mkdtemp(join(tmpdir(), 'support-access-webhooks-restart-'));
    stack = await spawnStack(dataDir, 'fresh');
    const { ports } = stack;
    const admin = await signToken(await localKeys(dataDir), {
      email: 'admin@acme.example',
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${stack?.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    const added = await api('POST', '/tenants/acme/webhooks', {
      url: receiver.url('/restart'),
      eventTypes: ['support.activity'],
    });
    expect(added.status).toBe(201);
    const deliveries = `/tenants/acme/webhooks/${added.body.webhookId}/deliveries`;
    const tested = await api('POST', `/tenants/acme/webhooks/${added.body.webhookId}/test`);
    expect(tested.status).toBe(202);
    const failed = await until(
      () => api('GET', deliveries),
      (r) => r.body.deliveries?.[0]?.attempts === 1,
      20_000,
      'the first attempt, refused',
    );
    expect(failed.body.deliveries[0]).toMatchObject({ status: 'pending', responseStatus: 503 });
    expect(await stack.stop('SIGTERM')).toBe(0);

    // Due while the stack is down; the receiver recovers meanwhile.
    const due = Date.parse(failed.body.deliveries[0].nextAttemptAt);
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 1000));
    healthy = true;
    stack = await spawnStack(dataDir, ports);
    const delivered = await until(
      () => api('GET', deliveries),
      (r) => r.body.deliveries?.[0]?.status === 'delivered',
      20_000,
      'the retry after the restart',
    );
    expect(delivered.body.deliveries[0]).toMatchObject({ attempts: 2, responseStatus: 200, error: null });
    const ids = receiver.at('/restart').map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([tested.body.eventId, tested.body.eventId]);
  }, 240_000);
});
