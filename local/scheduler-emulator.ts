import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CROSS_ORIGIN_DETAIL,
  FOREIGN_HOST_DETAIL,
  keepIdleConnections,
  readRequestBody,
  refuseCrossOrigin,
  refuseForeignHost,
  requestUrl,
} from './loopback.ts';
import {
  ApiError,
  dueTime,
  epochSeconds,
  type Group,
  NAME,
  type StoredSchedule,
  scheduleCallLimit,
  type Target,
} from './scheduler-model.ts';

export { dueTime, type StoredSchedule, scheduleCallLimit } from './scheduler-model.ts';

/**
 * A local EventBridge Scheduler: the REST-JSON API that `@aws-sdk/client-scheduler` speaks
 * (schedules and schedule groups), persisted under the data folder, firing due `at()` schedules
 * by invoking the target with the schedule's Input, retrying per the retry policy, writing what
 * exhausts its retries to a dead-letter file, and deleting after completion when asked to.
 */
export interface SchedulerEmulatorOptions {
  port: number;
  dataDir: string;
  /** Invokes the target (a Lambda ARN) with the schedule's Input; a rejection is a failed attempt. */
  invoke: (targetArn: string, input: string) => Promise<void>;
  region?: string;
  accountId?: string;
  /** First retry delay; doubles per attempt up to a minute. */
  retryBaseMs?: number;
  tickMs?: number;
  /**
   * Requests per second the schedule calls (Create, Update, Delete, GetSchedule) may make
   * together, like the service's per-account quota; above it they are throttled. No limit unless given.
   */
  maxTps?: number | undefined;
}

export interface SchedulerEmulator {
  url: string;
  server: Server;
  schedules(): StoredSchedule[];
  stop(): Promise<void>;
}

