import { MAX_INDEX_SHARDS } from '../adapters/dynamodb/shards.ts';
import { DEFAULT_POLICY, DEFAULT_REMINDER_BEFORE_SECONDS } from '../domain/grant.ts';
import { DEFAULT_BRAND_NAME } from '../email/style.ts';
import * as z from '../validation/zod.ts';

/** Settings read together: one section of the functions' configuration (config.ts). */
export type Group =
  | 'table'
  | 'policy'
  | 'claims'
  | 'signIn'
  | 'scheduler'
  | 'mail'
  | 'cursor'
  | 'eventBus'
  | 'webhooks'
  | 'retryWakeUps'
  | 'sdk';

export interface Setting<T = unknown> {
  /** The section of the functions' configuration that reads it, if they read it. */
  readonly group?: Group;
  /** The environment variable the functions read, if they read it. */
  readonly variable?: string;
  /** The key of a stage's settings file, if a stage sets it. */
  readonly context?: string;
  /**
   * Reads the text form (a variable, or a stage's value as text): absent is `undefined`. Its
   * messages name no setting; whoever reads says which one failed.
   */
  readonly schema: z.ZodMiniType<T, string | undefined>;
  /** The default as the docs show it: a value, `required`, or what stands in. */
  readonly shown: string;
  /** One line: what it does. */
  readonly description: string;
  /** `npm start` hands this variable of its own environment on to the local stack. */
  readonly local?: boolean;
}

/**
 * A setting's schema is built when it is first read and then kept on the setting: a function
 * reads one or two sections, and building every setting's schema on load was a share of every
 * cold start.
 */
const kept = <S>(setting: object, schema: S): S => {
  Object.defineProperty(setting, 'schema', { value: schema, enumerable: true });
  return schema;
};
const text = () => z.string({ error: 'is required' });
const required = () => text().check(z.minLength(1, 'is required'));
const optionalText = () => z.optional(z.string().check(z.minLength(1, 'must not be empty')));
const withDefault = (fallback: string) =>
  z.pipe(
    z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
    z.transform((v: string | undefined) => v ?? fallback),
  );
const wholeNumber = (fallback: number, max = Number.MAX_SAFE_INTEGER, min = 0) =>
  z.pipe(
    z.optional(
      z.string().check(
        z.regex(/^\d+$/, 'must be a whole number'),
        z.refine((v) => !/^\d+$/.test(v) || (Number(v) >= min && Number(v) <= max), `must be ${min}–${max}`),
      ),
    ),
    z.transform((v: string | undefined) => (v === undefined ? fallback : Number(v))),
  );
const optionalWholeNumber = () =>
  z.pipe(
    z.optional(z.string().check(z.regex(/^\d+$/, 'must be a whole number'))),
    z.transform((v: string | undefined) => (v === undefined ? undefined : Number(v))),
  );
const number = (fallback: number) =>
  z.pipe(
    z.optional(z.string().check(z.regex(/^\d+(\.\d+)?$/, 'must be a number'))),
    z.transform((v: string | undefined) => (v === undefined ? fallback : Number(v))),
  );
