import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../functions/adapters/webhook-sender.ts';

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A self-signed RSA certificate for localhost (the sender refuses it: the handshake is what is looked at). */
function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

/** A receiver offering only `options`' key exchange; what it said of each failed handshake. */
async function receiver(options: https.ServerOptions) {
  const server = https.createServer({ ...certificate(), ...options }, (_, res) => res.writeHead(204).end());
  const failures: string[] = [];
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => failures.push(error.code ?? error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => server.close());
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, failures };
}

const sender = new HttpWebhookSender({ allowLoopback: true });
const send = (url: string) => sender.send({ url, headers: {}, body: '{}' });

describe('the key exchange an attempt accepts', () => {
  it('a receiver that offers only finite-field Diffie-Hellman (whose size it chooses) gets no handshake', async () => {
    const dhe = await receiver({
      ciphers: 'DHE-RSA-AES128-GCM-SHA256',
      maxVersion: 'TLSv1.2',
      dhparam: 'auto',
    });
    expect(await send(dhe.url)).toEqual({ status: null, error: 'tls-failed' });
    expect(dhe.failures).toEqual(['ERR_SSL_NO_SHARED_CIPHER']);
  });

  it('a receiver with elliptic-curve key exchange gets as far as its certificate, in TLS 1.2 and 1.3', async () => {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const ecdhe = await receiver({ maxVersion });
      // Self-signed, so refused: for its certificate, after the key exchange was agreed.
      expect(await send(ecdhe.url)).toEqual({ status: null, error: 'tls-failed' });
      expect(ecdhe.failures).not.toContain('ERR_SSL_NO_SHARED_CIPHER');
    }
  });
});
