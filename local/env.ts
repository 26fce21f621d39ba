import { resolve } from 'node:path';
import { readLocalSettings } from './settings.ts';

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
  /** False: no Scheduler emulator; the sweep alone ends grants. */
  schedulerEmulator: boolean;
  /** Where every AWS call of the functions is recorded, if anywhere (the IAM test). */
  callLog: string | undefined;
  /** Where every invocation's report is appended, if anywhere (the benchmark's billed durations). */
  reportLog: string | undefined;
  /** The gateway's `server-timing` header (the benchmark). */
  gatewayTiming: boolean;
}

/** The local runtime's settings, from the environment with the defaults of local/settings.ts. */
export function localEnv(env: NodeJS.ProcessEnv = process.env): LocalEnv {
  const v = readLocalSettings(env);
  return {
    dataDir: resolve(v.DATA_DIR),
    port: v.PORT,
    dynamodbPort: v.DYNAMODB_PORT,
    sesPort: v.SES_PORT,
    schedulerPort: v.SCHEDULER_PORT,
    oidcPort: v.OIDC_PORT,
    eventsPort: v.EVENTS_PORT,
    eventsForwardUrl: v.EVENTS_FORWARD_URL,
    tableName: v.TABLE_NAME,
    region: v.AWS_REGION,
    sweepIntervalSeconds: v.SWEEP_INTERVAL_SECONDS,
    sesMaxSendRate: v.SES_MAX_SEND_RATE,
    sesMax24HourSend: v.SES_MAX_24H_SEND,
    schedulerMaxTps: v.SCHEDULER_MAX_TPS,
    schedulerEmulator: v.SCHEDULER_EMULATOR,
    callLog: v.AWS_CALL_LOG,
    reportLog: v.FUNCTION_REPORT_LOG,
    gatewayTiming: v.GATEWAY_TIMING,
  };
}
