import * as z from '../functions/validation/zod.ts';
import type { Setting } from '../functions/wiring/settings.ts';
import { limitFromEnv } from './ses-quota.ts';

/**
 * The local runtime's own settings (`npm start`), beside the product's in
 * functions/wiring/settings.ts: read by `localEnv()` and listed by `npm run docs` in
 * docs/operations.md. An empty variable counts as unset.
 */
const whole = (fallback: number, min: number, max: number, what: string) =>
  z.pipe(
    z.optional(
      z
        .string()
        .check(
          z.refine(
            (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
            `must be ${what} (${min}–${max})`,
          ),
        ),
    ),
    z.transform((v: string | undefined) => (v === undefined ? fallback : Number(v))),
  );
const port = <V extends string>(variable: V, fallback: number, description: string) =>
  ({
    variable,
    schema: whole(fallback, 1, 65_535, 'a port number'),
    shown: String(fallback),
    description,
  }) as const;
const text = (fallback: string) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((v: string | undefined) => v ?? fallback),
  );
/** A production quota the local engines enforce: a positive number, or none. */
const limit = (variable: string, description: string) =>
  ({
    variable,
    schema: z.pipe(
      z.optional(z.string()),
      z.transform((v: string | undefined) => limitFromEnv(variable, v)),
    ),
    shown: 'no limit',
    description,
  }) as const;

export const localSettings = {
  PORT: port('PORT', 3000, 'the API and the console'),
  DYNAMODB_PORT: port('DYNAMODB_PORT', 8000, 'DynamoDB Local'),
  SES_PORT: port('SES_PORT', 8005, 'the SES emulator'),
  SCHEDULER_PORT: port('SCHEDULER_PORT', 8010, 'the Scheduler emulator'),
  OIDC_PORT: port('OIDC_PORT', 8020, 'the local OpenID provider'),
  EVENTS_PORT: port('EVENTS_PORT', 8030, 'the events emulator (the vendor’s bus)'),
  DATA_DIR: {
    variable: 'DATA_DIR',
    schema: text('.local'),
    shown: '`.local`',
    description: 'where the local stack keeps its data (see "The data folder")',
  },
  TABLE_NAME: {
    variable: 'TABLE_NAME',
    schema: text('support-access-local'),
    shown: '`support-access-local`',
    description: 'the local table, which the functions are given as theirs',
  },
  AWS_REGION: {
    variable: 'AWS_REGION',
    schema: text('eu-central-1'),
    shown: '`eu-central-1`',
    description: 'the region the local engines and the functions are told',
  },
  SWEEP_INTERVAL_SECONDS: {
    variable: 'SWEEP_INTERVAL_SECONDS',
    schema: whole(60, 1, 3600, 'a number of seconds'),
    shown: '60',
    description: 'how often the sweep runs (and once at start)',
  },
  SCHEDULER_EMULATOR: {
    variable: 'SCHEDULER_EMULATOR',
    schema: z.pipe(
      z.optional(z.enum(['on', 'off'], { error: 'must be "on" or "off"' })),
      z.transform((v: 'on' | 'off' | undefined) => v !== 'off'),
    ),
    shown: '`on`',
    description:
      '`off`: no Scheduler emulator, the sweep alone ends grants, as when schedules are lost (drills, the benchmark)',
  },
  EVENTS_FORWARD_URL: {
    variable: 'EVENTS_FORWARD_URL',
    schema: z.optional(z.string()),
    shown: '—',
    description:
      'the events emulator POSTs each event it takes there: a `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…` URL, anything else stops the start',
  },
  AWS_CALL_LOG: {
    variable: 'AWS_CALL_LOG',
    schema: z.optional(z.string()),
    shown: '—',
    description:
      'a file where every AWS request a function sends is recorded (service, action, resource names; no data), for the IAM test',
  },
  FUNCTION_REPORT_LOG: {
    variable: 'FUNCTION_REPORT_LOG',
    schema: z.optional(z.string()),
    shown: '—',
    description:
      'a file where every invocation appends its report, as Lambda’s `REPORT` line (function, duration, billed milliseconds, error): the benchmark’s billed durations',
  },
  GATEWAY_TIMING: {
    variable: 'GATEWAY_TIMING',
    schema: z.pipe(
      z.optional(z.enum(['0', '1'], { error: 'must be "0" or "1"' })),
      z.transform((v: '0' | '1' | undefined) => v === '1'),
    ),
    shown: '`0`',
    description:
      '`1`: the local gateway answers with a `server-timing` header of where a request’s time went (the benchmark)',
  },
  SES_MAX_SEND_RATE: limit(
    'SES_MAX_SEND_RATE',
    'mails per second the SES emulator accepts (every recipient counts; one second’s burst allowed)',
  ),
  SES_MAX_24H_SEND: limit('SES_MAX_24H_SEND', 'mails the SES emulator accepts in any 24 hours'),
  SCHEDULER_MAX_TPS: limit(
    'SCHEDULER_MAX_TPS',
    'Create/Update/Delete/GetSchedule requests per second, together, the Scheduler emulator accepts',
  ),
} as const satisfies Record<string, Setting & { variable: string }>;

type LocalValues = { [K in keyof typeof localSettings]: z.infer<(typeof localSettings)[K]['schema']> };

/** The local runtime's settings from an environment; a malformed one stops the start, named. */
export function readLocalSettings(env: NodeJS.ProcessEnv): LocalValues {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = z
    .object(Object.fromEntries(Object.entries(localSettings).map(([name, s]) => [name, s.schema])))
    .safeParse(given);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
  return parsed.data as LocalValues;
}
