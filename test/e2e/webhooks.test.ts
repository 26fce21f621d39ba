import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { agentToken, auditOf, call, tenantWithPeople } from '../support/api.ts';
import { until } from '../support/until.ts';
import { signatureHeaders, startReceiver } from '../support/webhook-receiver.ts';

const receiver = await startReceiver((path) => (path.startsWith('/failing') ? 500 : 200));
afterAll(() => receiver.close());

describe('customer webhooks on the local stack', () => {
  it('a local receiver gets signed deliveries of a grant and a check within 5 s, that standardwebhooks verifies; Slack gets one sentence', async () => {
    const { tenantId, people } = await tenantWithPeople('hooks');
    const t = `/tenants/${tenantId}`;
    const added = await call('POST', `${t}/webhooks`, {
      token: people.admin,
      json: { url: receiver.url(`/${tenantId}/standard`), description: 'SIEM' },
    });
    expect(added.status, added.text).toBe(201);
    expect(added.body).toMatchObject({
      format: 'standard',
      locale: 'en',
      description: 'SIEM',
      createdBy: expect.any(String),
    });
    const { secret, webhookId } = added.body;
    expect(secret).toMatch(/^whsec_/);
    const slack = await call('POST', `${t}/webhooks`, {
      token: people.admin,
      json: {
        url: receiver.url(`/${tenantId}/slack`),
        format: 'slack',
        locale: 'de',
        eventTypes: ['grant.created'],
      },
    });
    expect(slack.status, slack.text).toBe(201);
    // Never listed with its secret.
    const listed = await call('GET', `${t}/webhooks`, { token: people.admin });
    expect(listed.body.webhooks).toHaveLength(2);
    expect(listed.text).not.toContain('whsec_');

    const granted = await call('POST', `${t}/grants`, {
      token: people.contact,
      json: { reason: 'Payroll export', durationSeconds: 3600 },
    });
    expect(granted.status).toBe(201);
    const checkedAt = Date.now();
    expect((await call('GET', `${t}/access`, { token: await agentToken() })).body.access).toBe(true);

    const deliveries = await until(
      async () => receiver.at(`/${tenantId}/standard`),
      (r) => r.some((d) => d.json.type === 'access.checked'),
      15_000,
      'the access check delivered',
    );
    const check = deliveries.find((d) => d.json.type === 'access.checked');
    expect((check?.at ?? 0) - checkedAt).toBeLessThan(5_000);
    for (const d of deliveries)
      expect(new StandardWebhook(secret).verify(d.body, signatureHeaders(d.headers))).toMatchObject({
        data: { tenantId },
      });
    expect(deliveries.map((d) => d.json.type)).toEqual(
      expect.arrayContaining(['webhook.added', 'grant.created', 'access.checked']),
    );
    const created = deliveries.find((d) => d.json.type === 'grant.created');
    expect(created?.headers['webhook-id']).toBe(created?.json.data.eventId);
    expect(created?.json.data).toMatchObject({
      grantId: granted.body.grantId,
      details: { reason: 'Payroll export' },
    });

    const [sentence] = await until(
      async () => receiver.at(`/${tenantId}/slack`),
      (r) => r.length > 0,
      15_000,
      'the Slack message',
    );
    expect(sentence?.headers['webhook-signature']).toBeUndefined();
    // Only the sentence, shown as typed (no Slack formatting of what people wrote).
    expect(Object.keys(sentence?.json).sort()).toEqual(['mrkdwn', 'text']);
    expect(sentence?.json.mrkdwn).toBe(false);
    expect(sentence?.json.text).toMatch(
      new RegExp(`^${tenantId}: .+ hat Supportzugriff bis .+ UTC gewährt \\(Payroll export\\)\\.$`),
    );

    // The delivery log: delivered, one attempt, the receiver's answer.
    const log = await call('GET', `${t}/webhooks/${webhookId}/deliveries?limit=100`, { token: people.admin });
    expect(log.status).toBe(200);
    expect(log.body.deliveries.find((d: { type: string }) => d.type === 'grant.created')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      responseStatus: 200,
      error: null,
      nextAttemptAt: null,
    });
  });

  it('test, rotate (both secrets verify for 24 h), a failing receiver is retried, an 11th webhook is 409; the audit log holds no secret', async () => {
    const { tenantId, people } = await tenantWithPeople('hooks2');
    const t = `/tenants/${tenantId}`;
    const add = (path: string, extra = {}) =>
      call('POST', `${t}/webhooks`, { token: people.admin, json: { url: receiver.url(path), ...extra } });
    const first = (await add(`/${tenantId}/a`, { eventTypes: ['support.activity'] })).body;
    const rotated = await call('POST', `${t}/webhooks/${first.webhookId}/rotate-secret`, {
      token: people.admin,
    });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['secret']);
    const tested = await call('POST', `${t}/webhooks/${first.webhookId}/test`, { token: people.admin });
    expect(tested.status).toBe(202);
    const [test] = await until(
      async () => receiver.at(`/${tenantId}/a`),
      (r) => r.length > 0,
      15_000,
      'the test delivery',
    );
    expect(test?.json).toMatchObject({
      type: 'webhook.test',
      data: { tenantId, webhookId: first.webhookId },
    });
    expect(test?.headers['webhook-id']).toBe(tested.body.eventId);
    for (const secret of [first.secret, rotated.body.secret])
      expect(
        new StandardWebhook(secret).verify(test?.body ?? '', signatureHeaders(test?.headers ?? {})),
      ).toBeTruthy();

    const failing = (await add(`/failing/${tenantId}`, { eventTypes: ['webhook.added'] })).body;
    const pending = await until(
      () => call('GET', `${t}/webhooks/${failing.webhookId}/deliveries`, { token: people.admin }),
      (r) => r.body.deliveries?.[0]?.attempts >= 2,
      30_000,
      'the failing delivery retried',
    );
    expect(pending.body.deliveries[0]).toMatchObject({
      status: 'pending',
      responseStatus: 500,
      error: 'unexpected-status',
    });
    expect(
      Date.parse(pending.body.deliveries[0].nextAttemptAt) -
        Date.parse(pending.body.deliveries[0].lastAttemptAt),
    ).toBe(300_000);

    for (let i = 0; i < 8; i++) expect((await add(`/${tenantId}/n${i}`)).status).toBe(201);
    const eleventh = await add(`/${tenantId}/eleventh`);
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.code).toBe('webhook-limit-reached');
    expect((await call('DELETE', `${t}/webhooks/${failing.webhookId}`, { token: people.admin })).status).toBe(
      204,
    );
    expect(
      (await call('GET', `${t}/webhooks/${failing.webhookId}/deliveries`, { token: people.admin })).status,
    ).toBe(404);
    const events = await auditOf(tenantId, people.admin);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['webhook.added', 'webhook.secret-rotated', 'webhook.removed']),
    );
    expect(JSON.stringify(events)).not.toContain('whsec_');
  }, 90_000);

  it('refuses every forbidden URL with 400 naming url, and stores nothing', async () => {
    const { tenantId, people } = await tenantWithPeople('hooks3');
    const t = `/tenants/${tenantId}`;
    for (const url of [
      'https://10.0.0.1/x',
      'https://192.168.0.10/x',
      'https://172.20.0.1/x',
      'https://100.64.1.1/x',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/x',
      'https://[fd00::1]/x',
      'https://[::ffff:10.0.0.1]/x',
      'https://[::ffff:a9fe:a9fe]/x',
      'https://167772161/x',
      'https://012.0.0.1/x',
      'https://0xa.0.0.1/x',
      'https://224.0.0.1/x',
      'https://0.0.0.0/x',
      'https://user:pw@hooks.example.com/x',
      'http://hooks.example.com/x',
      'http://10.0.0.1:8080/x',
      `https://hooks.example.com/${'a'.repeat(2001)}`,
      'javascript:alert(1)',
      'file:///etc/passwd',
    ]) {
      const r = await call('POST', `${t}/webhooks`, { token: people.admin, json: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.code).toBe('validation-failed');
      expect(
        r.body.errors.map((e: { path: string }) => e.path),
        url,
      ).toContain('url');
    }
    const slackElsewhere = await call('POST', `${t}/webhooks`, {
      token: people.admin,
      json: { url: 'https://hooks.example.com/services/x', format: 'slack' },
    });
    expect(slackElsewhere.status).toBe(400);
    expect((await call('GET', `${t}/webhooks`, { token: people.admin })).body.webhooks).toEqual([]);
    expect((await auditOf(tenantId, people.admin)).filter((e) => e.type.startsWith('webhook.'))).toEqual([]);
  });
});
