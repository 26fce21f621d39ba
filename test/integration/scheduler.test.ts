import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  atExpression,
  EventBridgeGrantScheduler,
  lapseScheduleName,
  reminderScheduleName,
  scheduleName,
} from '../../functions/adapters/scheduler.ts';
import { freePort } from '../../local/ports.ts';
import { type SchedulerEmulator, startSchedulerEmulator } from '../../local/scheduler-emulator.ts';
import { abandonMidBody } from '../support/raw-http.ts';
import { localClientConfig } from '../support/table.ts';
import { until } from '../support/until.ts';

const GROUP = 'grants';
const TARGET = 'arn:aws:lambda:eu-central-1:000000000000:function:expire';
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setup(
  invoke: (arn: string, input: string) => Promise<void> = async () => {},
  dataDir?: string,
) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'scheduler-test-')));
  const port = await freePort();
  const emulator: SchedulerEmulator = await startSchedulerEmulator({
    port,
    dataDir: dir,
    invoke,
    retryBaseMs: 50,
    tickMs: 20,
  });
  stops.push(emulator.stop);
  const client = new SchedulerClient(localClientConfig(emulator.url));
  await client.send(new CreateScheduleGroupCommand({ Name: GROUP })).catch((e) => {
    if (!(e instanceof ConflictException)) throw e;
  });
  const adapter = new EventBridgeGrantScheduler(client, {
    groupName: GROUP,
    expiryFunctionArn: TARGET,
    roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    deadLetterQueueArn: 'arn:aws:sqs:eu-central-1:000000000000:dlq',
    maxRetries: 2,
    maxEventAgeSeconds: 3600,
  });
  return { emulator, client, adapter, dir };
}

const expiry = (grantId: string, expiresAt: string, version = 1, remindAt: string | null = null) => ({
  tenantId: 'acme',
  grantId,
  expiresAt,
  version,
  remindAt,
});
const get = (client: SchedulerClient, grantId: string) =>
  client.send(new GetScheduleCommand({ Name: scheduleName(grantId), GroupName: GROUP }));

