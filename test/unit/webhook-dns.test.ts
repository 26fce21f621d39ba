import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { closeSync, mkdtempSync, open, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookSender, resolveWith, systemResolve } from '../../functions/adapters/webhook-sender.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/**
 * A name server on loopback: `fast.test` at once, `slow.test` never, `v4only.test` its A record at
 * once and never an answer for AAAA, anything else: no such name.
 */
async function nameServer(): Promise<{ resolver: Resolver; asked: string[] }> {
  const socket: Socket = createSocket('udp4');
  const asked: string[] = [];
  socket.on('message', (message, from) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    asked.push(`${question.name} ${question.type}`);
    if (question.name === 'slow.test') return;
    if (question.name === 'v4only.test' && question.type === 'AAAA') return;
    const known = question.name === 'fast.test' || question.name === 'v4only.test';
    const answers =
      known && question.type === 'A'
        ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '93.184.215.14' }]
        : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3),
      questions: [question],
      answers,
    });
    socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanups.push(() => socket.close());
  const resolver = new Resolver({ timeout: 5_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${socket.address().port}`]);
  return { resolver, asked };
}

/** Holds every thread of libuv's pool (an open of a FIFO waits for a writer) until released. */
function holdThreadPool(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'pool-'));
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `fifo-${i}`));
  for (const fifo of fifos) {
    execFileSync('mkfifo', [fifo]);
    open(fifo, 'r', (error, fd) => {
      if (!error) closeSync(fd);
    });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const fifo of fifos) closeSync(openSync(fifo, 'w'));
  };
  cleanups.push(release);
  return release;
}

describe('resolving a webhook’s host', () => {
  it('answers while every thread of the pool is held (dns.lookup waits for one): a slow name server holds up no one else', async () => {
    const { resolver } = await nameServer();
    const release = holdThreadPool();
    let looked = false;
    lookup('localhost', () => {
      looked = true;
    });
    // Eight resolutions that never get an answer are in flight too.
    const slow = Array.from({ length: 8 }, () => resolveWith(resolver, 'slow.test').catch(() => null));
    expect(await resolveWith(resolver, 'fast.test')).toEqual([{ address: '93.184.215.14', family: 4 }]);
    expect(looked).toBe(false);
    release();
    resolver.cancel();
    await Promise.all(slow);
  });

  it('a name server that ignores AAAA queries costs a moment, not its time-out: the A records are used', async () => {
    const { resolver } = await nameServer();
    const started = performance.now();
    expect(await resolveWith(resolver, 'v4only.test')).toEqual([{ address: '93.184.215.14', family: 4 }]);
    expect(performance.now() - started).toBeLessThan(1_000);
    resolver.cancel();
  });

  it('the system’s resolution holds no thread of the pool either: with every one held, it still answers', async () => {
    holdThreadPool();
    // Whatever the machine's name servers say of a name that cannot exist (RFC 6761), or if it
    // has none to ask, the answer comes without a thread: dns.lookup would wait for the pool.
    await expect(systemResolve('no-such-host.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  }, 15_000);

  it('a name without an address is not found, not a refused connection: the attempt fails with host-not-found', async () => {
    const { resolver, asked } = await nameServer();
    await expect(resolveWith(resolver, 'nowhere.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(asked.sort()).toEqual(['nowhere.test A', 'nowhere.test AAAA']);
    const sender = new HttpWebhookSender({ allowLoopback: false }, (host) => resolveWith(resolver, host));
    expect(await sender.send({ url: 'https://nowhere.test/hook', headers: {}, body: '{}' })).toEqual({
      status: null,
      error: 'host-not-found',
    });
  });

  it('localhost names are loopback, as the system answers them (allowed only where loopback is)', async () => {
    for (const host of ['localhost', 'app.localhost'])
      expect(await systemResolve(host)).toEqual([
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ]);
    const sender = new HttpWebhookSender({ allowLoopback: false });
    expect(await sender.send({ url: 'https://localhost:9/hook', headers: {}, body: '{}' })).toEqual({
      status: null,
      error: 'forbidden-address',
    });
  });
});
