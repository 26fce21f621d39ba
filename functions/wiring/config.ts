import type { GrantPolicy } from '../domain/grant.ts';
import * as z from '../validation/zod.ts';
import { type FunctionSetting, settings } from './settings.ts';

type Section<S extends readonly FunctionSetting[]> = {
  [K in S[number] as K['variable']]: z.infer<K['schema']>;
};

/**
 * Configuration from the environment, read once per cold start and validated; a missing or
 * malformed variable fails fast with its name. Sections are separate so each function only
 * needs the variables it uses; what each variable means and defaults to is in settings.ts.
 */
function section<const S extends readonly FunctionSetting[]>(...list: S) {
  const schema = z.object(Object.fromEntries(list.map((s) => [s.variable, s.schema])));
  let cached: Section<S> | undefined;
  return (env: NodeJS.ProcessEnv = process.env): Section<S> => {
    if (cached && env === process.env) return cached;
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
      throw new Error(`Invalid configuration: ${problems}`);
    }
    const config = parsed.data as Section<S>;
    if (env === process.env) cached = config;
    return config;
  };
}

export const tableConfig = section(settings.tableName, settings.activeIndexShards);

export const policyConfig = section(
  settings.grantMinSeconds,
  settings.grantMaxSeconds,
  settings.reminderBeforeSeconds,
  settings.instructionConfirmSeconds,
);

export function grantPolicy(env: NodeJS.ProcessEnv = process.env): GrantPolicy {
  const config = policyConfig(env);
  if (config.GRANT_MIN_SECONDS > config.GRANT_MAX_SECONDS) {
    throw new Error('Invalid configuration: GRANT_MIN_SECONDS must not exceed GRANT_MAX_SECONDS');
  }
  return {
    minSeconds: config.GRANT_MIN_SECONDS,
    maxSeconds: config.GRANT_MAX_SECONDS,
    reminderBeforeSeconds: config.REMINDER_BEFORE_SECONDS,
    instructionConfirmSeconds: config.INSTRUCTION_CONFIRM_SECONDS,
  };
}

export const claimsConfig = section(
  settings.rolesClaim,
  settings.tenantClaim,
  settings.emailClaim,
  settings.emailVerifiedClaim,
);

/**
 * The identity provider, for the one function that checks a bearer token itself (an emailed
 * link that gives support more access): the same issuer and audiences as API Gateway's JWT
 * authorizer, and the issuer's key set.
 */
export const signInConfig = section(settings.issuer, settings.audience, settings.jwksUrl);

export const schedulerConfig = section(
  settings.scheduleGroup,
  settings.expiryFunctionArn,
  settings.schedulerRoleArn,
  settings.scheduleDlqArn,
  settings.scheduleMaxRetries,
  settings.scheduleMaxEventAgeSeconds,
);

export const mailConfig = section(settings.mailFrom, settings.mailBrandName, settings.consoleUrl);

/**
 * The Secrets Manager secret whose versions sign list cursors, read at run time (never a key in
 * the environment). Locally the runtime answers for it with a key kept under the data folder.
 */
export const cursorConfig = section(settings.cursorKeySecretArn);

export const eventBusConfig = section(settings.eventBusName);
