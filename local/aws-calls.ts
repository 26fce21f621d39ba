import { appendFileSync } from 'node:fs';
import http from 'node:http';

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
  /** The event bus a PutEvents call names (every entry's). */
  bus?: string;
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
  if (Array.isArray(input.Entries)) {
    const buses = new Set(
      input.Entries.map((entry: { EventBusName?: string }) => entry.EventBusName ?? 'default'),
    );
    call.bus = [...buses].join(',');
  }
  return call;
}

const portOf = (url: string | undefined) => (url ? new URL(url).port : undefined);

/** What an AWS API request to the local engines was, from its method, path, headers and body. */
function callFromHttp(
  fn: string,
  port: string,
  method: string,
  path: string,
  headers: Record<string, unknown>,
  body: string,
): AwsCall | null {
  const url = new URL(path, 'http://local');
  if (port === portOf(process.env.AWS_ENDPOINT_URL_DYNAMODB)) {
    const target = String(headers['x-amz-target'] ?? headers['X-Amz-Target'] ?? '');
    const action = target.split('.')[1];
    if (!action || target.startsWith('DynamoDBStreams')) return null;
    return describe(fn, 'DynamoDB', action, JSON.parse(body || '{}'));
  }
  if (port === portOf(process.env.AWS_ENDPOINT_URL_SCHEDULER)) {
    const [kind, name] = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (kind !== 'schedules' || !name) return null;
    const verbs: Record<string, string> = { POST: 'Create', PUT: 'Update', DELETE: 'Delete', GET: 'Get' };
    const input = { ...(body ? JSON.parse(body) : {}), Name: name } as Record<string, unknown>;
    input.GroupName ??= url.searchParams.get('groupName') ?? 'default';
    return describe(fn, 'Scheduler', `${verbs[method] ?? method}Schedule`, input);
  }
  if (port === portOf(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE)) {
    const target = String(headers['x-amz-target'] ?? headers['X-Amz-Target'] ?? '');
    const action = target.split('.')[1];
    return action ? describe(fn, 'EventBridge', action, JSON.parse(body || '{}')) : null;
  }
  if (port === portOf(process.env.AWS_ENDPOINT_URL_SES)) {
    const form = new URLSearchParams(body);
    const action = form.get('Action');
    return action ? describe(fn, 'SES', action, { Source: form.get('Source') ?? undefined }) : null;
  }
  return null;
}

/**
 * Records every AWS API request this thread sends through `node:http` (the SDK's transport to
 * the local engines) as the calls of function `fn`: for a function that runs as its own
 * production bundle, with its own copy of the SDK, this is where its calls can be seen.
 */
export function recordHttpCalls(fn: string, file: string): void {
  const original = http.request;
  const patched = ((...args: Parameters<typeof http.request>) => {
    const request = original(...args);
    const options = (
      typeof args[0] === 'object' && !(args[0] instanceof URL) ? args[0] : {}
    ) as http.RequestOptions;
    const chunks: Buffer[] = [];
    const write = request.write.bind(request);
    const end = request.end.bind(request);
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    request.write = ((chunk: unknown, ...rest: never[]) => {
      keep(chunk);
      return write(chunk as never, ...rest);
    }) as typeof request.write;
    request.end = ((chunk?: unknown, ...rest: never[]) => {
      if (typeof chunk !== 'function') keep(chunk);
      try {
        const call = callFromHttp(
          fn,
          String(options.port ?? ''),
          String(options.method ?? 'GET'),
          String(options.path ?? '/'),
          (options.headers ?? {}) as Record<string, unknown>,
          Buffer.concat(chunks).toString('utf8'),
        );
        if (call) appendFileSync(file, `${JSON.stringify(call)}\n`);
      } catch {
        // A request we cannot read is not an AWS call of ours.
      }
      return end(chunk as never, ...rest);
    }) as typeof request.end;
    return request;
  }) as typeof http.request;
  http.request = patched;
}