export async function startSchedulerEmulator(options: SchedulerEmulatorOptions): Promise<SchedulerEmulator> {
  const region = options.region ?? 'eu-central-1';
  const account = options.accountId ?? '000000000000';
  const folder = join(options.dataDir, 'scheduler');
  const stateFile = join(folder, 'schedules.json');
  const deadLetterFile = join(folder, 'dead-letter.jsonl');
  await mkdir(folder, { recursive: true });

  const schedules = new Map<string, StoredSchedule>();
  const groups = new Map<string, Group>();
  const key = (group: string, name: string) => `${group}/${name}`;
  const groupArn = (name: string) => `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
  const scheduleArn = (group: string, name: string) =>
    `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
  const addGroup = (name: string) => {
    const now = epochSeconds();
    groups.set(name, {
      Name: name,
      Arn: groupArn(name),
      State: 'ACTIVE',
      CreationDate: now,
      LastModificationDate: now,
    });
  };

  try {
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      schedules: StoredSchedule[];
      groups: Group[];
    };
    for (const g of saved.groups) groups.set(g.Name, g);
    for (const s of saved.schedules) schedules.set(key(s.GroupName, s.Name), { ...s, nextAttemptAt: 0 });
  } catch {
    // First start: nothing saved yet.
  }
  if (!groups.has('default')) addGroup('default');

  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      const tmp = `${stateFile}.tmp`;
      await writeFile(
        tmp,
        JSON.stringify({ groups: [...groups.values()], schedules: [...schedules.values()] }),
      );
      await rename(tmp, stateFile);
    });
    return flushing;
  };
  const persist = () => {
    flushTimer ??= setTimeout(() => {
      flushTimer = undefined;
      void flush();
    }, 50);
  };

  function validateSchedule(
    name: string,
    body: Record<string, unknown>,
  ): Omit<
    StoredSchedule,
    'CreationDate' | 'LastModificationDate' | 'Arn' | 'attempts' | 'nextAttemptAt' | 'completed'
  > {
    if (!NAME.test(name)) throw new ApiError(400, 'ValidationException', `Invalid schedule name ${name}.`);
    const expression = body.ScheduleExpression;
    if (typeof expression !== 'string')
      throw new ApiError(400, 'ValidationException', 'ScheduleExpression is required.');
    const window = body.FlexibleTimeWindow as StoredSchedule['FlexibleTimeWindow'] | undefined;
    if (!window || (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE')) {
      throw new ApiError(400, 'ValidationException', 'FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.');
    }
    const target = body.Target as Target | undefined;
    if (!target || typeof target.Arn !== 'string' || typeof target.RoleArn !== 'string') {
      throw new ApiError(400, 'ValidationException', 'Target.Arn and Target.RoleArn are required.');
    }
    const group = typeof body.GroupName === 'string' ? body.GroupName : 'default';
    if (!groups.has(group))
      throw new ApiError(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    const timezone =
      typeof body.ScheduleExpressionTimezone === 'string' ? body.ScheduleExpressionTimezone : undefined;
    const state = body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
    const after = body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE';
    return {
      Name: name,
      GroupName: group,
      State: state,
      ScheduleExpression: expression,
      ...(timezone ? { ScheduleExpressionTimezone: timezone } : {}),
      FlexibleTimeWindow: window,
      Target: target,
      ...(typeof body.Description === 'string' ? { Description: body.Description } : {}),
      ActionAfterCompletion: after,
      ...(typeof body.ClientToken === 'string' ? { ClientToken: body.ClientToken } : {}),
      dueAt: dueTime(expression, timezone),
    };
  }

  function publicSchedule(s: StoredSchedule) {
    const { dueAt: _d, attempts: _a, nextAttemptAt: _n, completed: _c, ClientToken: _t, ...rest } = s;
    return rest;
  }

  function route(method: string, url: URL, body: Record<string, unknown>): unknown {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const groupParam = url.searchParams.get('groupName') ?? 'default';
    if (parts[0] === 'schedules' && parts.length === 2) {
      const name = parts[1] as string;
      if (method === 'POST') {
        const input = validateSchedule(name, body);
        const existing = schedules.get(key(input.GroupName, name));
        if (existing) {
          if (input.ClientToken && existing.ClientToken === input.ClientToken)
            return { ScheduleArn: existing.Arn };
          throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
        }
        const now = epochSeconds();
        const stored: StoredSchedule = {
          ...input,
          Arn: scheduleArn(input.GroupName, name),
          CreationDate: now,
          LastModificationDate: now,
          attempts: 0,
          nextAttemptAt: 0,
          completed: false,
        };
        schedules.set(key(input.GroupName, name), stored);
        persist();
        return { ScheduleArn: stored.Arn };
      }
      if (method === 'PUT') {
        const input = validateSchedule(name, body);
        const existing = schedules.get(key(input.GroupName, name));
        if (!existing)
          throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        const updated: StoredSchedule = {
          ...input,
          Arn: existing.Arn,
          CreationDate: existing.CreationDate,
          LastModificationDate: epochSeconds(),
          attempts: 0,
          nextAttemptAt: 0,
          completed: false,
        };
        schedules.set(key(input.GroupName, name), updated);
        persist();
        return { ScheduleArn: updated.Arn };
      }
      const existing = schedules.get(key(groupParam, name));
      if (!existing) throw new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
      if (method === 'GET') return publicSchedule(existing);
      if (method === 'DELETE') {
        schedules.delete(key(groupParam, name));
        persist();
        return {};
      }
    }
    if (parts[0] === 'schedules' && parts.length === 1 && method === 'GET') {
      const prefix = url.searchParams.get('NamePrefix') ?? '';
      const group = url.searchParams.get('ScheduleGroup');
      const state = url.searchParams.get('State');
      const max = Math.min(Number(url.searchParams.get('MaxResults') ?? 100) || 100, 100);
      const start = Number(url.searchParams.get('NextToken') ?? 0) || 0;
      const matching = [...schedules.values()]
        .filter(
          (s) =>
            s.Name.startsWith(prefix) && (!group || s.GroupName === group) && (!state || s.State === state),
        )
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const page = matching.slice(start, start + max);
      return {
        Schedules: page.map((s) => ({
          Arn: s.Arn,
          Name: s.Name,
          GroupName: s.GroupName,
          State: s.State,
          CreationDate: s.CreationDate,
          LastModificationDate: s.LastModificationDate,
          Target: { Arn: s.Target.Arn },
        })),
        ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
      };
    }
    if (parts[0] === 'schedule-groups' && parts.length === 2) {
      const name = parts[1] as string;
      if (method === 'POST') {
        if (!NAME.test(name))
          throw new ApiError(400, 'ValidationException', `Invalid schedule group name ${name}.`);
        if (groups.has(name))
          throw new ApiError(409, 'ConflictException', `Schedule group ${name} already exists.`);
        addGroup(name);
        persist();
        return { ScheduleGroupArn: groupArn(name) };
      }
      const group = groups.get(name);
      if (!group)
        throw new ApiError(404, 'ResourceNotFoundException', `Schedule group ${name} does not exist.`);
      if (method === 'GET') return group;
      if (method === 'DELETE') {
        if (name === 'default')
          throw new ApiError(400, 'ValidationException', 'The default group cannot be deleted.');
        groups.delete(name);
        for (const [k, s] of schedules) if (s.GroupName === name) schedules.delete(k);
        persist();
        return {};
      }
    }
    if (parts[0] === 'schedule-groups' && parts.length === 1 && method === 'GET') {
      return { ScheduleGroups: [...groups.values()] };
    }
    throw new ApiError(404, 'ResourceNotFoundException', `Unknown operation ${method} ${url.pathname}.`);
  }

  const throttle = options.maxTps ? scheduleCallLimit(options.maxTps) : () => false;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const refused = () =>
      ['application/json', JSON.stringify({ Message: FOREIGN_HOST_DETAIL })] as [string, string];
    if (refuseForeignHost(req, res, refused)) return;
    const crossOrigin = () =>
      ['application/json', JSON.stringify({ Message: CROSS_ORIGIN_DETAIL })] as [string, string];
    if (refuseCrossOrigin(req, res, crossOrigin)) return;
    const read = await readRequestBody(req, res);
    if (!read) return;
    const reply = (status: number, payload: unknown, type?: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    try {
      const text = read.body.toString('utf8');
      let body: Record<string, unknown> = {};
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new ApiError(400, 'ValidationException', 'The request body is not valid JSON.');
        }
      }
      const url = requestUrl(req.url);
      if (!url) throw new ApiError(404, 'ResourceNotFoundException', 'No such path.');
      if (throttle(url)) throw new ApiError(429, 'ThrottlingException', 'Rate exceeded');
      reply(200, route(req.method ?? 'GET', url, body));
    } catch (error) {
      if (error instanceof ApiError) reply(error.status, { Message: error.message }, error.type);
      else reply(500, { Message: 'Internal error' }, 'InternalServerException');
    }
  });

  keepIdleConnections(server);

  // ---- firing ------------------------------------------------------------------------------

  const inFlight = new Set<string>();
  const retryBase = options.retryBaseMs ?? 1000;

  async function fire(id: string, schedule: StoredSchedule) {
    inFlight.add(id);
    try {
      await options.invoke(schedule.Target.Arn, schedule.Target.Input ?? '{}');
      complete(id, schedule);
    } catch (error) {
      const current = schedules.get(id);
      if (current !== schedule) return; // changed or deleted meanwhile
      schedule.attempts++;
      const policy = schedule.Target.RetryPolicy ?? {};
      const maxRetries = policy.MaximumRetryAttempts ?? 185;
      const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? 86_400) * 1000;
      const age = Date.now() - (schedule.dueAt ?? Date.now());
      if (schedule.attempts > maxRetries || age >= maxAgeMs) {
        await appendFile(
          deadLetterFile,
          `${JSON.stringify({
            at: new Date().toISOString(),
            schedule: schedule.Arn,
            deadLetterQueue: schedule.Target.DeadLetterConfig?.Arn ?? null,
            target: schedule.Target.Arn,
            input: schedule.Target.Input ?? null,
            attempts: schedule.attempts,
            error: (error as Error).message,
          })}\n`,
        );
        complete(id, schedule);
      } else {
        schedule.nextAttemptAt = Date.now() + Math.min(retryBase * 2 ** (schedule.attempts - 1), 60_000);
        persist();
      }
    } finally {
      inFlight.delete(id);
    }
  }

  function complete(id: string, schedule: StoredSchedule) {
    if (schedules.get(id) !== schedule) return;
    if (schedule.ActionAfterCompletion === 'DELETE') schedules.delete(id);
    else schedule.completed = true;
    persist();
  }

  const tick = () => {
    const now = Date.now();
    for (const [id, schedule] of schedules) {
      if (schedule.State !== 'ENABLED' || schedule.completed || schedule.dueAt === null || inFlight.has(id))
        continue;
      if (schedule.dueAt <= now && schedule.nextAttemptAt <= now) void fire(id, schedule);
    }
  };
  const timer = setInterval(tick, options.tickMs ?? 100);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  tick(); // overdue schedules fire at once
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    schedules: () => [...schedules.values()],
    stop: async () => {
      clearInterval(timer);
      if (flushTimer) clearTimeout(flushTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await flush();
    },
  };
}
