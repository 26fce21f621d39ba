import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ConflictException, CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  matchesChainFilter,
  matchesCheckFilter,
  matchesNotifierFilter,
  matchesPublishFilter,
} from '../functions/adapters/dynamodb/stream.ts';
import type { BackgroundFunctionName } from '../functions/background.ts';
import type { HttpResponse } from '../functions/http/handler.ts';
import type { Route } from '../functions/http/routes.ts';
import { CHAIN_EVENT_SOURCE } from '../functions/use-cases/audit.ts';
import { WEBHOOK_EVENT_SOURCE } from '../functions/use-cases/webhook-delivery.ts';
import { appDeps } from '../functions/wiring/app.ts';
import { stageValuesFromEnvironment } from '../functions/wiring/settings.ts';
import { buildConsoleIfStale, consoleHandler } from './console.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb.ts';
import type { LocalEnv } from './env.ts';
import { checkForwardUrl, startEventsEmulator } from './events-emulator.ts';
import { buildBundles, startFunctions, synthesizeInChild } from './functions.ts';
import { type Gateway, type LambdaHandler, type Readiness, startGateway } from './gateway.ts';
import { CONSOLE_CLIENT_ID, type OidcProvider, startOidcProvider } from './oidc.ts';
import { assertPortFree } from './ports.ts';
import { type SchedulerEmulator, startSchedulerEmulator } from './scheduler-emulator.ts';
import { startSecretsExtension } from './secrets-extension.ts';
import { seedDemoTenant } from './seed.ts';
import { type SesEmulator, startSesEmulator } from './ses.ts';
import { startStreamPoller } from './stream-poller.ts';
import { ensureTable, tableIsActive } from './table.ts';
import { jwtVerifier, type LocalKeys, localCursorKey, localKeys, rememberIssuer } from './tokens.ts';

export interface LocalStack {
  env: LocalEnv;
  keys: LocalKeys;
  apiUrl: string;
  /** The local OpenID provider (issuer; discovery at /.well-known/openid-configuration). */
  oidcUrl: string;
  sesUrl: string;
  schedulerUrl: string;
  /** The EventBridge emulator: what the publisher put on the bus, at `/events`. */
  eventsUrl: string;
  dynamodbUrl: string;
  seeded: boolean;
  /**
   * Runs the sweep once, as at every start (grants that ended while the stack was down). Called
   * by `npm start` after its banner, so that the functions' log lines (metrics among them)
   * follow the banner instead of breaking it up.
   */
  sweepNow(): Promise<void>;
  stop(): Promise<void>;
}

const ACCOUNT = '000000000000';
/** The stack's schedule group for stage `local` (`<stack name>-grants`), as the functions' environment names it. */
export const SCHEDULE_GROUP = 'SupportAccess-local-grants';
/** The vendor's event bus, as the stack names it for the stage `local`. */
export const EVENT_BUS = 'SupportAccess-local';
/** The schedule group of the webhook retry driver's wake-ups, locally. */
export const RETRY_SCHEDULE_GROUP = 'SupportAccess-local-webhook-retries';
const CURSOR_KEY_SECRET_ARN = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:support-access-local-cursor-key`;
const functionArn = (region: string, name: string) =>
  `arn:aws:lambda:${region}:${ACCOUNT}:function:support-access-local-${name}`;

/** The context a real deployment is given, for the local stack (see infra/app.ts). */
function deployContext(env: LocalEnv, issuer: string): Record<string, string> {
  return {
    stage: 'local',
    consoleOrigin: `http://127.0.0.1:${env.port}`,
    issuer,
    audience: CONSOLE_CLIENT_ID,
    jwksUrl: `${issuer}/jwks`,
    authorizeUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    // Emailed links open this console's /act#<token> page, unless CONSOLE_URL says otherwise.
    consoleUrl: `http://127.0.0.1:${env.port}`,
    ...stageValuesFromEnvironment(process.env),
  };
}

