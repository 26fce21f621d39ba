import { describe, expect, it } from 'vitest';
import { grantEmails } from '../support/mail.ts';
import { ownStack } from '../support/own-stack.ts';
import { until } from '../support/until.ts';

describe('the local stack at the sandbox send rate (SES_MAX_SEND_RATE=1)', () => {
  const own = ownStack('quotas');

  it('brings every mail of a grant that ends while we watch, once each, just later', async () => {
    const stack = await own.start({ SES_MAX_SEND_RATE: '1', REMINDER_BEFORE_SECONDS: '0' });
    const { anna, api } = await own.acme();
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
