import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Route } from '../functions/http/routes.ts';
import { appDeps } from '../functions/wiring.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb.ts';
import type { LocalEnv } from './env.ts';
import { type Gateway, type LambdaHandler, type Readiness, startGateway } from './gateway.ts';
import { seedDemoTenant } from './seed.ts';
import { type SesEmulator, startSesEmulator } from './ses.ts';
import { ensureTable, tableIsActive } from './table.ts';
import { type LocalKeys, localKeys } from './tokens.ts';

export interface LocalStack {
  env: LocalEnv;
  keys: LocalKeys;
  apiUrl: string;
  sesUrl: string;
  dynamodbUrl: string;
  seeded: boolean;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

/** Points the AWS SDK at the local engines; local credentials so no real account is ever used. */
function configureSdk(env: LocalEnv): void {
  Object.assign(process.env, {
    AWS_REGION: env.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${env.dynamodbPort}`,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: `http://127.0.0.1:${env.dynamodbPort}`,
    AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${env.sesPort}`,
    AWS_ENDPOINT_URL_SCHEDULER: `http://127.0.0.1:${env.schedulerPort}`,
    TABLE_NAME: env.tableName,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

/** Refuses a second stack on the same data folder (one DynamoDB Local per data path). */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = join(dataDir, 'stack.pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {}
    if (alive)
      throw new Error(`Another local stack (pid ${pid}) is using ${dataDir}; stop it or set DATA_DIR.`);
  }
  await writeFile(lock, String(process.pid));
  return () => rm(lock, { force: true });
}

/** Starts everything `npm start` runs, on 127.0.0.1, and returns how to stop it again. */
export async function startLocalStack(env: LocalEnv): Promise<LocalStack> {
  await mkdir(env.dataDir, { recursive: true });
  configureSdk(env);
  const unlock = await lockDataDir(env.dataDir);
  const stops: (() => Promise<void>)[] = [unlock];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const keys = await localKeys(env.dataDir);
    let gatewayReady = false;
    const db: DynamoDbLocal = await startDynamoDbLocal({
      port: env.dynamodbPort,
      dataPath: join(env.dataDir, 'dynamodb'),
      maxHeap: '384m',
    });
    stops.push(db.stop);
    const client = new DynamoDBClient({});
    await ensureTable(client, env.tableName);
    const ses: SesEmulator = await startSesEmulator(env.sesPort);
    stops.push(ses.stop);

    const deps = appDeps();
    const seeded = await seedDemoTenant(deps, env.dataDir);

    const readiness = async (): Promise<Readiness> => {
      const components = {
        dynamodb: await tableIsActive(client, env.tableName),
        ses: await fetch(`${ses.url}/health-check`).then(
          (r) => r.ok,
          () => false,
        ),
        gateway: gatewayReady,
      };
      return { ready: Object.values(components).every(Boolean), components };
    };

    const gateway: Gateway = await startGateway({
      port: env.port,
      keys,
      loadHandler: async (route: Route) =>
        (await import(pathToFileURL(join(ROOT, route.entry)).href)).handler as LambdaHandler,
      readiness,
    });
    stops.push(gateway.close);
    gatewayReady = true;

    return {
      env,
      keys,
      apiUrl: gateway.url,
      sesUrl: ses.url,
      dynamodbUrl: db.endpoint,
      seeded,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
