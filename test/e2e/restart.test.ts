import { describe, expect, it } from 'vitest';
import { grantEmails, grantMailsSent } from '../support/mail.ts';
import { ownStack } from '../support/own-stack.ts';
import { END_MAIL_WAIT_MS, until } from '../support/until.ts';

describe('a deadline that passes while the stack is down', () => {
  const own = ownStack('restart');

  it('ends the grant and emails every contact on the next start, once', async () => {
    let stack = await own.start();
    const { anna, api } = await own.acme();

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
    stack = await own.restart();
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
