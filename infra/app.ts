import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  type Setting,
  STAGE_SETTING_KEYS,
  settings,
  stageSettingProblems,
} from '../functions/wiring/settings.ts';
import { SupportAccessStack } from './stack.ts';

/** Where each stage's settings are kept: `deploy/<stage>.json`. */
export const SETTINGS_DIR = join(import.meta.dirname, '..', 'deploy');

/**
 * The CDK app. A stage's settings (docs/deploy.md) are read from `deploy/<stage>.json`; a `-c
 * key=value` given on the command line wins over the file (tests, the local runtime). Required for
 * a real deployment: mailFrom, and either authDomainPrefix (Cognito hosted UI) or issuer +
 * audience + authorizeUrl + tokenUrl (an existing OIDC provider); `demo=true` fills them with
 * placeholders that deploy nothing useful (offline synth, tests, checks). Every setting, its
 * default and what it does: functions/wiring/settings.ts (the table in docs/operations.md); a
 * value its setting cannot read stops the synth, naming it.
 */
export function buildApp(
  app: App = new App(),
  settingsDir: string = SETTINGS_DIR,
): { app: App; stack: SupportAccessStack } {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!/^[a-z0-9-]{1,20}$/.test(stage))
    throw new Error(`context "stage" must be 1–20 of a-z, 0-9, "-"; got "${stage}"`);
  const file = readSettings(settingsDir, stage);
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key) ?? file.settings[key];
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const demo = context('demo') === 'true';
  const missing = demo ? [] : missingDeployContext(context);
  if (missing.length > 0) throw new Error(deployContextHelp(missing, stage, file.path));
  const problems = stageSettingProblems(context);
  if (problems.length > 0) throw new Error(`Stage "${stage}" (${file.path}): ${problems.join('; ')}`);
  /** A setting's value for this stage: as given (checked above), or its default. */
  const value = <T>(setting: Setting<T> & { context: string }): T =>
    setting.schema.parse(context(setting.context));
  const shards = value(settings.activeIndexShards);
  const recordedShards = file.settings.activeIndexShards;
  if (recordedShards !== undefined && shards < Number(recordedShards))
    throw new Error(
      `activeIndexShards ${shards} is below the ${recordedShards} in ${file.path}: ` +
        'lowering it hides the grants on the dropped shards. It may only be raised.',
    );
  const consoleDomain = context('consoleDomain');
  const certificateArn = context('consoleCertificateArn');
  if (Boolean(consoleDomain) !== Boolean(certificateArn))
    throw new Error('consoleDomain and consoleCertificateArn go together: the domain needs its certificate');
  if (certificateArn && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\//.test(certificateArn))
    throw new Error(
      `consoleCertificateArn must be an ACM certificate in us-east-1 (CloudFront's region); got "${certificateArn}"`,
    );
  const consoleOrigin = context('consoleOrigin');
  const issuer = context('issuer');
  const stack = new SupportAccessStack(app, `SupportAccess-${stage}`, {
    description: `Support access grants (${stage})`,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    stage,
    mailFrom: context('mailFrom') ?? 'support-access@vendor.example',
    mailDomain: context('mailDomain'),
    existingMailIdentity: context('existingMailIdentity'),
    consoleDomain: consoleDomain && certificateArn ? { name: consoleDomain, certificateArn } : undefined,
    consoleOrigin,
    consoleCallbackUrls: context('consoleCallbackUrls')
      ?.split(',')
      .map((u) => u.trim()),
    issuer: issuer
      ? {
          issuer,
          audience: (context('audience') ?? '').split(',').filter(Boolean),
          jwksUrl: context('jwksUrl') ?? `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
          rolesClaim: value(settings.rolesClaim),
          tenantClaim: value(settings.tenantClaim),
          emailClaim: value(settings.emailClaim),
          emailVerifiedClaim: value(settings.emailVerifiedClaim),
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
    settings: Object.fromEntries(
      STAGE_SETTING_KEYS.flatMap((key) => {
        const value = context(key);
        return value === undefined ? [] : [[key, value]];
      }),
    ),
    activeIndexShards: shards,
    consoleUrl: context('consoleUrl'),
    mailBrandName: context('mailBrandName'),
    throttle: { rateLimit: value(settings.apiRateLimit), burstLimit: value(settings.apiBurstLimit) },
    publicThrottle: {
      rateLimit: value(settings.publicRateLimit),
      burstLimit: value(settings.publicBurstLimit),
    },
    eventBusRuleAccounts: (context('eventBusRuleAccounts') ?? '')
      .split(',')
      .map((account) => account.trim())
      .filter(Boolean),
  });
  if (issuer && !(context('audience') ?? '')) throw new Error('context "audience" is required with "issuer"');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** `deploy/<stage>.json`: a flat object of settings (strings, numbers, booleans); none is fine. */
function readSettings(dir: string, stage: string): { path: string; settings: Record<string, unknown> } {
  const path = join(dir, `${stage}.json`);
  if (!existsSync(path)) return { path, settings: {} };
  const settings = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new Error(`${path} must hold one JSON object of settings`);
  for (const [key, value] of Object.entries(settings))
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new Error(`${path}: "${key}" must be a string, number or boolean`);
  if ('stage' in settings) throw new Error(`${path}: the stage is the file's name, not a setting`);
  const unknown = Object.keys(settings).filter((key) => !STAGE_SETTING_KEYS.includes(key));
  if (unknown.length > 0)
    throw new Error(
      `${path}: unknown setting ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${STAGE_SETTING_KEYS.join(', ')}`,
    );
  return { path, settings: settings as Record<string, unknown> };
}

/** What a real deployment must be told; an empty list when it has it all. */
function missingDeployContext(context: (key: string) => string | undefined): string[] {
  const missing: string[] = [];
  if (!context('mailFrom')) missing.push('mailFrom: the verified SES sender of every email');
  if (!context('authDomainPrefix') && !context('issuer'))
    missing.push(
      'authDomainPrefix: the Cognito hosted-UI domain prefix to sign in with — or issuer + audience of an existing OIDC provider',
    );
  if (context('issuer') && !context('audience')) missing.push('audience: required with issuer');
  if (context('issuer') && !context('jwksUrl'))
    missing.push("jwksUrl: the issuer's JSON Web Key Set (jwks_uri of its discovery document)");
  if (context('issuer') && !(context('authorizeUrl') && context('tokenUrl')))
    missing.push(
      "authorizeUrl and tokenUrl: the issuer's endpoints the console signs in with (consoleClientId, if it is not the first audience)",
    );
  return missing;
}

function deployContextHelp(missing: string[], stage: string, path: string): string {
  const example = {
    mailFrom: 'support-access@vendor.example',
    authDomainPrefix: `vendor-support-access-${stage}`,
    alarmEmail: 'oncall@vendor.example',
  };
  return [
    `Stage "${stage}" needs settings it was not given (in ${path}):`,
    ...missing.map((m) => `  - ${m}`),
    `For example, ${path}:`,
    JSON.stringify(example, null, 2),
    'To synthesize offline with placeholders instead (tests, checks; deploys nothing useful): -c demo=true',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
