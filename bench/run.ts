/**
 * `npm run bench`: what users care about, measured on the local stack of this machine, each as
 * a ratio or a figure against its target. Prints a table and writes bench/results.json.
 * Method and latest figures: docs/benchmarks.md.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { CursorCodec } from '../functions/adapters/dynamodb/cursor.ts';
import { DynamoGrantStore } from '../functions/adapters/dynamodb/store.ts';
import { createTableInput } from '../functions/adapters/dynamodb/table-definition.ts';
import { BACKGROUND_FUNCTIONS } from '../functions/background.ts';
import type { AuditEvent } from '../functions/domain/audit.ts';
import { DEFAULT_POLICY } from '../functions/domain/grant.ts';
import { ulidGenerator } from '../functions/domain/ids.ts';
import type { GrantScheduler, Mailer } from '../functions/domain/ports.ts';
import { route, routeTable } from '../functions/http/routes.ts';
import { addContact } from '../functions/use-cases/contacts.ts';
import type { SchedulingDeps } from '../functions/use-cases/deps.ts';
import { changeGrantDeadline, createGrant, expireGrant } from '../functions/use-cases/grants.ts';
import { notifyContacts } from '../functions/use-cases/notify.ts';
import { listAudit } from '../functions/use-cases/support.ts';
import { productionEsbuild } from '../infra/bundling.ts';
import { type SpawnedStack, spawnStack, stackPorts } from '../local/spawn-stack.ts';
import { localKeys, signToken } from '../local/tokens.ts';
import { FakeClock } from '../test/support/clock.ts';
import { groupRssKb, type Metric, median, percentile, pool, round, statusKb, timed } from './lib.ts';

const ROOT = resolve(import.meta.dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const metrics: Metric[] = [];
const log = (message: string) => console.log(`[bench] ${message}`);
const add = (m: Metric) => {
  metrics.push(m);
  log(
    `${m.name}: ${m.value} ${m.unit} (target ${m.target}) ${m.pass === null ? '' : m.pass ? 'PASS' : 'FAIL'}`,
  );
};
const local = { accessKeyId: 'local', secretAccessKey: 'local' };

interface Ctx {
  stack: SpawnedStack;
  dataDir: string;
  keys: Awaited<ReturnType<typeof localKeys>>;
  agent: string;
}

async function startStack(extra: Record<string, string> = {}): Promise<Ctx> {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-access-bench-'));
  const stack = await spawnStack(dataDir, await stackPorts(), { POWERTOOLS_LOG_LEVEL: 'INFO', ...extra });
  const keys = await localKeys(dataDir);
  return {
    stack,
    dataDir,
    keys,
    agent: await signToken(keys, { email: 'agent@vendor.example', roles: ['support-agent'] }),
  };
}

async function stopStack(ctx: Ctx) {
  await ctx.stack.stop();
  await rm(ctx.dataDir, { recursive: true, force: true });
}

async function api(ctx: Ctx, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${ctx.stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Tenants with an admin and one contact, registered through the API. */
async function tenants(ctx: Ctx, prefix: string, count: number) {
  const list = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const tenantId = `${prefix}-${i}`;
      return {
        tenantId,
        admin: await signToken(ctx.keys, {
          email: `admin@${tenantId}.example`,
          tenantId,
          roles: ['tenant-admin'],
        }),
        contact: await signToken(ctx.keys, { email: `c@${tenantId}.example`, tenantId }),
      };
    }),
  );
  await pool(list, 16, async (t) => {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/contacts`, t.admin, {
      name: 'Contact',
      email: `c@${t.tenantId}.example`,
      phone: '030 1234567',
      locale: 'en',
    });
    if (r.status !== 201) throw new Error(`contact setup failed: ${r.status}`);
  });
  return list;
}

async function auditAll(ctx: Ctx, tenantId: string, admin: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const r = await api(
      ctx,
      'GET',
      `/tenants/${tenantId}/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      admin,
    );
    events.push(...r.body.events);
    cursor = r.body.nextCursor;
  } while (cursor);
  return events;
}