describe('EventBridge Scheduler adapter against the Scheduler emulator', () => {
  it('creates one one-time UTC schedule per grant with retry policy, DLQ and delete-after-completion', async () => {
    const { client, adapter } = await setup();
    await adapter.schedule(expiry('G1', '2030-01-01T10:00:00.250Z'));
    await adapter.schedule(expiry('G1', '2030-01-01T10:00:00.250Z')); // a retried create
    const schedule = await get(client, 'G1');
    expect(schedule).toMatchObject({
      Name: 'grant-G1',
      GroupName: GROUP,
      State: 'ENABLED',
      ScheduleExpression: 'at(2030-01-01T10:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: TARGET,
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-central-1:000000000000:dlq' },
      },
    });
    expect(schedule.CreationDate).toBeInstanceOf(Date);
    const { remindAt: _none, ...grant } = expiry('G1', '2030-01-01T10:00:00.250Z');
    expect(JSON.parse(schedule.Target?.Input ?? '')).toEqual({ kind: 'expiry', ...grant });
    const list = await client.send(new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: 'grant-' }));
    expect(list.Schedules?.map((s) => s.Name)).toEqual(['grant-G1']);
  });

  it('keeps a reminder schedule beside the expiry one while a reminder is pending', async () => {
    const { client, adapter } = await setup();
    const reminder = (grantId: string) =>
      client.send(new GetScheduleCommand({ Name: reminderScheduleName(grantId), GroupName: GROUP }));
    await adapter.schedule(expiry('G9', '2030-01-02T10:00:00.000Z', 1, '2030-01-01T10:00:00.000Z'));
    const first = await reminder('G9');
    expect(first.ScheduleExpression).toBe('at(2030-01-01T10:00:00)');
    expect(JSON.parse(first.Target?.Input ?? '')).toEqual({
      kind: 'reminder',
      tenantId: 'acme',
      grantId: 'G9',
      version: 1,
      remindAt: '2030-01-01T10:00:00.000Z',
    });
    await adapter.reschedule(expiry('G9', '2030-01-09T10:00:00.000Z', 2, '2030-01-08T10:00:00.000Z'));
    expect((await reminder('G9')).ScheduleExpression).toBe('at(2030-01-08T10:00:00)');
    // Shortened below the lead: no reminder any more.
    await adapter.reschedule(expiry('G9', '2030-01-01T10:00:00.000Z', 3, null));
    await expect(reminder('G9')).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await get(client, 'G9')).ScheduleExpression).toBe('at(2030-01-01T10:00:00)');
    await adapter.reschedule(expiry('G9', '2030-01-09T10:00:00.000Z', 4, '2030-01-08T10:00:00.000Z'));
    await adapter.unschedule({ tenantId: 'acme', grantId: 'G9' });
    await expect(reminder('G9')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(get(client, 'G9')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('an instruction’s lapse schedule names the instruction, rounded up to the second', async () => {
    const { client, adapter } = await setup();
    const instruction = { tenantId: 'acme', instructionId: 'I5', confirmBy: '2030-01-04T10:00:00.250Z' };
    await adapter.scheduleLapse(instruction);
    const schedule = await client.send(
      new GetScheduleCommand({ Name: lapseScheduleName('I5'), GroupName: GROUP }),
    );
    expect(schedule.ScheduleExpression).toBe('at(2030-01-04T10:00:01)');
    expect(JSON.parse(schedule.Target?.Input ?? '')).toEqual({ kind: 'lapse', ...instruction });
    await adapter.unscheduleLapse(instruction);
    await expect(
      client.send(new GetScheduleCommand({ Name: lapseScheduleName('I5'), GroupName: GROUP })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('reschedules (creating if the first create was lost) and unschedules idempotently', async () => {
    const { client, adapter } = await setup();
    await adapter.reschedule(expiry('G2', '2030-01-01T10:00:00.000Z', 2));
    expect((await get(client, 'G2')).ScheduleExpression).toBe('at(2030-01-01T10:00:00)');
    await adapter.reschedule(expiry('G2', '2030-02-01T10:00:00.000Z', 3));
    expect((await get(client, 'G2')).ScheduleExpression).toBe('at(2030-02-01T10:00:00)');
    await adapter.unschedule({ tenantId: 'acme', grantId: 'G2' });
    await adapter.unschedule({ tenantId: 'acme', grantId: 'G2' });
    await expect(get(client, 'G2')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers errors the SDK maps to its exception classes', async () => {
    const { client } = await setup();
    const base = {
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      Target: { Arn: TARGET, RoleArn: 'arn:aws:iam::000000000000:role/r' },
    };
    await expect(
      client.send(
        new CreateScheduleCommand({
          Name: 'x',
          GroupName: 'missing',
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          ...base,
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(
        new CreateScheduleCommand({ Name: 'x', GroupName: GROUP, ScheduleExpression: 'whenever', ...base }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await client.send(
      new CreateScheduleCommand({
        Name: 'x',
        GroupName: GROUP,
        ScheduleExpression: 'at(2030-01-01T00:00:00)',
        ...base,
      }),
    );
    await expect(
      client.send(
        new CreateScheduleCommand({
          Name: 'x',
          GroupName: GROUP,
          ScheduleExpression: 'at(2030-01-01T00:00:00)',
          ...base,
        }),
      ),
    ).rejects.toBeInstanceOf(ConflictException);
  });

  it('fires a due schedule with its Input within a second, then deletes it', async () => {
    const fired: { arn: string; input: string; at: number }[] = [];
    const { client, adapter } = await setup(async (arn, input) => {
      fired.push({ arn, input, at: Date.now() });
    });
    const deadline = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    await adapter.schedule(expiry('G3', deadline.toISOString()));
    await until(
      async () => fired.length,
      (n) => n >= 1,
      5000,
      'the schedule to fire',
    );
    await until(
      () =>
        get(client, 'G3').then(
          () => 'exists',
          () => 'deleted',
        ),
      (state) => state === 'deleted',
      5000,
      'the fired schedule to be deleted',
    );
    expect(fired).toHaveLength(1);
    expect(fired[0]?.arn).toBe(TARGET);
    expect(JSON.parse(fired[0]?.input ?? '').grantId).toBe('G3');
    expect((fired[0]?.at ?? 0) - deadline.getTime()).toBeLessThan(300);
    await expect(get(client, 'G3')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('retries a failing target per the retry policy, then writes it to the dead-letter file', async () => {
    let attempts = 0;
    const { client, adapter, dir } = await setup(async () => {
      attempts++;
      throw new Error('target down');
    });
    await adapter.schedule(expiry('G4', new Date(Date.now() - 10).toISOString()));
    const deadLetters = join(dir, 'scheduler', 'dead-letter.jsonl');
    const lines = await until(
      () =>
        readFile(deadLetters, 'utf8').then(
          (text) => text.trim().split('\n'),
          () => [] as string[],
        ),
      (found) => found.length >= 1,
      5000,
      'a dead letter',
    );
    expect(attempts).toBe(3); // first try + MaximumRetryAttempts 2
    const dead = lines.map((l) => JSON.parse(l));
    expect(dead).toEqual([expect.objectContaining({ target: TARGET, attempts: 3, error: 'target down' })]);
    await expect(get(client, 'G4')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('a client that goes away mid-body drops only its own request', async () => {
    const { emulator } = await setup();
    await abandonMidBody(
      emulator.url,
      'POST /schedules/cut-off HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"GroupName":',
    );
    await until(
      () =>
        fetch(`${emulator.url}/schedule-groups/${GROUP}`).then(
          (r) => r.status,
          () => 0,
        ),
      (status) => status === 200,
      5000,
      'the emulator answering after a client went away mid-body',
    );
  });

  it('persists schedules and fires those that fell due while it was down at the next start', async () => {
    const fired: string[] = [];
    const first = await setup();
    const deadline = new Date(Date.now() + 300).toISOString();
    await first.adapter.schedule(expiry('G5', deadline));
    await stops.pop()?.();
    // The deadline passes while the emulator is down.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(deadline) - Date.now()) + 100));
    await setup(async (_arn, input) => {
      fired.push(JSON.parse(input).grantId);
    }, first.dir);
    await until(
      async () => fired.length,
      (n) => n >= 1,
      5000,
      'the overdue schedule to fire',
    );
    expect(fired).toEqual(['G5']);
  });

  it('rounds at() down to the second so the schedule is never a second late', () => {
    expect(atExpression('2030-01-01T10:00:00.999Z')).toBe('at(2030-01-01T10:00:00)');
    expect(atExpression('2030-01-01T10:00:00.000Z')).toBe('at(2030-01-01T10:00:00)');
  });
});
