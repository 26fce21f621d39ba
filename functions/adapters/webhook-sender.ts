import type { LookupAddress } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { DEFAULT_CIPHERS } from 'node:tls';
import {
  CUT_OFF,
  type OutgoingWebhook,
  type SendOutcome,
  type WebhookSender,
} from '../domain/webhook-store.ts';
import { type AddressPolicy, ATTEMPT_TIMEOUT_MS, forbiddenAddress, isIpAddress } from '../domain/webhooks.ts';

/** Resolves a host name to every address it has (as `dns.lookup` with `all`). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const LOOPBACK: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];
/** The system's name servers (`/etc/resolv.conf`), asked directly. */
let resolver: Resolver | undefined;

/**
 * Resolves over DNS queries of our own, not `dns.lookup`: that runs `getaddrinfo` on libuv's
 * four threads, so a customer's name server that answers slowly would hold every other
 * tenant's resolution (and the process's file and crypto work) behind it. `localhost` names
 * are loopback (RFC 6761), as the system's lookup answers them.
 */
export const systemResolve: Resolve = async (host) => {
  if (host === 'localhost' || host.endsWith('.localhost')) return LOOPBACK;
  resolver ??= new Resolver({ timeout: 2_000, tries: 2 });
  return resolveWith(resolver, host);
};

/**
 * How long the other family may take once one has answered with addresses (RFC 8305's
 * resolution delay): a name server that ignores AAAA queries costs this, not its time-out.
 */
const OTHER_FAMILY_GRACE_MS = 50;

/**
 * The A and AAAA records of `host` (IPv4 first): every address of both families when both answer
 * within OTHER_FAMILY_GRACE_MS of each other, else those of the first to answer with any.
 * ENOTFOUND when neither has one. Every address returned is checked before it is connected to.
 */
export async function resolveWith(resolver: Resolver, host: string): Promise<LookupAddress[]> {
  const none: LookupAddress[] = [];
  const families = [
    resolver.resolve4(host).then(
      (list) => list.map((address) => ({ address, family: 4 })),
      () => none,
    ),
    resolver.resolve6(host).then(
      (list) => list.map((address) => ({ address, family: 6 })),
      () => none,
    ),
  ];
  // Either family with addresses, or both without.
  await Promise.race([
    ...families.map((family) => family.then((list) => (list.length > 0 ? list : new Promise(() => {})))),
    Promise.all(families),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<LookupAddress[]>((resolve) => {
    timer = setTimeout(resolve, OTHER_FAMILY_GRACE_MS, none);
  });
  const addresses = (await Promise.all(families.map((family) => Promise.race([family, grace])))).flat();
  clearTimeout(timer);
  if (addresses.length > 0) return addresses;
  // A name server that refused or timed out is not a refused connection to the webhook.
  throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
}

const FORBIDDEN = 'forbidden-address';

/**
 * The key exchanges an attempt offers: elliptic curves only. With finite-field Diffie-Hellman
 * (TLS 1.2's DHE suites, TLS 1.3's ffdhe groups) the server chooses the group's size, and the
 * client's share of a 10 000-bit one is seconds of the event loop's time: one hostile endpoint
 * would hold every other attempt, timer and tenant of the process.
 */
export const KEY_EXCHANGE = {
  ciphers: `${DEFAULT_CIPHERS}:!DHE:!kDHE`,
  ecdhCurve: 'X25519:P-256:P-384',
} as const;

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * POSTs to customers' webhooks over node's own HTTP client, never following a redirect. The
 * SSRF guard sits where the connection is made: the host is resolved by our `lookup`, which
 * hands the socket only addresses the policy allows (so a name that resolves, or rebinds, to an
 * internal address gets no connection at all), and the address actually connected to is checked
 * again before the request is written. The response's body is never read: its status decides,
 * and the socket is closed, so an endless or huge answer costs nothing. One fresh connection per
 * attempt (no pooled socket outlives its check).
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly resolve: Resolve = systemResolve,
    private readonly timeoutMs = ATTEMPT_TIMEOUT_MS,
  ) {}

  send(request: OutgoingWebhook, signal?: AbortSignal): Promise<SendOutcome> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ status: null, error: 'invalid-url' });
    }
    const literal = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIpAddress(literal) && forbiddenAddress(literal, this.policy))
      return Promise.resolve({ status: null, error: FORBIDDEN });
    return new Promise((settle) => {
      let forbidden = false;
      let finished = false;
      const finish = (outcome: SendOutcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        req.destroy();
        settle(forbidden ? { status: null, error: FORBIDDEN } : outcome);
      };
      const lookup = (host: string, options: { all?: boolean }, callback: LookupCallback) => {
        this.resolve(host).then(
          (addresses) => {
            const allowed = addresses.filter((a) => !forbiddenAddress(a.address, this.policy));
            if (addresses.length > 0 && allowed.length < addresses.length) {
              forbidden = true;
              callback(Object.assign(new Error(FORBIDDEN), { code: 'EFORBIDDEN' }), '');
              return;
            }
            const first = allowed[0];
            if (!first) callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '');
            else if (options.all) callback(null, allowed);
            else callback(null, first.address, first.family);
          },
          (error: NodeJS.ErrnoException) => callback(error, ''),
        );
      };
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: lookup as never,
        agent: false,
        ...KEY_EXCHANGE,
      });
      req.on('socket', (socket: Socket) => {
        socket.once('connect', () => {
          const remote = socket.remoteAddress;
          if (!remote || forbiddenAddress(remote, this.policy)) {
            forbidden = true;
            finish({ status: null, error: FORBIDDEN });
          }
        });
      });
      req.on('response', (response) => {
        finish({ status: response.statusCode ?? null, error: null });
        response.destroy();
      });
      req.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, error: errorName(error) }));
      const timer = setTimeout(() => finish({ status: null, error: 'timeout' }), this.timeoutMs);
      const cutOff = () => finish({ status: null, error: CUT_OFF });
      if (signal?.aborted) cutOff();
      signal?.addEventListener('abort', cutOff, { once: true });
      req.end(request.body);
    });
  }
}

function errorName(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host-not-found';
    case 'ECONNRESET':
      return 'connection-reset';
    // OpenSSL's failed handshake (an alert, no shared cipher).
    case 'EPROTO':
      return 'tls-failed';
    default:
      return error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')
        ? 'tls-failed'
        : 'connection-failed';
  }
}