// ---- 1. access check overhead ------------------------------------------------------------------

async function accessOverhead(ctx: Ctx) {
  const [t] = await tenants(ctx, 'access', 1);
  if (!t) return;
  await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
    reason: 'bench',
    durationSeconds: 3600,
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ctx.stack.dynamodbUrl, region: 'eu-central-1', credentials: local }),
  );
  const key = { pk: `TENANT#${t.tenantId}`, sk: 'ACCESS' };
  const bareGet = async () => {
    await doc.send(new GetCommand({ TableName: 'support-access-local', Key: key, ConsistentRead: true }));
  };
  let n = 0;
  const getThenPut = async () => {
    await bareGet();
    await doc.send(
      new PutCommand({ TableName: 'support-access-local', Item: { pk: 'BENCH', sk: `E#${n++}`, v: 1 } }),
    );
  };
  const check = async () => {
    const r = await fetch(`${ctx.stack.apiUrl}/tenants/${t.tenantId}/access`, {
      headers: { authorization: `Bearer ${ctx.agent}` },
    });
    await r.text();
    if (r.status !== 200) throw new Error(`access check ${r.status}`);
  };
  const count = QUICK ? 300 : 1500;
  for (const concurrency of [1, 16]) {
    await timed(100, concurrency, bareGet);
    await timed(100, concurrency, check);
    const bare = await timed(count, concurrency, bareGet);
    const floor = await timed(count, concurrency, getThenPut);
    const ours = await timed(count, concurrency, check);
    const p50 = percentile(ours, 50) / percentile(bare, 50);
    const p99 = percentile(ours, 99) / percentile(bare, 99);
    add({
      name: `access check p50 (c=${concurrency})`,
      value: round(percentile(ours, 50)),
      unit: 'ms',
      target: '—',
      pass: null,
    });
    add({
      name: `access check p99 (c=${concurrency})`,
      value: round(percentile(ours, 99)),
      unit: 'ms',
      target: '—',
      pass: null,
    });
    add({
      name: `bare GetItem p50/p99 (c=${concurrency})`,
      value: round(percentile(bare, 50)),
      unit: `ms (p99 ${round(percentile(bare, 99))})`,
      target: '—',
      pass: null,
    });
    add({
      name: `access check / bare GetItem, p50 (c=${concurrency})`,
      value: round(p50),
      unit: 'ratio',
      target: '≤ 1.5',
      pass: p50 <= 1.5,
    });
    add({
      name: `access check / bare GetItem, p99 (c=${concurrency})`,
      value: round(p99),
      unit: 'ratio',
      target: '≤ 2',
      pass: p99 <= 2,
    });
    add({
      name: `access check / bare GetItem+PutItem (the floor of a recorded check), p50 (c=${concurrency})`,
      value: round(percentile(ours, 50) / percentile(floor, 50)),
      unit: 'ratio',
      target: '—',
      pass: null,
    });
  }
}

// ---- 2. enforcement ----------------------------------------------------------------------------

