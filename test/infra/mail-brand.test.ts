import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { buildConsoleIfStale } from '../../local/console.ts';

type Resource = { Type: string; Properties: Record<string, any> };

/** The notifier's environment in the stack built with this context. */
function notifierEnvironment(context: Record<string, string>): Record<string, unknown> {
  const { stack } = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [], demo: 'true', ...context } }),
  );
  const notifier = Object.values(
    Template.fromStack(stack).toJSON().Resources as Record<string, Resource>,
  ).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      String(r.Properties.Description).startsWith('Emails every contact'),
  );
  return notifier?.Properties.Environment?.Variables ?? {};
}

beforeAll(() => buildConsoleIfStale(), 60_000);

describe('the vendor’s name in the mails', () => {
  it('context mailBrandName becomes the notifier’s MAIL_BRAND_NAME; without it the notifier’s default holds', () => {
    expect(notifierEnvironment({ mailBrandName: 'Payroll Cloud' }).MAIL_BRAND_NAME).toBe('Payroll Cloud');
    expect(notifierEnvironment({})).not.toHaveProperty('MAIL_BRAND_NAME');
  });
});
