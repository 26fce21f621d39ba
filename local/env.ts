import { resolve } from 'node:path';

export interface LocalEnv {
  dataDir: string;
  port: number;
  dynamodbPort: number;
  sesPort: number;
  schedulerPort: number;
  tableName: string;
  region: string;
  sweepIntervalSeconds: number;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a port number (1–65535), got "${raw}"`);
  }
  return value;
}

/** The local runtime's settings (SPEC §5), from the environment with the documented defaults. */
export function localEnv(): LocalEnv {
  return {
    dataDir: resolve(process.env.DATA_DIR || '.local'),
    port: port('PORT', 3000),
    dynamodbPort: port('DYNAMODB_PORT', 8000),
    sesPort: port('SES_PORT', 8005),
    schedulerPort: port('SCHEDULER_PORT', 8010),
    tableName: process.env.TABLE_NAME || 'support-access-local',
    region: process.env.AWS_REGION || 'eu-central-1',
    sweepIntervalSeconds: port('SWEEP_INTERVAL_SECONDS', 60),
  };
}