async function enforcement(ctx: Ctx) {
  const list = await tenants(ctx, 'enforce', 40);
  const deadlines = new Map<string, number>();
  await pool(list, 16, async (t, i) => {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'race',
      durationSeconds: 2 + (i % 3),
    });
    deadlines.set(t.tenantId, Date.parse(r.body.expiresAt));
  });
  const last = Math.max(...deadlines.values());
  let checks = 0;
  let yesAtOrAfter = 0;
  let yesReceivedLate = 0;
  let yes = 0;
  await pool(
    Array.from({ length: 16 }, (_, i) => i),
    16,
    async (w) => {
      let i = w;
      while (Date.now() < last + 500) {
        const t = list[i++ % list.length];
        if (!t) continue;
        const r = await api(ctx, 'GET', `/tenants/${t.tenantId}/access`, ctx.agent);
        const received = Date.now();
        checks++;
        const deadline = deadlines.get(t.tenantId) as number;
        if (r.body.access) {
          yes++;
          if (Date.parse(r.body.checkedAt) >= deadline) yesAtOrAfter++;
          if (received >= deadline) yesReceivedLate++;
        }
      }
    },
  );
  add({
    name: 'access checks racing deadlines',
    value: checks,
    unit: `checks (${yes} yes)`,
    target: '—',
    pass: null,
  });
  add({
    name: 'answers "yes" decided at or after the deadline',
    value: yesAtOrAfter,
    unit: 'answers',
    target: '0',
    pass: yesAtOrAfter === 0,
  });
  add({
    name: '"yes" answers that reached the client after the deadline (network time)',
    value: yesReceivedLate,
    unit: 'answers',
    target: '—',
    pass: null,
  });
}

// ---- 3. expiry lateness ------------------------------------------------------------------------

async function lateness(
  ctx: Ctx,
  label: string,
  count: number,
  spreadMs: number,
  target: { end: number; email: number },
) {
  const list = await tenants(ctx, `late-${label.replace(/\W+/g, '-')}`, count);
  const start = Date.now() + 8000 + count * 8;
  await pool(list, 16, async (t, i) => {
    const expiresAt = new Date(start + Math.floor((i * spreadMs) / count)).toISOString();
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'lateness',
      expiresAt,
    });
    if (r.status !== 201) throw new Error(`create failed ${r.status} ${JSON.stringify(r.body)}`);
  });
  if (Date.now() > start) log(`warning: creating ${count} grants took past the first deadline`);
  await new Promise((r) =>
    setTimeout(r, Math.max(0, start + spreadMs - Date.now()) + target.email * 1000 + 3000),
  );
  const ends: number[] = [];
  const emails: number[] = [];
  let missing = 0;
  await pool(list, 16, async (t) => {
    const events = await auditAll(ctx, t.tenantId, t.admin);
    const expired = events.find((e) => e.type === 'grant.expired');
    if (!expired) {
      missing++;
      return;
    }
    const deadline = Date.parse(String(expired.details.expiresAt));
    ends.push(Date.parse(expired.at) - deadline);
    const sent = events.find((e) => e.type === 'notification.sent' && e.details.eventId === expired.eventId);
    if (sent) emails.push(Date.parse(sent.at) - deadline);
    else missing++;
  });
  const p = (values: number[], q: number) => round(percentile(values, q) / 1000, 3);
  add({
    name: `${label}: grants ended and emailed`,
    value: count - missing,
    unit: `of ${count}`,
    target: `${count}`,
    pass: missing === 0,
  });
  add({
    name: `${label}: end − deadline p50 / p99 / max`,
    value: p(ends, 99),
    unit: `s p99 (p50 ${p(ends, 50)}, max ${p(ends, 100)})`,
    target: `p99 ≤ ${target.end} s`,
    pass: percentile(ends, label === 'sweep only' ? 100 : 99) <= target.end * 1000,
  });
  add({
    name: `${label}: email accepted − deadline p50 / p99 / max`,
    value: p(emails, 99),
    unit: `s p99 (p50 ${p(emails, 50)}, max ${p(emails, 100)})`,
    target: `p99 ≤ ${target.email} s`,
    pass: percentile(emails, label === 'sweep only' ? 100 : 99) <= target.email * 1000,
  });
}

// ---- 4. burst, 6. memory -----------------------------------------------------------------------

