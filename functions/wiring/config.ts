import { DEFAULT_POLICY, DEFAULT_REMINDER_BEFORE_SECONDS, type GrantPolicy } from '../domain/grant.ts';
import { DEFAULT_BRAND_NAME } from '../email/style.ts';
import * as z from '../validation/zod.ts';

/**
 * Configuration from the environment, read once per cold start and validated; a missing or
 * malformed variable fails fast with its name. Sections are separate so each function only
 * needs the variables it uses.
 */
function section<T extends Record<string, z.ZodMiniType>>(shape: T) {
  const schema = z.object(shape);
  let cached: z.infer<typeof schema> | undefined;
  return (env: NodeJS.ProcessEnv = process.env): z.infer<typeof schema> => {
    if (cached && env === process.env) return cached;
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid configuration: ${problems}`);
    }
    if (env === process.env) cached = parsed.data;
    return parsed.data;
  };
}

const required = (name: string) =>
  z.string({ error: `${name} is required` }).check(z.minLength(1, `${name} is required`));
const wholeNumber = (name: string, fallback: number) =>
  z.pipe(
    z.optional(z.string().check(z.regex(/^\d+$/, `${name} must be a whole number`))),
    z.transform((v: string | undefined) => (v === undefined ? fallback : Number(v))),
  );
const withDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string().check(z.minLength(1))),
    z.transform((v: string | undefined) => v ?? fallback),
  );

export const tableConfig = section({
  TABLE_NAME: required('TABLE_NAME'),
  /** Index partitions the active-grant and reminder lists are spread over (write sharding). */
  ACTIVE_INDEX_SHARDS: wholeNumber('ACTIVE_INDEX_SHARDS', 1),
});

export const policyConfig = section({
  GRANT_MIN_SECONDS: wholeNumber('GRANT_MIN_SECONDS', DEFAULT_POLICY.minSeconds),
  GRANT_MAX_SECONDS: wholeNumber('GRANT_MAX_SECONDS', DEFAULT_POLICY.maxSeconds),
  /** How long before a deadline every contact is reminded; 0 turns reminders off. */
  REMINDER_BEFORE_SECONDS: wholeNumber('REMINDER_BEFORE_SECONDS', DEFAULT_REMINDER_BEFORE_SECONDS),
  /** How long a second contact has to confirm an account deletion before it lapses. */
  INSTRUCTION_CONFIRM_SECONDS: wholeNumber('INSTRUCTION_CONFIRM_SECONDS', 259_200),
});

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

/** Claim names, configurable for identity providers that name them differently. */
export const claimsConfig = section({
  ROLES_CLAIM: withDefault('roles'),
  TENANT_CLAIM: withDefault('tenant_id'),
  EMAIL_CLAIM: withDefault('email'),
  /** True (boolean or "true") when the identity provider verified the email. */
  EMAIL_VERIFIED_CLAIM: withDefault('email_verified'),
});

/**
 * The identity provider, for the one function that checks a bearer token itself (an emailed
 * link that gives support more access): the same issuer and audiences as API Gateway's JWT
 * authorizer, and the issuer's key set.
 */
export const signInConfig = section({
  JWT_ISSUER: required('JWT_ISSUER'),
  /** Comma-separated, as the authorizer's audience list. */
  JWT_AUDIENCE: z.pipe(
    required('JWT_AUDIENCE'),
    z.transform((v: string) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ),
  JWT_JWKS_URL: z
    .string({ error: 'JWT_JWKS_URL is required' })
    .check(z.regex(/^https?:\/\/[^\s]+$/, 'JWT_JWKS_URL must be an http(s) URL')),
});

export const schedulerConfig = section({
  SCHEDULE_GROUP: required('SCHEDULE_GROUP'),
  EXPIRY_FUNCTION_ARN: required('EXPIRY_FUNCTION_ARN'),
  SCHEDULER_ROLE_ARN: required('SCHEDULER_ROLE_ARN'),
  SCHEDULE_DLQ_ARN: required('SCHEDULE_DLQ_ARN'),
  SCHEDULE_MAX_RETRIES: wholeNumber('SCHEDULE_MAX_RETRIES', 10),
  SCHEDULE_MAX_EVENT_AGE_SECONDS: wholeNumber('SCHEDULE_MAX_EVENT_AGE_SECONDS', 3600),
});

export const mailConfig = section({
  MAIL_FROM: required('MAIL_FROM'),
  /** The vendor's name in every mail's header: one line, what the contacts know the vendor by. */
  MAIL_BRAND_NAME: z.pipe(
    withDefault(DEFAULT_BRAND_NAME),
    z
      .string()
      .check(
        z.maxLength(60, 'MAIL_BRAND_NAME must be at most 60 characters'),
        z.regex(/^[^\p{Cc}\u2028\u2029]+$/u, 'MAIL_BRAND_NAME must be one line'),
      ),
  ),
  /** Where emailed one-click links point (`<CONSOLE_URL>/act#<token>`); the local console by default. */
  CONSOLE_URL: z.pipe(
    withDefault('http://127.0.0.1:3000'),
    z.string().check(z.regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'CONSOLE_URL must be an http(s) URL')),
  ),
});

/**
 * The Secrets Manager secret whose versions sign list cursors, read at run time (never a key in
 * the environment). Locally the runtime answers for it with a key kept under the data folder.
 */
export const cursorConfig = section({ CURSOR_KEY_SECRET_ARN: required('CURSOR_KEY_SECRET_ARN') });

/** The vendor's event bus, for the event publisher. */
export const eventBusConfig = section({ EVENT_BUS_NAME: required('EVENT_BUS_NAME') });

/**
 * Customer webhooks: loopback receivers (`http://127.0.0.1:<port>/`) are allowed only when the
 * local runtime sets this; the stack never does, so in AWS no delivery reaches a loopback address.
 */
export const webhookConfig = section({
  WEBHOOKS_ALLOW_LOOPBACK: z.pipe(
    z.optional(z.enum(['true', 'false'], { error: 'WEBHOOKS_ALLOW_LOOPBACK must be "true" or "false"' })),
    z.transform((v: 'true' | 'false' | undefined) => v === 'true'),
  ),
});
