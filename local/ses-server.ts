/**
 * The SES emulator (`aws-ses-v2-local`) on 127.0.0.1, refusing any request whose Host is not a
 * loopback name, and enforcing SES's sending quotas (see `ses-quota.ts`); run as a child process
 * by `ses.ts`. Usage: ses-server.ts PORT [MAX_SEND_RATE|-] [MAX_24H_SEND|-]
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as ses from 'aws-ses-v2-local';
import {
  CROSS_ORIGIN_DETAIL,
  FOREIGN_HOST_DETAIL,
  keepIdleConnections,
  refuseCrossOrigin,
  refuseForeignHost,
  requestUrl,
} from './loopback.ts';
import { limitFromEnv, SesQuota } from './ses-quota.ts';

type Start = (config: { port: number; host: string }) => Promise<import('node:http').Server>;
const imported = ses as unknown as { default: Start | { default: Start } };
const start: Start = typeof imported.default === 'function' ? imported.default : imported.default.default;

const [, , portArg, rateArg, dailyArg] = process.argv;
const port = Number(portArg);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: ses-server.ts PORT [RATE|-] [DAILY|-]');
const argLimit = (name: string, raw: string | undefined) => limitFromEnv(name, raw === '-' ? undefined : raw);
const quota = new SesQuota({
  maxSendRate: argLimit('SES_MAX_SEND_RATE', rateArg),
  max24HourSend: argLimit('SES_MAX_24H_SEND', dailyArg),
});

const server = keepIdleConnections(await start({ port, host: '127.0.0.1' }));
const [emulator] = server.listeners('request') as ((...args: unknown[]) => void)[];
if (!emulator) throw new Error('aws-ses-v2-local started without a request handler');
server.removeAllListeners('request');
server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
  if (refuseForeignHost(req, res, () => ['text/plain; charset=utf-8', FOREIGN_HOST_DETAIL])) return;
  if (refuseCrossOrigin(req, res, () => ['text/plain; charset=utf-8', CROSS_ORIGIN_DETAIL])) return;
  try {
    if (await answeredHere(req, res)) return;
  } catch {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Bad request');
    return;
  }
  emulator(req, res);
});

const XMLNS = 'http://ses.amazonaws.com/doc/2010-12-01/';

/**
 * The v1 Query API calls the quotas concern (sends, `GetSendQuota`) and the quota endpoint;
 * false for everything the emulator answers itself.
 */
async function answeredHere(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = requestUrl(req.url)?.pathname;
  if (path === '/quota') return quotaEndpoint(req, res);
  const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (req.method !== 'POST' || path !== '/' || !form) return false;
  // The body is read here, once: the emulator's own parser sees a finished request and takes
  // the parsed form from `req.body`, as Express does after any body parser.
  const params = new URLSearchParams(await readBody(req));
  (req as IncomingMessage & { body?: Record<string, string> }).body = Object.fromEntries(params);
  const action = params.get('Action');
  if (action === 'GetSendQuota') {
    const q = quota.report();
    xml(
      res,
      200,
      `<GetSendQuotaResponse xmlns="${XMLNS}"><GetSendQuotaResult><SentLast24Hours>${q.SentLast24Hours.toFixed(1)}</SentLast24Hours><Max24HourSend>${q.Max24HourSend.toFixed(1)}</Max24HourSend><MaxSendRate>${q.MaxSendRate.toFixed(1)}</MaxSendRate></GetSendQuotaResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetSendQuotaResponse>`,
    );
    return true;
  }
  if (action !== 'SendEmail' && action !== 'SendRawEmail') return false;
  // A send the emulator refuses itself (no credentials) counts toward no quota.
  if (!req.headers.authorization) return false;
  const verdict = quota.take(Math.max(1, recipients(params)));
  if (verdict.ok) return false;
  // Exactly what SES's Query API answers over a quota.
  xml(
    res,
    400,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>${verdict.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
  return true;
}

/** Every address a send names counts as one message toward the quotas, as in SES. */
function recipients(params: URLSearchParams): number {
  let count = 0;
  for (const key of params.keys())
    if (/^(Destination\.(To|Cc|Bcc)Addresses|Destinations)\.member\.\d+$/.test(key)) count++;
  return count;
}

/**
 * `GET /quota` shows the limits and the day's sends; `POST /quota` with a JSON body
 * `{ "maxSendRate"?: n|null, "max24HourSend"?: n|null }` changes them, as AWS raises an
 * account's quota (null: no limit). JSON only: a web page cannot send it without a preflight,
 * which this server never answers.
 */
async function quotaEndpoint(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      json(res, 415, { message: 'POST /quota takes application/json' });
      return true;
    }
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    const limit = (name: 'maxSendRate' | 'max24HourSend') => {
      const value = body[name];
      if (value === undefined || value === null) return value;
      if (typeof value !== 'number' || !(value > 0))
        throw new Error(`${name} must be a positive number or null`);
      return value;
    };
    try {
      const maxSendRate = limit('maxSendRate');
      const max24HourSend = limit('max24HourSend');
      quota.set({
        ...(maxSendRate !== undefined ? { maxSendRate } : {}),
        ...(max24HourSend !== undefined ? { max24HourSend } : {}),
      });
    } catch (error) {
      json(res, 400, { message: (error as Error).message });
      return true;
    }
  } else if (req.method !== 'GET') {
    json(res, 405, { message: 'GET or POST' });
    return true;
  }
  json(res, 200, quota.report());
  return true;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function xml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>${body}`);
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
