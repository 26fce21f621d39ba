import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { matchesNotifierFilter } from '../../functions/adapters/dynamodb/stream.ts';
import { createGrant } from '../../functions/use-cases/grants.ts';
import { listAudit } from '../../functions/use-cases/support.ts';
import { freePort } from '../../local/ports.ts';
import { type SesEmulator, startSesEmulator } from '../../local/ses.ts';
import { seedContact, testDeps } from '../support/deps.ts';
import { emails } from '../support/mail.ts';
import { streamRecords } from '../support/stream.ts';

/**
 * The notifier function itself (its production wiring: SES client, ledger, pacer) over a stream
 * batch, while the SES account's daily quota is used up and after it is raised.
 */
let ses: SesEmulator;
beforeAll(async () => {
  ses = await startSesEmulator(await freePort(), { max24HourSend: 1 });
});
afterAll(() => ses?.stop());

const context = (remainingMs: number) => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

describe('the notifier under a used-up daily quota', () => {
  it('holds the batch back for a bounded wait, fails nothing, and sends every mail once after the raise', async () => {
    const t = await testDeps();
    t.clock.set(new Date());
    const tenantId = `daily-${Date.now()}`;
    const ada = await seedContact(t.deps, tenantId, `ada@${tenantId}.example`, { locale: 'en' });
    await seedContact(t.deps, tenantId, `bob@${tenantId}.example`, { locale: 'de' });
    await createGrant(t.deps, tenantId, ada, { reason: 'Daily quota', durationSeconds: 600 }, t.clock.now());
    Object.assign(process.env, {
      TABLE_NAME: t.tableName,
      // Never read: the notifier lists nothing (the key is read on a function's first list).
      CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:unused',
      MAIL_FROM: 'support@vendor.example',
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
      AWS_ENDPOINT_URL_SES: ses.url,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const { handler } = await import('../../functions/handlers/notify.ts');
    const records = (await streamRecords(t.client, t.tableName)).filter(matchesNotifierFilter);
    // Both registrations and the grant, each to both contacts (registered at the same instant).
    const mailed = 6;

    // 22 s left: a pacing budget of 2 s, then the batch goes back to the stream.
    const started = Date.now();
    const held = await handler({ Records: records }, context(22_000));
    const waited = Date.now() - started;
    expect(held.batchItemFailures).toHaveLength(1);
    expect(waited).toBeGreaterThanOrEqual(1500);
    expect(waited).toBeLessThan(10_000);
    expect(await emails(ses.url)).toHaveLength(1);
    const audit = async (type: string) =>
      (await listAudit(t.deps, tenantId, { limit: 100 })).items.filter((e) => e.type === type);
    expect(await audit('notification.failed')).toHaveLength(0);

    await fetch(`${ses.url}/quota`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max24HourSend: 1000 }),
    });
    // The redelivery (from the held record on; here the whole batch again) sends the rest once
    // the pacer has read the raised quota (at most 15 s on).
    const after = await handler({ Records: records }, context(50_000));
    expect(after.batchItemFailures).toEqual([]);
    const all = await emails(ses.url);
    expect(all).toHaveLength(mailed);
    expect(new Set(all.map((m) => `${m.destination.to[0]} ${m.subject}`)).size).toBe(mailed);
    expect(await audit('notification.sent')).toHaveLength(mailed);
    expect(await audit('notification.failed')).toHaveLength(0);
  }, 60_000);
});
