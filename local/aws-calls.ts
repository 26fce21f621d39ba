import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import { Client } from '@smithy/core/client';

/**
 * Which function an AWS call was made for: the local runtime runs every function in one process,
 * so each invocation (gateway, Scheduler target, stream poller, sweep) runs inside `invocation`.
 */
export const invocation = new AsyncLocalStorage<string>();

/** One AWS call a function made: enough to name its IAM action and resource, no data. */
export interface AwsCall {
  fn: string;
  service: string;
  command: string;
  /** Table, index, schedule, group, role and sender names from the input; never keys or items. */
  table?: string;
  index?: string;
  transact?: { op: string; table: string }[];
  schedule?: string;
  group?: string;
  roleArn?: string;
  source?: string;
}

function describe(fn: string, service: string, command: string, input: Record<string, unknown>): AwsCall {
  const call: AwsCall = { fn, service, command: command.replace(/Command$/, '') };
  if (typeof input.TableName === 'string') call.table = input.TableName;
  if (typeof input.IndexName === 'string') call.index = input.IndexName;
  if (Array.isArray(input.TransactItems)) {
    call.transact = input.TransactItems.flatMap((item: Record<string, { TableName?: string }>) =>
      Object.entries(item).map(([op, body]) => ({ op, table: String(body?.TableName) })),
    );
  }
  if (typeof input.Name === 'string') call.schedule = input.Name;
  if (typeof input.GroupName === 'string') call.group = input.GroupName;
  const target = input.Target as { RoleArn?: unknown } | undefined;
  if (typeof target?.RoleArn === 'string') call.roleArn = target.RoleArn;
  if (typeof input.Source === 'string') call.source = input.Source;
  return call;
}

/**
 * Records every AWS SDK call made inside an invocation to `file` (JSON lines), for the test that
 * evaluates each against the function's IAM policy in the synthesized template. The local
 * runtime turns it on only when `AWS_CALL_LOG` names a file; production code knows nothing of it.
 */
export function recordAwsCalls(file: string): void {
  const prototype = Client.prototype as unknown as {
    send: (this: { config: { serviceId?: string } }, command: object, ...rest: unknown[]) => unknown;
  };
  const send = prototype.send;
  prototype.send = function recorded(command, ...rest) {
    const fn = invocation.getStore();
    if (fn) {
      const input = (command as { input?: Record<string, unknown> }).input ?? {};
      const call = describe(fn, this.config.serviceId ?? 'unknown', command.constructor.name, input);
      appendFileSync(file, `${JSON.stringify(call)}\n`);
    }
    return send.call(this, command, ...rest);
  };
}