async function burst(ctx: Ctx) {
  const count = QUICK ? 200 : 1000;
  const list = await tenants(ctx, 'burst', count);
  let errors = 0;
  const failures = new Map<string, number>();
  const started = performance.now();
  const latencies = await timed(count, count, async (i) => {
    const t = list[i];
    if (!t) return;
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'burst',
      durationSeconds: 3600,
    });
    if (r.status !== 201) {
      errors++;
      const key = `${r.status} ${r.body?.code ?? ''}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  add({
    name: `burst: ${count} tenants create at once, throughput`,
    value: round(count / seconds, 1),
    unit: 'grants/s',
    target: '—',
    pass: null,
  });
  add({
    name: 'burst: p50 / p99 latency',
    value: round(percentile(latencies, 99)),
    unit: `ms p99 (p50 ${round(percentile(latencies, 50))})`,
    target: '—',
    pass: null,
  });
  add({
    name: 'burst: errors',
    value: errors,
    unit: `requests ${JSON.stringify(Object.fromEntries(failures))}`,
    target: '0',
    pass: errors === 0,
  });
  const peak = statusKb(ctx.stack.pid, 'VmHWM') / 1024;
  add({
    name: 'peak RSS of the whole local runtime process during the burst (gateway, all handlers, Scheduler emulator, stream poller, tsx; all requests in flight at once)',
    value: round(peak, 1),
    unit: 'MB',
    target: '—',
    pass: null,
  });
}

/**
 * What decides a function's memory size: one production bundle in a fresh process, the way a
 * Lambda instance runs it (one request at a time), invoked a few hundred times.
 */
async function functionMemory(ctx: Ctx) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  const list = await tenants(ctx, 'memory', QUICK ? 50 : 200);
  const env = {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: ctx.stack.dynamodbUrl,
    AWS_ENDPOINT_URL_SCHEDULER: ctx.stack.schedulerUrl,
    TABLE_NAME: 'support-access-local',
    SCHEDULE_GROUP: 'support-access-local',
    EXPIRY_FUNCTION_ARN:
      'arn:aws:lambda:eu-central-1:000000000000:function:support-access-local-expire-grant',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/support-access-local-scheduler',
    SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:support-access-local-schedule-dlq',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const cases = [
    ['checkAccess', route('checkAccess').entry, 'GET /tenants/{tenantId}/access', 3],
    ['createGrant', route('createGrant').entry, 'POST /tenants/{tenantId}/grants', 1],
  ] as const;
  for (const [name, entry, route, rounds] of cases) {
    const file = join(dir, `${name}.mjs`);
    await build({ ...productionEsbuild, entryPoints: [join(ROOT, entry)], outfile: file });
    const events = list.map((t, i) => ({
      version: '2.0',
      routeKey: route,
      rawPath: route.replace('{tenantId}', t.tenantId),
      headers: { 'content-type': 'application/json' },
      pathParameters: { tenantId: t.tenantId },
      isBase64Encoded: false,
      ...(name === 'createGrant'
        ? { body: JSON.stringify({ reason: 'memory', durationSeconds: 3600 }) }
        : {}),
      requestContext: {
        requestId: `r${i}`,
        http: { method: route.split(' ')[0], path: route },
        authorizer: {
          jwt: {
            claims:
              name === 'createGrant'
                ? {
                    sub: `c-${t.tenantId}`,
                    email: `c@${t.tenantId}.example`,
                    tenant_id: t.tenantId,
                    roles: '[]',
                  }
                : { sub: 'agent', email: 'agent@vendor.example', roles: '[support-agent]' },
          },
        },
      },
    }));
    const eventsFile = join(dir, `${name}-events.json`);
    await writeFile(eventsFile, JSON.stringify(events));
    const script = [
      "import { readFileSync } from 'node:fs';",
      `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
      `const events = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, 'utf8'));`,
      `for (let r = 0; r < ${rounds}; r++) for (const event of events) {`,
      '  const res = await handler(event, { getRemainingTimeInMillis: () => 10000 });',
      '  if (res.statusCode >= 500) { console.error(res.body); process.exit(1); }',
      '}',
      "console.log(/^VmHWM:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);",
    ].join('\n');
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    if (out.status !== 0) throw new Error(`${name} memory run failed: ${out.stderr.slice(-800)}`);
    const mb = Number(out.stdout.trim().split('\n').pop()) / 1024;
    add({
      name: `peak RSS of the ${name} function (production bundle, ${events.length * rounds} invocations in one process)`,
      value: round(mb, 1),
      unit: 'MB',
      target: '≤ 128 MB',
      pass: mb <= 128,
    });
  }
  await rm(dir, { recursive: true, force: true });
}

