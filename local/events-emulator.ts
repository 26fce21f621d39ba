import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CROSS_ORIGIN_DETAIL,
  FOREIGN_HOST_DETAIL,
  isLoopbackHost,
  keepIdleConnections,
  readRequestBody,
  refuseCrossOrigin,
  refuseForeignHost,
  requestUrl,
} from './loopback.ts';

/**
 * A local EventBridge event bus: the `PutEvents` call of the AWS JSON 1.1 API that
 * `@aws-sdk/client-eventbridge` speaks, unchanged. It keeps what it took, as EventBridge hands an
 * event to a rule's target, for `GET /events` (oldest first), and POSTs each to a forward URL
 * when one is set, like a rule with an API destination. No rules, no archive, no replay.
 */
export interface EventsEmulatorOptions {
  port: number;
  region?: string;
  accountId?: string;
  /** The buses that exist (besides `default`): a put to any other fails that entry. */
  busNames?: string[];
  /** Where each event is POSTed as it arrives (a loopback http URL); a failure is logged, nothing waits for it. */
  forwardUrl?: string | undefined;
  /** The events kept for `GET /events`; older ones are let go (default 10 000). */
  keep?: number;
  log?: (message: string) => void;
}

/** An event as EventBridge delivers it to a target. */
export interface DeliveredEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface EventsEmulator {
  url: string;
  server: Server;
  events: () => DeliveredEvent[];
  stop: () => Promise<void>;
}

interface Entry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  Resources?: unknown;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** EventBridge's limits: 10 entries a call, 256 KB a call. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** A forward URL must stay on this machine: the emulator never sends events elsewhere. */
export function checkForwardUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`EVENTS_FORWARD_URL must be a URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.host) || url.username || url.password)
    throw new Error(
      `EVENTS_FORWARD_URL must be http://127.0.0.1:<port>/… or http://localhost:<port>/…, got "${raw}"`,
    );
  return url;
}

/** The delivered `time`: EventBridge gives it to the second. */
function deliveredTime(time: unknown): string {
  const ms =
    typeof time === 'number' ? time * 1000 : typeof time === 'string' ? Date.parse(time) : Date.now();
  // A time no Date can hold (±1e300 s) is the time of receipt, as an absent one is.
  const at = new Date(Number.isFinite(ms) ? ms : Date.now());
  return (Number.isNaN(at.getTime()) ? new Date() : at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a parsed value can be written as JSON again (a deeply nested one overflows the stack). */
function reserializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

export async function startEventsEmulator(options: EventsEmulatorOptions): Promise<EventsEmulator> {
  const region = options.region ?? 'eu-central-1';
  const account = options.accountId ?? '000000000000';
  const buses = new Set(['default', ...(options.busNames ?? [])]);
  const keep = options.keep ?? 10_000;
  const log = options.log ?? ((message: string) => console.error(message));
  const forwardUrl = options.forwardUrl ? checkForwardUrl(options.forwardUrl) : null;
  const received: DeliveredEvent[] = [];

  // One at a time, in the order taken: a slow or failing receiver holds up only the forwarding.
  let forwarding: Promise<void> = Promise.resolve();
  const forward = (event: DeliveredEvent) => {
    if (!forwardUrl) return;
    forwarding = forwarding.then(async () => {
      try {
        const response = await fetch(forwardUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event),
          redirect: 'manual',
          signal: AbortSignal.timeout(5000),
        });
        await response.body?.cancel();
        if (!response.ok) log(`events emulator: forwarding ${event.id} got HTTP ${response.status}`);
      } catch (error) {
        log(`events emulator: forwarding ${event.id} failed: ${(error as Error).message}`);
      }
    });
  };

  /** One entry: the delivered event, or the error EventBridge reports for that entry alone. */
  function take(entry: Entry): DeliveredEvent | { ErrorCode: string; ErrorMessage: string } {
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '')
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
    }
    const bus = typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName : 'default';
    const busName = bus.startsWith('arn:') ? (bus.split('/').pop() ?? bus) : bus;
    if (!buses.has(busName))
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail) || !reserializable(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account,
      time: deliveredTime(entry.Time),
      region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.filter((r) => typeof r === 'string') : [],
      detail,
    };
  }

  function putEvents(body: unknown) {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new ApiError(400, 'SerializationException', 'The request body is not a JSON object.');
    const entries = (body as Record<string, unknown>).Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES)
      throw new ApiError(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    let failed = 0;
    const results = entries.map((entry: Entry) => {
      const outcome = take(entry ?? {});
      if ('ErrorCode' in outcome) {
        failed++;
        return outcome;
      }
      received.push(outcome);
      if (received.length > keep) received.splice(0, received.length - keep);
      forward(outcome);
      return { EventId: outcome.id };
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const refused = () =>
      ['application/json', JSON.stringify({ message: FOREIGN_HOST_DETAIL })] as [string, string];
    if (refuseForeignHost(req, res, refused)) return;
    const crossOrigin = () =>
      ['application/json', JSON.stringify({ message: CROSS_ORIGIN_DETAIL })] as [string, string];
    if (refuseCrossOrigin(req, res, crossOrigin)) return;
    const read = await readRequestBody(req, res, MAX_REQUEST_BYTES);
    if (!read) return;
    const { size } = read;
    const reply = (status: number, payload: unknown, type?: string) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, {
        'content-type':
          type === undefined && status === 200 ? 'application/x-amz-json-1.1' : 'application/json',
        'cache-control': 'no-store',
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    try {
      const url = requestUrl(req.url);
      if (!url) throw new ApiError(404, 'ResourceNotFoundException', 'No such path.');
      if (req.method === 'GET' && url.pathname === '/events') {
        const list = JSON.stringify(received);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(list);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: true, events: received.length }));
        return;
      }
      if (req.method !== 'POST' || url.pathname !== '/')
        throw new ApiError(
          404,
          'ResourceNotFoundException',
          `Unknown operation ${req.method} ${url.pathname}.`,
        );
      if (size > MAX_REQUEST_BYTES)
        throw new ApiError(
          413,
          'ValidationException',
          'Total size of the entries in the request is over the limit.',
        );
      const target = req.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents')
        throw new ApiError(
          400,
          'UnknownOperationException',
          `This emulator only answers AWSEvents.PutEvents, not ${target}.`,
        );
      let body: unknown;
      try {
        body = JSON.parse(read.body.toString('utf8') || '{}');
      } catch {
        throw new ApiError(400, 'SerializationException', 'The request body is not valid JSON.');
      }
      reply(200, putEvents(body));
    } catch (error) {
      if (error instanceof ApiError)
        reply(error.status, { __type: error.type, message: error.message }, error.type);
      else reply(500, { __type: 'InternalException', message: 'Internal error' }, 'InternalException');
    }
  });
  keepIdleConnections(server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    events: () => [...received],
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await forwarding;
    },
  };
}