const httpUrl = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const list = () =>
  z.pipe(
    required(),
    z.transform((v: string) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  );
/** Shown with a space every three digits, as the docs write numbers. */
const shownNumber = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const seconds = <V extends string>(variable: V, context: string, fallback: number, description: string) =>
  ({
    group: 'policy',
    variable,
    context,
    get schema() {
      return kept(this, wholeNumber(fallback));
    },
    shown: shownNumber(fallback),
    description,
    local: true,
  }) as const;
const claim = <V extends string>(variable: V, context: string, fallback: string, description: string) =>
  ({
    group: 'claims',
    variable,
    context,
    get schema() {
      return kept(this, withDefault(fallback));
    },
    shown: `\`${fallback}\``,
    description,
  }) as const;
const stackResource = <G extends Group, V extends string>(group: G, variable: V, description: string) =>
  ({
    group,
    variable,
    get schema() {
      return kept(this, required());
    },
    shown: 'the stack’s',
    description,
  }) as const;
const stageOnly = (context: string, shown: string, description: string) =>
  ({
    context,
    get schema() {
      return kept(this, optionalText());
    },
    shown,
    description,
  }) as const;
const throttle = (context: string, fallback: number, description: string) =>
  ({
    context,
    get schema() {
      return kept(this, number(fallback));
    },
    shown: shownNumber(fallback),
    description,
  }) as const;

/**
 * Every setting of the product, once: the functions' environment variable, the stage's key
 * (`deploy/<stage>.json`, or `-c key=value`), how its text is read, its default and what it does.
 * Adding one is one entry here: the section of config.ts named by its `group` reads it, a stage's
 * file accepts its key and the CDK app checks its value, `npm start` hands it on when `local`, and
 * `npm run docs` lists it in docs/operations.md. The stack gives a stage's values of the `table`
 * and `policy` sections to every table function; a new section's take one `environmentOf` where
 * its function is built.
 */
export const settings = {
  demo: stageOnly('demo', '—', '`true`: placeholders for what a real stage must name (offline synth, tests)'),
  tableName: stackResource('table', 'TABLE_NAME', 'the single table (locally `support-access-local`)'),
  activeIndexShards: {
    group: 'table',
    variable: 'ACTIVE_INDEX_SHARDS',
    context: 'activeIndexShards',
    get schema() {
      return kept(this, wholeNumber(1, MAX_INDEX_SHARDS, 1));
    },
    shown: '1',
    description: `index partitions of the active-grant and reminder lists (1–${MAX_INDEX_SHARDS}); raise beyond about 1 000 grant changes a second, never lower`,
    local: true,
  },
  grantMinSeconds: seconds(
    'GRANT_MIN_SECONDS',
    'grantMinSeconds',
    DEFAULT_POLICY.minSeconds,
    'the shortest grant',
  ),
  grantMaxSeconds: seconds(
    'GRANT_MAX_SECONDS',
    'grantMaxSeconds',
    DEFAULT_POLICY.maxSeconds,
    'the longest grant (122 days)',
  ),
  reminderBeforeSeconds: seconds(
    'REMINDER_BEFORE_SECONDS',
    'reminderBeforeSeconds',
    DEFAULT_REMINDER_BEFORE_SECONDS,
    'how long before a deadline every contact is reminded; `0`: no reminders',
  ),
  instructionConfirmSeconds: seconds(
    'INSTRUCTION_CONFIRM_SECONDS',
    'instructionConfirmSeconds',
    259_200,
    'how long a second contact has to confirm an account deletion before it lapses',
  ),
  rolesClaim: claim(
    'ROLES_CLAIM',
    'rolesClaim',
    'roles',
    'the roles claim of the issuer (Cognito: `cognito:groups`)',
  ),
  tenantClaim: claim(
    'TENANT_CLAIM',
    'tenantClaim',
    'tenant_id',
    'the tenant claim of the issuer (Cognito: `custom:tenant_id`)',
  ),
  emailClaim: claim('EMAIL_CLAIM', 'emailClaim', 'email', 'the email claim of the issuer'),
  emailVerifiedClaim: claim(
    'EMAIL_VERIFIED_CLAIM',
    'emailVerifiedClaim',
    'email_verified',
    'true (boolean or `"true"`) when the issuer verified the email',
  ),
  issuer: {
    group: 'signIn',
    variable: 'JWT_ISSUER',
    context: 'issuer',
    get schema() {
      return kept(this, required());
    },
    shown: 'the Cognito pool',
    description: 'an existing OpenID issuer instead of the stack’s Cognito pool',
  },
  audience: {
    group: 'signIn',
    variable: 'JWT_AUDIENCE',
    context: 'audience',
    get schema() {
      return kept(this, list());
    },
    shown: 'required with `issuer`',
    description: 'the audiences the JWT authorizer accepts, comma-separated',
  },
  jwksUrl: {
    group: 'signIn',
    variable: 'JWT_JWKS_URL',
    context: 'jwksUrl',
    get schema() {
      return kept(this, text().check(z.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')));
    },
    shown: 'required with `issuer`',
    description:
      'the issuer’s key set (`jwks_uri`): the emailed-link function checks extend and confirm sign-ins itself',
  },
  authorizeUrl: stageOnly(
    'authorizeUrl',
    'required with `issuer`',
    'the issuer’s authorization endpoint the console signs in at',
  ),
  tokenUrl: stageOnly('tokenUrl', 'required with `issuer`', 'the issuer’s token endpoint'),
  consoleClientId: stageOnly(
    'consoleClientId',
    'the first audience',
    'the console’s client id at that issuer',
  ),
  authDomainPrefix: stageOnly(
    'authDomainPrefix',
    'required unless `issuer`',
    'the Cognito hosted-UI domain prefix (the console signs in there)',
  ),
  scheduleGroup: stackResource(
    'scheduler',
    'SCHEDULE_GROUP',
    'the schedule group of the grants’ one-time schedules',
  ),
  expiryFunctionArn: stackResource('scheduler', 'EXPIRY_FUNCTION_ARN', 'the function every schedule invokes'),
  schedulerRoleArn: stackResource(
    'scheduler',
    'SCHEDULER_ROLE_ARN',
    'the role the Scheduler invokes it with',
  ),
  scheduleDlqArn: stackResource(
    'scheduler',
    'SCHEDULE_DLQ_ARN',
    'where a schedule that exhausted its retries goes',
  ),
  scheduleMaxRetries: {
    group: 'scheduler',
    variable: 'SCHEDULE_MAX_RETRIES',
    get schema() {
      return kept(this, wholeNumber(10));
    },
    shown: '10',
    description: 'how often the Scheduler retries an invocation that failed',
  },
  scheduleMaxEventAgeSeconds: {
    group: 'scheduler',
    variable: 'SCHEDULE_MAX_EVENT_AGE_SECONDS',
    get schema() {
      return kept(this, wholeNumber(3600));
    },
    shown: '3 600',
    description: 'how long the Scheduler keeps retrying',
  },
  mailFrom: {
    group: 'mail',
    variable: 'MAIL_FROM',
    context: 'mailFrom',
    get schema() {
      return kept(this, required());
    },
    shown: 'required',
    description: 'the sender of every email; the notifier may send as no one else',
    local: true,
  },
  mailBrandName: {
    group: 'mail',
    variable: 'MAIL_BRAND_NAME',
    context: 'mailBrandName',
    get schema() {
      return kept(
        this,
        z.pipe(
          withDefault(DEFAULT_BRAND_NAME),
          z
            .string()
            .check(
              z.maxLength(60, 'must be at most 60 characters'),
              z.regex(/^[^\p{Cc}\u2028\u2029]+$/u, 'must be one line'),
            ),
        ),
      );
    },
    shown: DEFAULT_BRAND_NAME,
    description: 'the vendor’s name in every mail’s header (one line, at most 60 characters)',
    local: true,
  },
  consoleUrl: {
    group: 'mail',
    variable: 'CONSOLE_URL',
    context: 'consoleUrl',
    get schema() {
      return kept(
        this,
        z.pipe(
          withDefault('http://127.0.0.1:3000'),
          z.string().check(z.regex(httpUrl, 'must be an http(s) URL')),
        ),
      );
    },
    shown: 'the console’s origin',
    description: 'where emailed links point (`<CONSOLE_URL>/act#<token>`)',
    local: true,
  },
  mailDomain: stageOnly('mailDomain', '—', 'verify this whole domain (DKIM) instead of the single address'),
  existingMailIdentity: stageOnly(
    'existingMailIdentity',
    '—',
    'send through an SES identity that exists already (its domain or address); the stack creates none',
  ),
  consoleDomain: stageOnly(
    'consoleDomain',
    '—',
    'serve the console on your own name (with `consoleCertificateArn`)',
  ),
  consoleCertificateArn: stageOnly(
    'consoleCertificateArn',
    '—',
    'the ACM certificate of `consoleDomain`, in us-east-1',
  ),
  consoleOrigin: stageOnly(
    'consoleOrigin',
    'the console’s origin',
    'a console served elsewhere (the local runtime): CORS, sign-in callbacks and emailed links follow it',
  ),
  consoleCallbackUrls: stageOnly(
    'consoleCallbackUrls',
    '`<origin>/`',
    'the console’s sign-in callbacks, comma-separated',
  ),
  alarmEmail: stageOnly('alarmEmail', '—', 'subscribe this address to the alarm topic'),
  apiRateLimit: throttle('apiRateLimit', 500, 'the API stage’s throttle: requests a second'),
  apiBurstLimit: throttle('apiBurstLimit', 1000, 'the API stage’s throttle: burst'),
  publicRateLimit: throttle(
    'publicRateLimit',
    50,
    'each unauthenticated route’s own throttle: requests a second',
  ),
  publicBurstLimit: throttle('publicBurstLimit', 100, 'each unauthenticated route’s own throttle: burst'),
  cursorKeySecretArn: stackResource(
    'cursor',
    'CURSOR_KEY_SECRET_ARN',
    'the secret whose versions sign list cursors, read at run time',
  ),
  eventBusName: stackResource(
    'eventBus',
    'EVENT_BUS_NAME',
    'the vendor’s event bus (`SupportAccess-<stage>`)',
  ),
  sdkConnectionTimeoutMs: {
    group: 'sdk',
    variable: 'SDK_CONNECTION_TIMEOUT_MS',
    get schema() {
      return kept(this, optionalWholeNumber());
    },
    shown: '1 000',
    description:
      'milliseconds an AWS SDK call may take to connect before it fails (`npm start`: 30 000, DynamoDB Local is slow under a burst)',
  },
  sdkRequestTimeoutMs: {
    group: 'sdk',
    variable: 'SDK_REQUEST_TIMEOUT_MS',
    get schema() {
      return kept(this, optionalWholeNumber());
    },
    shown: '2 000 (SES 5 000)',
    description: 'milliseconds an AWS SDK call may wait for its answer before it fails (`npm start`: 30 000)',
  },
  webhooksAllowLoopback: {
    group: 'webhooks',
    variable: 'WEBHOOKS_ALLOW_LOOPBACK',
    get schema() {
      return kept(
        this,
        z.pipe(
          z.optional(z.enum(['true', 'false'], { error: 'must be "true" or "false"' })),
          z.transform((v: 'true' | 'false' | undefined) => v === 'true'),
        ),
      );
    },
    shown: '`false`',
    description:
      'customer webhooks may deliver to `http://127.0.0.1:<port>/` and `http://localhost:<port>/`: set by `npm start` alone, never by the stack (no stage key)',
  },
  retryScheduleGroup: stackResource(
    'retryWakeUps',
    'RETRY_SCHEDULE_GROUP',
    'the schedule group of the webhook retry driver’s wake-ups (one-time schedules)',
  ),
  retryFunctionArn: {
    group: 'retryWakeUps',
    variable: 'RETRY_FUNCTION_ARN',
    schema: optionalText(),
    shown: 'the stack’s',
    description: 'the retry driver, which they invoke (the driver itself takes its own from its context)',
  },
  retrySchedulerRoleArn: stackResource(
    'retryWakeUps',
    'RETRY_SCHEDULER_ROLE_ARN',
    'the role the Scheduler invokes it with (that function only)',
  ),
  eventBusRuleAccounts: stageOnly(
    'eventBusRuleAccounts',
    '—',
    'other accounts of yours (12-digit ids, comma-separated) that may keep their own rules on the bus',
  ),
} as const satisfies Record<string, Setting>;

type Settings = (typeof settings)[keyof typeof settings];
/** The settings of one section, with their variables' names and values' types. */
export type InGroup<G extends Group> = Extract<Settings, { readonly group: G }>;

const all: readonly Setting[] = Object.values(settings);

/** The settings of these sections, in the table's order. */
export function inGroups<G extends Group>(...groups: G[]): InGroup<G>[] {
  return all.filter((s) => s.group !== undefined && (groups as Group[]).includes(s.group)) as InGroup<G>[];
}

/** Every key a stage's settings file may hold. */
export const STAGE_SETTING_KEYS: readonly string[] = all.flatMap((s) => (s.context ? [s.context] : []));

/** Why the stage's given values cannot be used, one line each (none: all fine). */
export function stageSettingProblems(value: (key: string) => string | undefined): string[] {
  return all.flatMap((s) => {
    const given = s.context ? value(s.context) : undefined;
    if (given === undefined) return [];
    const parsed = s.schema.safeParse(given);
    if (parsed.success) return [];
    const name = s.variable ? `${s.context} (${s.variable})` : s.context;
    return parsed.error.issues.map((i) => `${name}: ${i.message}`);
  });
}

/** The functions' variables of these settings, from a stage's values by key; absent ones are left out. */
export function environmentOf(
  values: Record<string, string>,
  list: readonly Setting[],
): Record<string, string> {
  return Object.fromEntries(
    list.flatMap((s) => {
      const value = s.variable && s.context ? values[s.context] : undefined;
      return value === undefined ? [] : [[s.variable as string, value]];
    }),
  );
}

/** The stage values `npm start` takes from its own environment (the variables marked `local`). */
export function stageValuesFromEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    all.flatMap((s) => {
      const value = s.local && s.variable && s.context ? env[s.variable] : undefined;
      return value ? [[s.context as string, value]] : [];
    }),
  );
}