// ---- 5. cold start proxy -----------------------------------------------------------------------

const SDK_FLOORS: Record<string, string> = {
  dynamodb:
    "export { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
  scheduler: "export { SchedulerClient } from '@aws-sdk/client-scheduler';",
  ses: "export { SESClient } from '@aws-sdk/client-ses'; export { unmarshall } from '@aws-sdk/util-dynamodb';",
};

async function importMs(file: string): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < (QUICK ? 3 : 7); i++) {
    const out = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t=performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now()-t)`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' } },
    );
    runs.push(Number(out.stdout.trim().split('\n').pop()));
  }
  return median(runs);
}

async function coldStart() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bundles-'));
  const functions = [
    ...routeTable.map((r) => ({
      name: r.name,
      entry: r.entry,
      sdks: ['dynamodb', ...(r.needs.schedules ? ['scheduler'] : [])],
    })),
    { name: 'expireGrant', entry: BACKGROUND_FUNCTIONS.expireGrant.entry, sdks: ['dynamodb'] },
    { name: 'sweep', entry: BACKGROUND_FUNCTIONS.sweep.entry, sdks: ['dynamodb', 'scheduler'] },
    { name: 'notify', entry: BACKGROUND_FUNCTIONS.notify.entry, sdks: ['dynamodb', 'ses'] },
  ];
  const floors = new Map<string, { file: string; kb: number; ms: number }>();
  let worstRatio = 0;
  let worstExtra = 0;
  const rows: string[] = [];
  for (const fn of functions) {
    const key = fn.sdks.join('+');
    if (!floors.has(key)) {
      const file = join(dir, `floor-${key}.mjs`);
      await build({
        ...productionEsbuild,
        stdin: { contents: fn.sdks.map((s) => SDK_FLOORS[s]).join('\n'), resolveDir: ROOT, loader: 'js' },
        outfile: file,
      });
      floors.set(key, { file, kb: (await stat(file)).size / 1024, ms: await importMs(file) });
    }
    const floor = floors.get(key) as { kb: number; ms: number };
    const file = join(dir, `${fn.name}.mjs`);
    await build({ ...productionEsbuild, entryPoints: [join(ROOT, fn.entry)], outfile: file });
    const kb = (await stat(file)).size / 1024;
    const ms = await importMs(file);
    worstRatio = Math.max(worstRatio, ms / floor.ms);
    worstExtra = Math.max(worstExtra, kb - floor.kb);
    rows.push(
      `${fn.name}: ${round(kb, 0)} KB (floor ${round(floor.kb, 0)} KB, +${round(kb - floor.kb, 0)}), import ${round(ms, 1)} ms (floor ${round(floor.ms, 1)} ms, ×${round(ms / floor.ms)})`,
    );
  }
  for (const row of rows) log(`  ${row}`);
  add({
    name: 'cold start: worst import time / SDK-only floor',
    value: round(worstRatio),
    unit: 'ratio',
    target: '≤ 1.3',
    pass: worstRatio <= 1.3,
  });
  add({
    name: 'cold start: worst bundle size over its floor',
    value: round(worstExtra, 0),
    unit: 'KB',
    target: '≤ 250 KB',
    pass: worstExtra <= 250,
  });
  await rm(dir, { recursive: true, force: true });
  return rows;
}

// ---- 7. cost per lifecycle ---------------------------------------------------------------------

/** Prices in us-east-1, AWS list prices as known on 2026-11-27 (check before relying on them). */
export const PRICES = {
  date: '2026-11-27',
  dynamodbWriteRequestUnitPerMillion: 0.625,
  dynamodbReadRequestUnitPerMillion: 0.125,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  httpApiRequestsPerMillion: 1.0,
  schedulerInvocationsPerMillion: 1.0,
  sesPerThousandEmails: 0.1,
  stepFunctionsStandardPerThousandTransitions: 0.025,
};

async function costPerLifecycle(ctx: Ctx) {
  const units = { read: 0, write: 0 };
  const client = new DynamoDBClient({
    endpoint: ctx.stack.dynamodbUrl,
    region: 'eu-central-1',
    credentials: local,
  });
  // Every call asks for its consumed capacity, counted as read or write by operation.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as {
        ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
      };
      const consumed = [output.ConsumedCapacity ?? []].flat().reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      if (/Get|Query|Scan/.test(context.commandName ?? '')) units.read += consumed;
      else units.write += consumed;
      return result;
    },
    { step: 'initialize', name: 'countCapacity' },
  );
  const tableName = `bench-cost-${Date.now()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const store = new DynamoGrantStore(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    new CursorCodec(randomBytes(32).toString('base64url')),
  );
  const scheduleCalls: string[] = [];
  const scheduler: GrantScheduler = {
    schedule: async () => void scheduleCalls.push('CreateSchedule'),
    reschedule: async () => void scheduleCalls.push('UpdateSchedule'),
    unschedule: async () => void scheduleCalls.push('DeleteSchedule'),
  };
  const clock = new FakeClock(new Date());
  const deps: SchedulingDeps = {
    store,
    scheduler,
    clock,
    ids: ulidGenerator(),
    policy: DEFAULT_POLICY,
    log: { info() {}, warn() {}, error() {} },
  };
  const a = await addContact(
    deps,
    'cost',
    'admin',
    { name: 'A', email: 'a@cost.example', phone: '030 1234567' },
    clock.now(),
  );
  await addContact(
    deps,
    'cost',
    'admin',
    { name: 'B', email: 'b@cost.example', phone: '030 1234568' },
    clock.now(),
  );
  units.read = 0;
  units.write = 0;
  // create: authorization lookup, then the use case
  await store.findContactByEmail('cost', a.email);
  const { grant } = await createGrant(
    deps,
    'cost',
    a,
    { reason: 'cost', durationSeconds: 3600 },
    clock.now(),
  );
  await store.findContactByEmail('cost', a.email);
  await changeGrantDeadline(deps, 'cost', grant.grantId, a, { durationSeconds: 7200 }, clock.now());
  clock.advance(7200_000);
  await expireGrant(deps, 'cost', grant.grantId);
  let emails = 0;
  const mailer: Mailer = { send: async () => `m-${++emails}` };
  // Reading the audit log here is the benchmark's own work, not the lifecycle's.
  const before = { ...units };
  const events = (await listAudit(deps, 'cost', { limit: 50 })).items.filter((e) =>
    e.type.startsWith('grant.'),
  );
  Object.assign(units, before);
  for (const event of events) {
    await notifyContacts(
      { store, ledger: store, mailer, clock, ids: deps.ids, log: deps.log, maxAttempts: 3, leaseMs: 60_000 },
      event,
    );
  }
  const invocations = { api: 2, expiry: 1, notifier: events.length };
  const lambdaInvocations = invocations.api + invocations.expiry + invocations.notifier;
  const gbSeconds = lambdaInvocations * 0.25 * 0.1; // 256 MB, ~100 ms billed each
  const perLifecycle = {
    dynamodb:
      (units.read * PRICES.dynamodbReadRequestUnitPerMillion +
        units.write * PRICES.dynamodbWriteRequestUnitPerMillion) /
      1e6,
    lambda:
      (lambdaInvocations * PRICES.lambdaRequestsPerMillion) / 1e6 + gbSeconds * PRICES.lambdaArmGbSecond,
    apiGateway: (invocations.api * PRICES.httpApiRequestsPerMillion) / 1e6,
    scheduler: (1 * PRICES.schedulerInvocationsPerMillion) / 1e6,
    ses: (emails * PRICES.sesPerThousandEmails) / 1000,
  };
  const total = Object.values(perLifecycle).reduce((n, v) => n + v, 0);
  // The same lifecycle with a Step Functions Standard wait workflow instead of the schedule:
  // start (Wait → Task → End: 3 transitions), extend = stop + start again (3 more).
  const sfnTransitions = 6;
  const sfn =
    total -
    perLifecycle.scheduler +
    (sfnTransitions * PRICES.stepFunctionsStandardPerThousandTransitions) / 1000;
  add({
    name: 'cost: DynamoDB units per lifecycle (read / write)',
    value: units.read + units.write,
    unit: `units (${units.read} read, ${units.write} write)`,
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: Scheduler calls / invocations / emails',
    value: scheduleCalls.length,
    unit: `API calls (${scheduleCalls.join(', ')}), 1 invocation, ${emails} emails, ${lambdaInvocations} function invocations`,
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: $ per million lifecycles (EventBridge Scheduler)',
    value: round(total * 1e6, 2),
    unit: 'USD',
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: $ per million lifecycles (Step Functions Standard wait)',
    value: round(sfn * 1e6, 2),
    unit: 'USD',
    target: '—',
    pass: null,
  });
  return { units, scheduleCalls, emails, lambdaInvocations, perLifecycle, total, sfn };
}

