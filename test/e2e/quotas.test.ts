import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SpawnedStack, spawnStack } from '../../local/spawn-stack.ts';
import { localKeys, signToken } from '../../local/tokens.ts';
import { grantEmails } from '../support/mail.ts';
import { until } from '../support/until.ts';

describe('the local stack at the sandbox send rate (SES_MAX_SEND_RATE=1)', () => {
  let stack: SpawnedStack | undefined;
  let dataDir = '';
  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('brings every mail of a grant that ends while we watch, once each, just later', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'support-access-quotas-'));
    stack = await spawnStack(dataDir, 'fresh', { SES_MAX_SEND_RATE: '1', REMINDER_BEFORE_SECONDS: '0' });
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
    const quota = (await (await fetch(`${stack.sesUrl}/quota`)).json()) as { MaxSendRate: number };
    expect(quota.MaxSendRate).toBe(1);

    const created = await api(
      '/tenants/acme/grants',
      { method: 'POST', body: JSON.stringify({ reason: 'At one mail a second', durationSeconds: 10 }) },
      anna,
    );
    expect(created.status).toBe(201);
    const sesUrl = stack.sesUrl;
    // Granted and expired, to Anna and Ben: four mails at one a second, behind the seed's own.
    const mails = await until(
      () => grantEmails(sesUrl),
      (list) => list.filter((m) => m.subject.includes('At one mail a second')).length >= 4,
      60_000,
      'four grant mails',
    );
    const drill = mails.filter((m) => m.subject.includes('At one mail a second'));
    expect(new Set(drill.map((m) => `${m.destination.to[0]} ${m.subject}`)).size).toBe(4);
    const events = (await api('/tenants/acme/audit?limit=100')).body.events as { type: string }[];
    expect(events.filter((e) => e.type === 'notification.failed')).toHaveLength(0);
    // Never faster than the rate: the SES emulator refused what came too soon, and nothing was lost.
    const times = mails.map((m) => m.at).sort();
    for (let i = 2; i < times.length; i++)
      expect((times[i] as number) - (times[i - 2] as number)).toBeGreaterThanOrEqual(1);
  });
});
