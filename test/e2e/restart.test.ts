import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';
import { localKeys, signToken } from '../../local/tokens.ts';
import { grantEmails, grantMailsSent } from '../support/mail.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

describe('a deadline that passes while the stack is down', () => {
  let stack: SpawnedStack | undefined;
  let dataDir = '';
  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('ends the grant and emails every contact on the next start, once', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'support-access-restart-'));
    stack = await spawnStack(dataDir, 'fresh');
    const { ports } = stack;
    const keys = await localKeys(dataDir);
    const anna = await signToken(keys, { email: 'anna.schmidt@acme.example', tenantId: 'acme' });
    const admin = await signToken(keys, {
      email: 'admin@acme.example',
      tenantId: 'acme',
      roles: ['tenant-admin'],
    });
    const api = (path: string, init: RequestInit = {}, token = admin) =>
      fetch(`${stack?.apiUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

    const created = await api(
      '/tenants/acme/grants',
      { method: 'POST', body: JSON.stringify({ reason: 'Across a restart', durationSeconds: 3 }) },
      anna,
    );
    expect(created.status).toBe(201);
    await until(
      () => api('/tenants/acme/audit?limit=100'),
      (r) => grantMailsSent(r.body.events).length >= 2,
      15_000,
      'two notification.sent events of grant mails',
    );
    expect(await stack.stop('SIGTERM')).toBe(0);

    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(created.body.expiresAt) - Date.now()) + 1500),
    );
    stack = await spawnStack(dataDir, ports);
    const grant = await until(
      () => api(`/tenants/acme/grants/${created.body.grantId}`),
      (r) => r.body.status === 'expired',
      5000,
    );
    expect(grant.body).toMatchObject({
      status: 'expired',
      endedBy: 'system',
      endedAt: created.body.expiresAt,
    });
    // Settled: both granted and both expired sends are recorded, so no other mail can follow.
    await until(
      () => api('/tenants/acme/audit?limit=100'),
      (r) => grantMailsSent(r.body.events).length >= 4,
      END_MAIL_WAIT_MS,
      'four notification.sent events of grant mails',
    );
    const after = await grantEmails(stack.sesUrl);
    const subjects = after.map((m) => `${m.destination.to[0]} ${m.subject}`).sort();
    expect(after.length).toBe(2);
    expect(subjects).toEqual([
      'anna.schmidt@acme.example Supportzugriff abgelaufen: Across a restart',
      'ben.miller@acme.example Support access expired: Across a restart',
    ]);
    const audit = await api('/tenants/acme/audit?limit=100');
    const types = audit.body.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'grant.expired')).toHaveLength(1);
    expect(grantMailsSent(audit.body.events)).toHaveLength(4);
  }, 240_000);
});
