import type { GrantPolicy } from '../domain/grant.ts';
import * as z from '../validation/zod.ts';
import { type Group, type InGroup, inGroups } from './settings.ts';

type Section<G extends Group> = { [S in InGroup<G> as S['variable']]: z.infer<S['schema']> };

/**
 * Configuration from the environment, read once per cold start and validated; a missing or
 * malformed variable fails fast with its name. Sections are separate so each function only
 * needs the variables it uses; which variables a section holds, what they mean and their
 * defaults is settings.ts (a setting of a section is read here with no further line).
 */
function section<G extends Group>(group: G) {
  // Built on first read: a function reads only the sections it needs.
  let schema: z.ZodMiniType | undefined;
  let cached: Section<G> | undefined;
  return (env: NodeJS.ProcessEnv = process.env): Section<G> => {
    if (cached && env === process.env) return cached;
    schema ??= z.object(Object.fromEntries(inGroups(group).map((s) => [s.variable, s.schema])));
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
      throw new Error(`Invalid configuration: ${problems}`);
    }
    const config = parsed.data as Section<G>;
    if (env === process.env) cached = config;
    return config;
  };
}

export const tableConfig = section('table');

export const policyConfig = section('policy');

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

export const claimsConfig = section('claims');

/**
 * The identity provider, for the one function that checks a bearer token itself (an emailed
 * link that gives support more access): the same issuer and audiences as API Gateway's JWT
 * authorizer, and the issuer's key set.
 */
export const signInConfig = section('signIn');

export const schedulerConfig = section('scheduler');

export const mailConfig = section('mail');

/**
 * The Secrets Manager secret whose versions sign list cursors, read at run time (never a key in
 * the environment). Locally the runtime answers for it with a key kept under the data folder.
 */
export const cursorConfig = section('cursor');

export const eventBusConfig = section('eventBus');

/** Every AWS SDK client's timeouts, when set: a hung connection fails the call, not the function. */
export const sdkConfig = section('sdk');

/** Customer webhooks: whether deliveries may go to loopback receivers (`npm start` only). */
export const webhookConfig = section('webhooks');

/** Read when the retry driver is first woken: only its senders (and the test route) wake it. */
export const retryWakeUpConfig = section('retryWakeUps');
