import { resolve } from 'node:path';
import { limitFromEnv } from './ses-quota.ts';

export interface LocalEnv {
  dataDir: string;
  port: number;
  dynamodbPort: number;
  sesPort: number;
  schedulerPort: number;
  oidcPort: number;
  eventsPort: number;
  /** Where the events emulator POSTs each event it takes (a loopback URL), if anywhere. */
  eventsForwardUrl: string | undefined;
  tableName: string;
  region: string;
  sweepIntervalSeconds: number;
  /** Production quotas the local engines enforce (null: no limit). */
  sesMaxSendRate: number | null;
  sesMax24HourSend: number | null;
  schedulerMaxTps: number | null;
}

function integer(name: string, fallback: number, max: number, what: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new Error(`${name} must be ${what} (1–${max}), got "${raw}"`);
  }
  return value;
}

const port = (name: string, fallback: number) => integer(name, fallback, 65535, 'a port number');

/** The local runtime's settings, from the environment with the defaults docs/operations.md lists. */
export function localEnv(): LocalEnv {
  return {
    dataDir: resolve(process.env.DATA_DIR || '.local'),
    port: port('PORT', 3000),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    sesPort: port('SES_PORT', 8005),
    schedulerPort: port('SCHEDULER_PORT', 8010),
    oidcPort: port('OIDC_PORT', 8020),
    eventsPort: port('EVENTS_PORT', 8030),
    eventsForwardUrl: process.env.EVENTS_FORWARD_URL || undefined,
    tableName: process.env.TABLE_NAME || 'support-access-local',
    region: process.env.AWS_REGION || 'eu-central-1',
    sweepIntervalSeconds: integer('SWEEP_INTERVAL_SECONDS', 60, 3600, 'a number of seconds'),
    sesMaxSendRate: limitFromEnv('SES_MAX_SEND_RATE', process.env.SES_MAX_SEND_RATE),
    sesMax24HourSend: limitFromEnv('SES_MAX_24H_SEND', process.env.SES_MAX_24H_SEND),
    schedulerMaxTps: limitFromEnv('SCHEDULER_MAX_TPS', process.env.SCHEDULER_MAX_TPS),
  };
}
