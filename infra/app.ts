import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupportAccessStack } from './stack.ts';

/**
 * The CDK app. Context keys (all optional; see docs/deploy.md):
 * stage, mailFrom, mailDomain, consoleOrigin, consoleCallbackUrls (comma-separated),
 * issuer + audience (+ rolesClaim, tenantClaim, emailClaim, emailVerifiedClaim) for an existing OIDC provider,
 * authDomainPrefix, alarmEmail, grantMinSeconds, grantMaxSeconds, apiRateLimit, apiBurstLimit.
 */
export function buildApp(app: App = new App()): { app: App; stack: SupportAccessStack } {
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const stage = context('stage') ?? 'dev';
  if (!/^[a-z0-9-]{1,20}$/.test(stage))
    throw new Error(`context "stage" must be 1–20 of a-z, 0-9, "-"; got "${stage}"`);
  const consoleOrigin = context('consoleOrigin') ?? 'http://localhost:3000';
  const issuer = context('issuer');
  const stack = new SupportAccessStack(app, `SupportAccess-${stage}`, {
    description: `Support access grants (${stage})`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    mailFrom: context('mailFrom') ?? 'support-access@example.com',
    mailDomain: context('mailDomain'),
    consoleOrigin,
    consoleCallbackUrls: (context('consoleCallbackUrls') ?? `${consoleOrigin}/`)
      .split(',')
      .map((u) => u.trim()),
    issuer: issuer
      ? {
          issuer,
          audience: (context('audience') ?? '').split(',').filter(Boolean),
          rolesClaim: context('rolesClaim') ?? 'roles',
          tenantClaim: context('tenantClaim') ?? 'tenant_id',
          emailClaim: context('emailClaim') ?? 'email',
          emailVerifiedClaim: context('emailVerifiedClaim') ?? 'email_verified',
        }
      : undefined,
    authDomainPrefix: context('authDomainPrefix'),
    alarmEmail: context('alarmEmail'),
    grantMinSeconds: context('grantMinSeconds') ? Number(context('grantMinSeconds')) : undefined,
    grantMaxSeconds: context('grantMaxSeconds') ? Number(context('grantMaxSeconds')) : undefined,
    throttle:
      context('apiRateLimit') || context('apiBurstLimit')
        ? {
            rateLimit: Number(context('apiRateLimit') ?? 500),
            burstLimit: Number(context('apiBurstLimit') ?? 1000),
          }
        : undefined,
  });
  if (issuer && !(context('audience') ?? '')) throw new Error('context "audience" is required with "issuer"');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
