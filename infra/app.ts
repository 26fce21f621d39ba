import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SupportAccessStack } from './stack.ts';

/**
 * The CDK app. Context keys (docs/deploy.md): required for a real deployment are mailFrom,
 * consoleOrigin, and either authDomainPrefix (Cognito hosted UI) or issuer + audience (an
 * existing OIDC provider); `demo=true` fills them with placeholders that deploy nothing useful
 * (for offline synth, tests and checks). Optional: stage, mailDomain, consoleCallbackUrls
 * (comma-separated), rolesClaim, tenantClaim, emailClaim, emailVerifiedClaim, authorizeUrl,
 * tokenUrl, consoleClientId (the console's sign-in at an external issuer), alarmEmail,
 * grantMinSeconds, grantMaxSeconds, reminderBeforeSeconds, instructionConfirmSeconds, consoleUrl (where emailed links point;
 * default consoleOrigin), mailBrandName (the vendor's name in every mail's header), apiRateLimit, apiBurstLimit, activeIndexShards (write sharding of the
 * active-grant index, 1–32, default 1; only raise it).
 */
export function buildApp(app: App = new App()): { app: App; stack: SupportAccessStack } {
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const stage = context('stage') ?? 'dev';
  if (!/^[a-z0-9-]{1,20}$/.test(stage))
    throw new Error(`context "stage" must be 1–20 of a-z, 0-9, "-"; got "${stage}"`);
  const demo = context('demo') === 'true';
  const missing = demo ? [] : missingDeployContext(context);
  if (missing.length > 0) throw new Error(deployContextHelp(missing, stage));
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
          console:
            context('authorizeUrl') && context('tokenUrl')
              ? {
                  authorizeUrl: context('authorizeUrl') as string,
                  tokenUrl: context('tokenUrl') as string,
                  clientId: context('consoleClientId') ?? (context('audience') ?? '').split(',')[0] ?? '',
                }
              : undefined,
        }
      : undefined,
    authDomainPrefix: context('authDomainPrefix'),
    alarmEmail: context('alarmEmail'),
    grantMinSeconds: context('grantMinSeconds') ? Number(context('grantMinSeconds')) : undefined,
    grantMaxSeconds: context('grantMaxSeconds') ? Number(context('grantMaxSeconds')) : undefined,
    reminderBeforeSeconds: context('reminderBeforeSeconds')
      ? Number(context('reminderBeforeSeconds'))
      : undefined,
    instructionConfirmSeconds: context('instructionConfirmSeconds')
      ? Number(context('instructionConfirmSeconds'))
      : undefined,
    activeIndexShards: context('activeIndexShards') ? Number(context('activeIndexShards')) : undefined,
    consoleUrl: context('consoleUrl') ?? consoleOrigin,
    mailBrandName: context('mailBrandName'),
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

/** What a real deployment must be told; an empty list when it has it all. */
function missingDeployContext(context: (key: string) => string | undefined): string[] {
  const missing: string[] = [];
  if (!context('mailFrom')) missing.push('mailFrom: the verified SES sender of every email');
  if (!context('consoleOrigin'))
    missing.push('consoleOrigin: the https origin the console is served from (CORS, sign-in callback)');
  if (!context('authDomainPrefix') && !context('issuer'))
    missing.push(
      'authDomainPrefix: the Cognito hosted-UI domain prefix to sign in with — or issuer + audience of an existing OIDC provider',
    );
  if (context('issuer') && !context('audience')) missing.push('audience: required with issuer');
  if (context('issuer') && !(context('authorizeUrl') && context('tokenUrl')))
    missing.push(
      "authorizeUrl and tokenUrl: the issuer's endpoints the console signs in with (consoleClientId, if it is not the first audience)",
    );
  return missing;
}

function deployContextHelp(missing: string[], stage: string): string {
  const example = {
    stage,
    mailFrom: 'support-access@vendor.example',
    consoleOrigin: 'https://support-access.vendor.example',
    authDomainPrefix: `vendor-support-access-${stage}`,
    alarmEmail: 'oncall@vendor.example',
  };
  return [
    'This deployment needs settings it was not given (cdk -c key=value, or cdk.context.json):',
    ...missing.map((m) => `  - ${m}`),
    'For example, cdk.context.json:',
    JSON.stringify(example, null, 2),
    'To synthesize offline with placeholders instead (tests, checks; deploys nothing useful): -c demo=true',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