/** What Lambda's runtime adds to a function's environment, here pointing at the local engines. */
function lambdaRuntimeEnvironment(): Record<string, string> {
  const keep = [
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
    'AWS_ENDPOINT_URL_SES',
    'AWS_ENDPOINT_URL_SCHEDULER',
    'AWS_ENDPOINT_URL_EVENTBRIDGE',
    'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
    'SDK_REQUEST_TIMEOUT_MS',
    'SDK_CONNECTION_TIMEOUT_MS',
    // A local choice of how much the functions log.
    'POWERTOOLS_LOG_LEVEL',
    // Only the local runtime lets webhooks reach loopback receivers (the stack never sets it).
    'WEBHOOKS_ALLOW_LOOPBACK',
  ];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])));
}

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
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${env.eventsPort}`,
    EVENT_BUS_NAME: EVENT_BUS,
    TABLE_NAME: env.tableName,
    SCHEDULE_GROUP,
    EXPIRY_FUNCTION_ARN: functionArn(env.region, 'expire-grant'),
    SCHEDULER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/support-access-local-scheduler`,
    SCHEDULE_DLQ_ARN: `arn:aws:sqs:${env.region}:${ACCOUNT}:support-access-local-schedule-dlq`,
    RETRY_SCHEDULE_GROUP,
    // As the driver names itself from its context (local/function-worker.ts).
    RETRY_FUNCTION_ARN: functionArn(env.region, 'retryWebhooks'),
    RETRY_SCHEDULER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/support-access-local-webhook-retries`,
    MAIL_FROM: process.env.MAIL_FROM || 'support-access@vendor.example',
    // DynamoDB Local is far slower than DynamoDB under a burst: no fail-fast timeouts locally.
    SDK_REQUEST_TIMEOUT_MS: process.env.SDK_REQUEST_TIMEOUT_MS || '30000',
    SDK_CONNECTION_TIMEOUT_MS: process.env.SDK_CONNECTION_TIMEOUT_MS || '30000',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
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

/**
 * Runs `run` now and then once a minute, as a rate(1 minute) rule would, until the returned stop
 * is called; a run still going when the next is due is not doubled (the next minute's comes).
 * What a run still does at the stop is left to the caller's shutdown.
 */
export function everyMinute(
  run: () => Promise<unknown>,
  onError: (error: Error) => void,
  periodMs = 60_000,
): () => Promise<void> {
  let running = false;
  const once = async () => {
    if (running) return;
    running = true;
    try {
      await run();
    } catch (error) {
      onError(error as Error);
    } finally {
      running = false;
    }
  };
  void once();
  const timer = setInterval(once, periodMs);
  return async () => clearInterval(timer);
}

/** Starts everything `npm start` runs, on 127.0.0.1, and returns how to stop it again. */
export async function startLocalStack(env: LocalEnv): Promise<LocalStack> {
  await mkdir(env.dataDir, { recursive: true });
  configureSdk(env);
  const unlock = await lockDataDir(env.dataDir);
  try {
    await assertPortFree(env.port, 'PORT');
    await assertPortFree(env.dynamodbPort, 'DYNAMODB_PORT');
    await assertPortFree(env.sesPort, 'SES_PORT');
    await assertPortFree(env.schedulerPort, 'SCHEDULER_PORT');
    await assertPortFree(env.oidcPort, 'OIDC_PORT');
    await assertPortFree(env.eventsPort, 'EVENTS_PORT');
    if (env.eventsForwardUrl) checkForwardUrl(env.eventsForwardUrl);
  } catch (error) {
    await unlock();
    throw error;
  }
  const stops: (() => Promise<void>)[] = [unlock];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    // The cursor key as the functions read it in Lambda: through the secrets extension's port.
    const cursorKey = await localCursorKey(env.dataDir);
    const secrets = await startSecretsExtension(async (id) =>
      id === CURSOR_KEY_SECRET_ARN ? { AWSCURRENT: cursorKey } : undefined,
    );
    stops.push(secrets.stop);
    process.env.CURSOR_KEY_SECRET_ARN = CURSOR_KEY_SECRET_ARN;
    process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT = String(secrets.port);
    const issuer = `http://127.0.0.1:${env.oidcPort}`;
    await rememberIssuer(env.dataDir, issuer);
    const keys = await localKeys(env.dataDir);
    const oidc: OidcProvider = await startOidcProvider({
      port: env.oidcPort,
      keys,
      consoleOrigins: [`http://127.0.0.1:${env.port}`, `http://localhost:${env.port}`],
    });
    stops.push(oidc.stop);
    let gatewayReady = false;
    const db: DynamoDbLocal = await startDynamoDbLocal({
      port: env.dynamodbPort,
      dataPath: join(env.dataDir, 'dynamodb'),
      maxHeap: '384m',
    });
    stops.push(db.stop);
    const client = new DynamoDBClient({});
    await ensureTable(client, env.tableName);
    const ses: SesEmulator = await startSesEmulator(env.sesPort, {
      maxSendRate: env.sesMaxSendRate,
      max24HourSend: env.sesMax24HourSend,
    });
    stops.push(ses.stop);

    // Every function as it deploys: its production bundle, in its own thread, with the
    // environment the synthesized stack gives it (its resources mapped to the local ones).
    await buildConsoleIfStale((m) => console.log(m));
    const environments = await synthesizeInChild(deployContext(env, oidc.issuer), { ...process.env });
    if (environments.createGrant?.SCHEDULE_GROUP !== SCHEDULE_GROUP)
      throw new Error(
        `The stack names its schedule group ${environments.createGrant?.SCHEDULE_GROUP}, not ${SCHEDULE_GROUP}`,
      );
    if (environments.publishEvents?.EVENT_BUS_NAME !== EVENT_BUS)
      throw new Error(
        `The stack names its event bus ${environments.publishEvents?.EVENT_BUS_NAME}, not ${EVENT_BUS}`,
      );
    const functions = startFunctions({
      bundles: await buildBundles(join(env.dataDir, 'bundles')),
      environments,
      runtime: lambdaRuntimeEnvironment(),
      callLog: env.callLog,
      reportLog: env.reportLog,
    });
    stops.push(functions.stop);
    const expire = functions.invoker('expireGrant');
    const retryWebhooks = functions.invoker('retryWebhooks');
    /** One look of the webhook retry driver, as its rule or a wake-up invokes it (30 s timeout in the stack). */
    const retryLook = (input: unknown) => retryWebhooks(input, { timeoutMs: 30_000 });
    const targets: Record<string, (input: string) => Promise<unknown>> = {
      [process.env.EXPIRY_FUNCTION_ARN as string]: (input) =>
        expire(JSON.parse(input), { timeoutMs: 30_000 }),
      [process.env.RETRY_FUNCTION_ARN as string]: (input) => retryLook(JSON.parse(input)),
    };
    // SCHEDULER_EMULATOR=off runs without it (the sweep alone ends grants): for failure drills and benchmarks.
    let scheduler: SchedulerEmulator | null = null;
    if (env.schedulerEmulator) {
      scheduler = await startSchedulerEmulator({
        port: env.schedulerPort,
        dataDir: env.dataDir,
        region: env.region,
        accountId: ACCOUNT,
        maxTps: env.schedulerMaxTps ?? undefined,
        invoke: async (arn, input) => {
          const target = targets[arn];
          if (!target) throw new Error(`No local function for ${arn}`);
          await target(input);
        },
      });
      stops.push(scheduler.stop);
      for (const group of [SCHEDULE_GROUP, RETRY_SCHEDULE_GROUP])
        await new SchedulerClient({}).send(new CreateScheduleGroupCommand({ Name: group })).catch((error) => {
          if (!(error instanceof ConflictException)) throw error;
        });
    }

    const events = await startEventsEmulator({
      port: env.eventsPort,
      region: env.region,
      accountId: ACCOUNT,
      busNames: [EVENT_BUS],
      forwardUrl: env.eventsForwardUrl,
    });
    stops.push(events.stop);

    const deps = appDeps();
    const seeded = await seedDemoTenant(deps, env.dataDir);

    /** A consumer of the table's stream, as its event source mapping in the stack: matching records, in batches. */
    const consume = async (
      consumer: string,
      name: BackgroundFunctionName,
      filter: (record: DynamoDBRecord) => boolean,
      {
        timeoutMs,
        ...options
      }: {
        timeoutMs: number;
        batchSize?: number;
        batchingWindowMs?: number;
        parallelization?: number;
        abandonOnStop?: boolean;
      },
    ) => {
      const invoke = functions.invoker(name);
      const poller = await startStreamPoller({
        dynamodb: client,
        streams: new DynamoDBStreamsClient({}),
        tableName: env.tableName,
        dataDir: env.dataDir,
        consumer,
        filter,
        ...options,
        handler: async (event) => (await invoke(event, { timeoutMs })) as DynamoDBBatchResponse | undefined,
      });
      stops.push(poller.stop);
      return poller;
    };
    const poller = await consume('notify', 'notify', matchesNotifierFilter, { timeoutMs: 60_000 });
    const chainPoller = await consume('chain', 'chainAudit', matchesChainFilter, {
      timeoutMs: 30_000,
      batchSize: CHAIN_EVENT_SOURCE.batchSize,
      batchingWindowMs: CHAIN_EVENT_SOURCE.maxBatchingWindowSeconds * 1000,
    });
    const checkPoller = await consume('checks', 'recordChecks', matchesCheckFilter, {
      timeoutMs: 30_000,
      batchSize: 100,
    });
    const publishPoller = await consume('events', 'publishEvents', matchesPublishFilter, {
      timeoutMs: 30_000,
      batchSize: 100,
    });

    const webhookPoller = await consume('webhooks', 'deliverWebhooks', matchesPublishFilter, {
      timeoutMs: 30_000,
      batchSize: WEBHOOK_EVENT_SOURCE.batchSize,
      parallelization: WEBHOOK_EVENT_SOURCE.parallelizationFactor,
    });
    // The retry driver as in AWS: woken by its one-time schedules (the Scheduler emulator invokes
    // it), and one look a minute as the rule does, the first at once on start (retries due while
    // the stack was down go on).
    stops.push(
      everyMinute(
        () => retryLook({}),
        (error) => console.error('webhook retries failed:', error.message),
      ),
    );

    const sweep = functions.invoker('sweep');
    const runSweep = async () => {
      await sweep({}, { timeoutMs: 50_000 }).catch((error) =>
        console.error('sweep failed:', (error as Error).message),
      );
    };
    const sweepTimer = setInterval(runSweep, env.sweepIntervalSeconds * 1000);
    stops.push(async () => clearInterval(sweepTimer));

    const readiness = async (): Promise<Readiness> => {
      const components = {
        dynamodb: await tableIsActive(client, env.tableName),
        ses: await fetch(`${ses.url}/health-check`).then(
          (r) => r.ok,
          () => false,
        ),
        scheduler: scheduler
          ? await fetch(`${scheduler.url}/schedule-groups/${SCHEDULE_GROUP}`).then(
              (r) => r.ok,
              () => false,
            )
          : true,
        streamPoller:
          poller.ready() &&
          chainPoller.ready() &&
          checkPoller.ready() &&
          publishPoller.ready() &&
          webhookPoller.ready(),
        events: await fetch(`${events.url}/health`).then(
          (r) => r.ok,
          () => false,
        ),
        identityProvider: await fetch(`${oidc.issuer}/.well-known/openid-configuration`).then(
          (r) => r.ok,
          () => false,
        ),
        gateway: gatewayReady,
      };
      return { ready: Object.values(components).every(Boolean), components };
    };

    const gateway: Gateway = await startGateway({
      port: env.port,
      verifyToken: await jwtVerifier(oidc.issuer),
      loadHandler: async (route: Route): Promise<LambdaHandler> => {
        const invoke = functions.invoker(route.name);
        return async (event, context) =>
          (await invoke(event, { requestId: context.awsRequestId, timeoutMs: 29_000 })) as HttpResponse;
      },
      readiness,
      fallback: consoleHandler(oidc.issuer),
      timing: env.gatewayTiming,
    });
    stops.push(gateway.close);
    gatewayReady = true;

    return {
      env,
      keys,
      apiUrl: gateway.url,
      oidcUrl: oidc.issuer,
      sesUrl: ses.url,
      schedulerUrl: scheduler?.url ?? '(off)',
      eventsUrl: events.url,
      dynamodbUrl: db.endpoint,
      seeded,
      sweepNow: runSweep,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
