import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../functions/adapters/dynamodb/keys.ts';
import {
  accessRecordOf,
  auditEventOf,
  chainedEventOf,
  chainPendingOf,
} from '../functions/adapters/dynamodb/stream.ts';
import { createTableInput } from '../functions/adapters/dynamodb/table-definition.ts';
import { isDeliverable, isMailedWhenChained } from '../functions/domain/audit.ts';
import type { Mailer } from '../functions/domain/ports.ts';
import {
  CHAIN_SETTLE_MS,
  chainPending,
  recordActivity,
  recordStampedChecks,
} from '../functions/use-cases/audit.ts';
import { changeGrantDeadline, createGrant, expireGrant, remindGrant } from '../functions/use-cases/grants.ts';
import { isNotifiedEvent, notifyContacts } from '../functions/use-cases/notify.ts';
import { checkAccess } from '../functions/use-cases/support.ts';
import { tableStores } from '../functions/wiring/stores.ts';
import { FakeClock } from '../test/support/clock.ts';
import { streamRecords } from '../test/support/stream.ts';
import {
  notifyDepsFor,
  RecordingScheduler,
  seedContact,
  testCursors,
  useCaseDeps,
} from '../test/support/use-case-deps.ts';
import { add, api, auditAll, type Ctx, local, tenants } from './context.ts';
import { pool, round } from './lib.ts';

/** Cost per lifecycle: what each write buys, at list prices. */

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
  eventBridgeCustomEventsPerMillion: 1.0,
};

/** Every function's memory (the template's default; none is set otherwise). */
const MEMORY_GB = 0.25;
/** What a function is billed when the run measured none of its invocations (said so in the row). */
const ASSUMED_MS = 100;

/**
 * One lifecycle — create, one extend, 10 access checks, 2 support activities, the reminder, the
 * expiry, two contacts mailed, everything chained — through the use cases on a fresh table with
 * `ReturnConsumedCapacity` on every call, the stream's consumers (check recorder, notifier,
 * chainer) run over the table's real stream as their event sources would. Every function
 * invocation it causes is billed at the p50 the stack's function host measured for that
 * function (`billed`), at the template's memory.
 */
