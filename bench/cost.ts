import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../functions/adapters/dynamodb/table-definition.ts';
import type { Mailer } from '../functions/domain/ports.ts';
import { changeGrantDeadline, createGrant, expireGrant } from '../functions/use-cases/grants.ts';
import { notifyContacts } from '../functions/use-cases/notify.ts';
import { listAudit } from '../functions/use-cases/support.ts';
import { tableStores } from '../functions/wiring/stores.ts';
import { FakeClock } from '../test/support/clock.ts';
import {
  notifyDepsFor,
  RecordingScheduler,
  seedContact,
  testCursors,
  useCaseDeps,
} from '../test/support/use-case-deps.ts';
import { add, type Ctx, local } from './context.ts';
import { round } from './lib.ts';

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
};

export async function costPerLifecycle(ctx: Ctx) {
  const units = { read: 0, write: 0 };
  /** What each step of the lifecycle consumed, by call: what each write buys. */
  const byStep = new Map<string, number>();
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
      if (/Get|Query|Scan/.test(context.commandName ?? '')) units.read += consumed;
      else units.write += consumed;
      const step = `${phase}: ${(context.commandName ?? '').replace(/Command$/, '')}`;
      byStep.set(step, (byStep.get(step) ?? 0) + consumed);
      return result;
    },
    { step: 'initialize', name: 'countCapacity' },
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
  units.read = 0;
  units.write = 0;
  byStep.clear();
  // create: authorization lookup, then the use case
  phase = 'create';
  await stores.contacts.findContactByEmail('cost', a.email);
  const { grant } = await createGrant(
    deps,
    'cost',
    a,
    { reason: 'cost', durationSeconds: 3600 },
    clock.now(),
  );
  phase = 'extend';
  await stores.contacts.findContactByEmail('cost', a.email);
  await changeGrantDeadline(deps, 'cost', grant.grantId, a, { durationSeconds: 7200 }, clock.now());
  clock.advance(7200_000);
  phase = 'expire';
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
    phase = `notify ${event.type}`;
    await notifyContacts(
      {
        ...notifyDepsFor({ stores, clock, deps }, mailer),
        log: deps.log,
        consoleUrl: 'http://127.0.0.1:3000',
      },
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
  const withoutEmail = total - perLifecycle.ses;
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
    value: scheduleCalls().length,
    unit: `API calls (${scheduleCalls().join(', ')}), 1 invocation, ${emails} emails, ${lambdaInvocations} function invocations`,
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
    name: 'cost: $ per million lifecycles without email (infrastructure)',
    value: round(withoutEmail * 1e6, 2),
    unit: `USD (DynamoDB ${round(perLifecycle.dynamodb * 1e6, 2)}, Lambda ${round(perLifecycle.lambda * 1e6, 2)}, API ${round(perLifecycle.apiGateway * 1e6, 2)}, Scheduler ${round(perLifecycle.scheduler * 1e6, 2)})`,
    target: '≤ 20',
    pass: withoutEmail * 1e6 <= 20,
  });
  add({
    name: 'cost: $ per million lifecycles (Step Functions Standard wait)',
    value: round(sfn * 1e6, 2),
    unit: 'USD',
    target: '—',
    pass: null,
  });
  const steps = Object.fromEntries(byStep);
  console.log('[bench] DynamoDB units by step:', JSON.stringify(steps, null, 1));
  return {
    units,
    byStep: steps,
    scheduleCalls: scheduleCalls(),
    emails,
    lambdaInvocations,
    perLifecycle,
    total,
    withoutEmail,
    sfn,
  };
}
