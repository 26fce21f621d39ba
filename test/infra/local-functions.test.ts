import { describe, expect, it } from 'vitest';
import { buildConsoleIfStale } from '../../local/console.ts';
import { synthesizedEnvironments } from '../../local/environments.ts';

const context = {
  stage: 'localtest',
  mailFrom: 'support@vendor.example',
  consoleOrigin: 'http://127.0.0.1:3000',
  issuer: 'http://127.0.0.1:8020',
  audience: 'support-access-console',
  authorizeUrl: 'http://127.0.0.1:8020/auth',
  tokenUrl: 'http://127.0.0.1:8020/token',
  jwksUrl: 'http://127.0.0.1:8020/jwks',
};
const local = {
  TABLE_NAME: 'local-table',
  CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:cursor',
  SCHEDULE_GROUP: 'local-group',
  EXPIRY_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:000000000000:function:expire',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/scheduler',
  SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:dlq',
  EVENT_BUS_NAME: 'local-bus',
  RETRY_SCHEDULE_GROUP: 'local-wake-ups',
  RETRY_FUNCTION_ARN: 'arn:aws:lambda:eu-central-1:000000000000:function:retry',
  RETRY_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/wake-ups',
};

describe('the local runtime gives each function the environment the synthesized stack gives it', () => {
  it('maps the stack resources to the local ones and keeps every plain value per function', async () => {
    await buildConsoleIfStale();
    const environments = synthesizedEnvironments(context, local);
    expect(environments.notify).toMatchObject({
      TABLE_NAME: 'local-table',
      MAIL_FROM: 'support@vendor.example',
    });
    expect(environments.checkAccess).toMatchObject({
      TABLE_NAME: 'local-table',
      CURSOR_KEY_SECRET_ARN: local.CURSOR_KEY_SECRET_ARN,
      POWERTOOLS_METRICS_NAMESPACE: 'SupportAccess/localtest',
      ROLES_CLAIM: 'roles',
      EMAIL_VERIFIED_CLAIM: 'email_verified',
    });
    // Only what each function is given: no mail settings in the API, the Scheduler only where it schedules.
    expect(environments.checkAccess).not.toHaveProperty('MAIL_FROM');
    expect(environments.checkAccess).not.toHaveProperty('SCHEDULE_GROUP');
    expect(environments.createGrant).toMatchObject({
      SCHEDULE_GROUP: 'local-group',
      EXPIRY_FUNCTION_ARN: local.EXPIRY_FUNCTION_ARN,
    });
    // The link function checks sign-ins itself, against what the authorizer checks; no other function does.
    expect(environments.useActionLink).toMatchObject({
      JWT_ISSUER: 'http://127.0.0.1:8020',
      JWT_AUDIENCE: 'support-access-console',
      JWT_JWKS_URL: 'http://127.0.0.1:8020/jwks',
    });
    expect(environments.viewActionLink).not.toHaveProperty('JWT_JWKS_URL');
    expect(environments.checkAccess).not.toHaveProperty('JWT_ISSUER');
    // The publisher is given its bus and nothing of the table.
    expect(environments.publishEvents).toMatchObject({ EVENT_BUS_NAME: 'local-bus' });
    expect(environments.publishEvents).not.toHaveProperty('TABLE_NAME');
    // What wakes the webhook retry driver is given its wake-ups; the driver names itself.
    for (const name of ['deliverWebhooks', 'testWebhook'])
      expect(environments[name], name).toMatchObject({
        RETRY_SCHEDULE_GROUP: 'local-wake-ups',
        RETRY_FUNCTION_ARN: local.RETRY_FUNCTION_ARN,
        RETRY_SCHEDULER_ROLE_ARN: local.RETRY_SCHEDULER_ROLE_ARN,
      });
    expect(environments.retryWebhooks).toMatchObject({ RETRY_SCHEDULE_GROUP: 'local-wake-ups' });
    expect(environments.retryWebhooks).not.toHaveProperty('RETRY_FUNCTION_ARN');
    expect(environments.addWebhook).not.toHaveProperty('RETRY_SCHEDULE_GROUP');
    expect(Object.keys(environments).length).toBeGreaterThan(15);
  }, 60_000);

  it('refuses to start a function whose stack reference has no local counterpart, naming both', () => {
    const { CURSOR_KEY_SECRET_ARN: _missing, ...withoutKey } = local;
    expect(() => synthesizedEnvironments({ ...context, stage: 'localtest2' }, withoutKey)).toThrow(
      /CURSOR_KEY_SECRET_ARN names a stack resource that has no local counterpart/,
    );
  }, 60_000);
});