export async function costPerLifecycle(ctx: Ctx, billed: Record<string, { p50: number }> = {}) {
  const units = { read: 0, write: 0 };
  /** What each step of the lifecycle consumed, by call: what each write buys. */
  const byStep = new Map<string, number>();
  /** Units by step alone (the printed table). */
  const byPhase = new Map<string, { read: number; write: number }>();
  let phase = 'setup';
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
      const kind = /Get|Query|Scan/.test(context.commandName ?? '') ? 'read' : 'write';
      units[kind] += consumed;
      const step = `${phase}: ${(context.commandName ?? '').replace(/Command$/, '')}`;
      byStep.set(step, (byStep.get(step) ?? 0) + consumed);
      const own = byPhase.get(phase) ?? { read: 0, write: 0 };
      own[kind] += consumed;
      byPhase.set(phase, own);
      return result;
    },
    { step: 'initialize', name: 'countCapacity' },
  );
  // DynamoDB Local reports a whole transaction as one item's units (10 puts: 2 units), so a
  // transaction's units are counted here item by item as DynamoDB bills them: 2 write units per
  // started KB of each item (the larger of its sizes before and after), condition checks too,
  // and 1 per started KB for each write of the index entry an item has before or after.
  const uncounted = new DynamoDBClient({
    endpoint: ctx.stack.dynamodbUrl,
    region: 'eu-central-1',
    credentials: local,
  });
  const itemAt = async (key: Record<string, AttributeValue>) =>
    (await uncounted.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      const items = ((args.input as { TransactItems?: TransactWriteItem[] }).TransactItems ?? []).map(
        transactKey,
      );
      const before = await Promise.all(items.map((i) => itemAt(i.key)));
      const result = await next(args);
      const after = await Promise.all(items.map((i) => itemAt(i.key)));
      const billed = items.reduce((n, item, i) => n + transactionUnits(item.action, before[i], after[i]), 0);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number }[] };
      output.ConsumedCapacity = [{ CapacityUnits: billed }];
      return result;
    },
    { step: 'build', name: 'billTransactionItems' },
  );
  const tableName = `bench-cost-${Date.now()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const stores = tableStores(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    testCursors(),
  );
  const scheduler = new RecordingScheduler();
  const clock = new FakeClock(new Date());
  const deps = useCaseDeps(stores, clock, scheduler);
  const API_CALL = { schedule: 'CreateSchedule', reschedule: 'UpdateSchedule', unschedule: 'DeleteSchedule' };
  const scheduleCalls = () => scheduler.calls.map((c) => API_CALL[c.action]);
  const a = await seedContact(deps, 'cost', 'a@cost.example', { name: 'A', phone: '030 1234567' });
  await seedContact(deps, 'cost', 'b@cost.example', { name: 'B', phone: '030 1234568' });
  let emails = 0;
  const mailer: Mailer = { send: async () => `m-${++emails}` };
  const notifyDeps = {
    ...notifyDepsFor({ stores, clock, deps }, mailer),
    log: deps.log,
    consoleUrl: 'http://127.0.0.1:3000',
  };
  /** Stream records read so far (the consumers go on after them, as their mappings do). */
  let seen = await streamRecords(client, tableName).then((r) => r.length);
  const newRecords = async () => {
    const all = await streamRecords(client, tableName);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  units.read = 0;
  units.write = 0;
  byStep.clear();
  /** Invocations by function; API requests; events put on the bus. */
  const invocations = new Map<string, number>();
  const invoked = (fn: string, n = 1) => invocations.set(fn, (invocations.get(fn) ?? 0) + n);
  let apiRequests = 0;
  let busEvents = 0;
  let notes = 0;
  const api = (fn: string) => {
    invoked(fn);
    apiRequests++;
  };
  /**
   * What the stream's consumers do with the records a step wrote: the recorder writes the checks'
   * events, the notifier mails (the end of a grant once chained), the publisher puts deliverable
   * events on the bus, and the chainer — one invocation when its batching window closes, one
   * more for each note it leaves — chains them once settled.
   */
  const consume = async (step: string) => {
    let records = await newRecords();
    const checks = records.flatMap((r) => accessRecordOf(r)?.stamped ?? []);
    if (checks.length > 0) {
      phase = `${step}: record checks`;
      await recordStampedChecks(deps, checks);
      invoked('recordChecks');
      records = [...records, ...(await newRecords())];
    }
    for (let round = 0; round < 10; round++) {
      const written = records.flatMap((r) => auditEventOf(r) ?? []);
      const mailed = records.flatMap((r) => {
        const event = auditEventOf(r);
        if (event) return isNotifiedEvent(event) && !isMailedWhenChained(event.type) ? [event] : [];
        const sealed = chainedEventOf(r);
        return sealed && isMailedWhenChained(sealed.type) ? [sealed] : [];
      });
      if (mailed.length > 0) {
        phase = `${step}: notify`;
        for (const event of mailed) await notifyContacts(notifyDeps, event);
        invoked('notify');
      }
      const deliverable = written.filter(isDeliverable);
      if (deliverable.length > 0) {
        busEvents += deliverable.length;
        invoked('publishEvents');
      }
      const more = [...(mailed.length > 0 ? await newRecords() : []), ...records];
      const pending = more.flatMap(chainPendingOf);
      if (pending.length === 0) break;
      phase = `${step}: chain`;
      clock.advance(CHAIN_SETTLE_MS + 1);
      const run = await chainPending(deps, pending);
      invoked('chainAudit');
      notes += run.later > 0 ? 1 : 0;
      records = await newRecords();
    }
  };

  phase = 'create';
  api('createGrant');
  await stores.contacts.findContactByEmail('cost', a.email);
  const { grant } = await createGrant(
    deps,
    'cost',
    a,
    { reason: 'cost', durationSeconds: 3 * 24 * 3600 },
    clock.now(),
  );
  await consume('create');
  phase = 'extend';
  api('changeGrantDeadline');
  await stores.contacts.findContactByEmail('cost', a.email);
  await changeGrantDeadline(deps, 'cost', grant.grantId, a, { durationSeconds: 4 * 24 * 3600 }, clock.now());
  await consume('extend');
  phase = '10 checks';
  for (let i = 0; i < 10; i++) {
    api('checkAccess');
    await checkAccess(deps, 'cost', 'agent@vendor.example');
    clock.advance(1000);
  }
  await consume('10 checks');
  phase = '2 activities';
  for (let i = 0; i < 2; i++) {
    api('recordActivity');
    await recordActivity(deps, 'cost', 'agent@vendor.example', {
      action: `step ${i}`,
      target: null,
      ticket: null,
    });
  }
  await consume('2 activities');
  // The bench's own read (when the reminder and the deadline are due), not the lifecycle's.
  const current = await itemAt({ pk: { S: keys.tenant('cost') }, sk: { S: keys.grant(grant.grantId) } });
  clock.set(new Date(current?.remindAt?.S ?? clock.now().toISOString()));
  phase = 'reminder';
  invoked('expireGrant');
  await remindGrant(deps, 'cost', grant.grantId);
  await consume('reminder');
  clock.set(new Date(current?.expiresAt?.S ?? clock.now().toISOString()));
  phase = 'expire';
  invoked('expireGrant');
  await expireGrant(deps, 'cost', grant.grantId);
  await consume('expire');

  const ms = (fn: string) => billed[fn]?.p50 ?? ASSUMED_MS;
  const assumed = [...invocations.keys()].filter((fn) => billed[fn] === undefined);
  const lambdaInvocations = [...invocations.values()].reduce((n, v) => n + v, 0);
  const gbSeconds = [...invocations].reduce((n, [fn, count]) => n + count * MEMORY_GB * (ms(fn) / 1000), 0);
  const schedulerInvocations = invocations.get('expireGrant') ?? 0;
  const perLifecycle = {
    dynamodb:
      (units.read * PRICES.dynamodbReadRequestUnitPerMillion +
        units.write * PRICES.dynamodbWriteRequestUnitPerMillion) /
      1e6,
    lambda:
      (lambdaInvocations * PRICES.lambdaRequestsPerMillion) / 1e6 + gbSeconds * PRICES.lambdaArmGbSecond,
    apiGateway: (apiRequests * PRICES.httpApiRequestsPerMillion) / 1e6,
    scheduler: (schedulerInvocations * PRICES.schedulerInvocationsPerMillion) / 1e6,
    eventBus: (busEvents * PRICES.eventBridgeCustomEventsPerMillion) / 1e6,
    ses: (emails * PRICES.sesPerThousandEmails) / 1000,
  };
  const total = Object.values(perLifecycle).reduce((n, v) => n + v, 0);
  const withoutEmail = total - perLifecycle.ses;
  // The same lifecycle with a Step Functions Standard wait workflow instead of the schedules:
  // start (Wait → Task (reminder) → Wait → Task (expiry) → End: 5 transitions), the extend a
  // stop and a start again (5 more); everything else as here.
  const sfnTransitions = 10;
  const sfnMechanism = (sfnTransitions * PRICES.stepFunctionsStandardPerThousandTransitions) / 1000;
  const sfn = total - perLifecycle.scheduler + sfnMechanism;
  const usd = (v: number) => round(v * 1e6, 2);
  add({
    name: 'cost: DynamoDB units per lifecycle (read / write)',
    value: units.read + units.write,
    unit: `units (${units.read} read, ${units.write} write)`,
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: invocations / Scheduler calls / emails / bus events per lifecycle',
    value: lambdaInvocations,
    unit: `function invocations (${[...invocations].map(([fn, n]) => `${fn} ${n} × ${ms(fn)} ms`).join(', ')}${assumed.length ? `; ${ASSUMED_MS} ms assumed for ${assumed.join(', ')}: not measured in this run` : ''}), ${apiRequests} API requests, Scheduler ${scheduleCalls().join(' + ')} and ${schedulerInvocations} invocations, ${emails} emails, ${busEvents} bus events, ${notes} chain notes`,
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: $ per million lifecycles (EventBridge Scheduler)',
    value: usd(total),
    unit: 'USD',
    target: '—',
    pass: null,
  });
  add({
    name: 'cost: $ per million lifecycles without email (infrastructure)',
    value: usd(withoutEmail),
    unit: `USD (DynamoDB ${usd(perLifecycle.dynamodb)}, Lambda ${usd(perLifecycle.lambda)}, API ${usd(perLifecycle.apiGateway)}, Scheduler ${usd(perLifecycle.scheduler)}, event bus ${usd(perLifecycle.eventBus)})`,
    target: '≤ 40',
    pass: withoutEmail * 1e6 <= 40,
  });
  add({
    name: 'cost: $ per million lifecycles without email, Step Functions Standard wait instead',
    value: usd(sfn - perLifecycle.ses),
    unit: `USD (the mechanism ${usd(sfnMechanism)} instead of ${usd(perLifecycle.scheduler)}: ${sfnTransitions} transitions)`,
    target: '—',
    pass: null,
  });
  console.log('[bench] cost by step, per million lifecycles (DynamoDB units at list prices):');
  console.log('| step | read units | write units | DynamoDB $ |');
  for (const [step, u] of byPhase)
    console.log(
      `| ${step} | ${u.read} | ${u.write} | ${usd((u.read * PRICES.dynamodbReadRequestUnitPerMillion + u.write * PRICES.dynamodbWriteRequestUnitPerMillion) / 1e6)} |`,
    );
  console.log('| function | invocations | billed ms (p50) | Lambda $ |');
  for (const [fn, n] of invocations)
    console.log(
      `| ${fn} | ${n} | ${ms(fn)} | ${usd((n * PRICES.lambdaRequestsPerMillion) / 1e6 + n * MEMORY_GB * (ms(fn) / 1000) * PRICES.lambdaArmGbSecond)} |`,
    );
  const steps = Object.fromEntries(byStep);
  console.log('[bench] DynamoDB units by step and call:', JSON.stringify(steps, null, 1));
  return {
    units,
    byStep: steps,
    byPhase: Object.fromEntries(byPhase),
    invocations: Object.fromEntries(invocations),
    billedMs: Object.fromEntries([...invocations.keys()].map((fn) => [fn, ms(fn)])),
    scheduleCalls: scheduleCalls(),
    emails,
    busEvents,
    apiRequests,
    lambdaInvocations,
    perLifecycle,
    total,
    withoutEmail,
    sfn,
  };
}

/**
 * Real lifecycles through the stack (create, extend, 10 checks, 2 activities, the expiry), so
 * that every function the cost row bills has measured invocations; waits until each grant's
 * end mail has gone (its chain sealed).
 */
export async function lifecycleTraffic(ctx: Ctx, count: number) {
  const list = await tenants(ctx, 'lifecycle', count);
  await pool(list, 4, async (t) => {
    const created = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'cost',
      durationSeconds: 20,
    });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const grantId = created.body.grantId as string;
    await api(ctx, 'PATCH', `/tenants/${t.tenantId}/grants/${grantId}`, t.contact, { durationSeconds: 25 });
    for (let i = 0; i < 10; i++) await api(ctx, 'GET', `/tenants/${t.tenantId}/access`, ctx.agent);
    for (let i = 0; i < 2; i++)
      await api(ctx, 'POST', `/tenants/${t.tenantId}/activity`, ctx.agent, { action: `step ${i}` });
  });
  const deadline = Date.now() + 180_000;
  for (const t of list) {
    for (;;) {
      const events = await auditAll(ctx, t.tenantId, t.admin);
      const ended = events.some((e) => e.type === 'grant.expired');
      const mailed = events.filter((e) => e.type === 'notification.sent').length;
      // created, extended and expired, to the one contact each.
      if (ended && mailed >= 3) break;
      if (Date.now() > deadline) throw new Error(`lifecycle of ${t.tenantId} did not end in time`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The target of one transaction item and what it does (its key as the wire carries it). */
function transactKey(item: TransactWriteItem): { action: string; key: Record<string, AttributeValue> } {
  if (item.Put) {
    const { pk, sk } = item.Put.Item ?? {};
    return { action: 'Put', key: { pk: pk as AttributeValue, sk: sk as AttributeValue } };
  }
  if (item.Update) return { action: 'Update', key: item.Update.Key ?? {} };
  if (item.Delete) return { action: 'Delete', key: item.Delete.Key ?? {} };
  return { action: 'ConditionCheck', key: item.ConditionCheck?.Key ?? {} };
}

/** An item's size as DynamoDB bills it: attribute names and values, in bytes. */
export function itemBytes(item: Record<string, AttributeValue> | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce(
    (n, [name, value]) => n + Buffer.byteLength(name) + valueBytes(value),
    0,
  );
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((n, v) => n + Buffer.byteLength(v), 0);
  if (value.NS) return value.NS.reduce((n, v) => n + valueBytes({ N: v }), 0);
  if (value.L) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M)
    return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  return 0;
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * Write units of one transaction item: twice the item's started KBs (prepare and commit), and
 * each write of its index entry (projection ALL: the whole item) at the standard rate — an entry
 * moved to another key is a delete and a put.
 */
export function transactionUnits(
  action: string,
  before: Record<string, AttributeValue> | undefined,
  after: Record<string, AttributeValue> | undefined,
): number {
  const table = 2 * kb(Math.max(itemBytes(before), itemBytes(after)));
  if (action === 'ConditionCheck') return table;
  const entry = (item: typeof before) => (item?.gsi1pk ? `${item.gsi1pk.S}\u0000${item.gsi1sk?.S}` : null);
  const [was, is] = [entry(before), entry(after)];
  let index = 0;
  if (was && is)
    index =
      was === is
        ? kb(Math.max(itemBytes(before), itemBytes(after)))
        : kb(itemBytes(before)) + kb(itemBytes(after));
  else if (was) index = kb(itemBytes(before));
  else if (is) index = kb(itemBytes(after));
  return table + index;
}