// ---- main --------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const cold = process.env.BENCH_ONLY ? [] : await coldStart();
  const ctx = await startStack({ GRANT_MIN_SECONDS: '1' });
  let cost: Awaited<ReturnType<typeof costPerLifecycle>> | undefined;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const idle = groupRssKb(ctx.stack.pid);
    add({
      name: 'whole local stack RSS at idle',
      value: round(idle.total / 1024, 0),
      unit: `MB (${idle.byProcess.map((p) => `${p.name} ${round(p.rssKb / 1024, 0)}`).join(', ')})`,
      target: '≤ 1024 MB',
      pass: idle.total / 1024 <= 1024,
    });
    const only = process.env.BENCH_ONLY;
    if (!only || only === 'access') await accessOverhead(ctx);
    if (!only || only === 'enforcement') await enforcement(ctx);
    if (!only || only === 'lateness')
      await lateness(ctx, 'scheduler', QUICK ? 100 : 500, 20_000, { end: 1, email: 2 });
    await burst(ctx);
    if (only === 'burst') return;
    await functionMemory(ctx);
    cost = await costPerLifecycle(ctx);
  } finally {
    await stopStack(ctx);
  }
  const sweepOnly = await startStack({
    GRANT_MIN_SECONDS: '1',
    SCHEDULER_EMULATOR: 'off',
    SWEEP_INTERVAL_SECONDS: '5',
  });
  try {
    await lateness(sweepOnly, 'sweep only', QUICK ? 50 : 200, 20_000, { end: 6, email: 7 });
  } finally {
    await stopStack(sweepOnly);
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log('\n| metric | value | unit | target | pass |\n|---|---|---|---|---|');
  for (const m of metrics)
    console.log(
      `| ${m.name} | ${m.value} | ${m.unit} | ${m.target} | ${m.pass === null ? '—' : m.pass ? 'yes' : 'NO'} |`,
    );
  console.log(
    `\n${metrics.filter((m) => m.pass === true).length} targets met, ${metrics.filter((m) => m.pass === false).length} missed; ${seconds} s`,
  );
  await writeFile(
    join(ROOT, 'bench', 'results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), seconds, metrics, coldStart: cold, cost }, null, 2)}\n`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
