/**
 * The SES emulator (`aws-ses-v2-local`) on 127.0.0.1, refusing any request whose Host is not a
 * loopback name; run as a child process by `ses.ts`. Usage: ses-server.ts PORT
 */
import * as ses from 'aws-ses-v2-local';
import { FOREIGN_HOST_DETAIL, keepIdleConnections, refuseForeignHost } from './loopback.ts';

type Start = (config: { port: number; host: string }) => Promise<import('node:http').Server>;
const imported = ses as unknown as { default: Start | { default: Start } };
const start: Start = typeof imported.default === 'function' ? imported.default : imported.default.default;

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: ses-server.ts PORT');
const server = keepIdleConnections(await start({ port, host: '127.0.0.1' }));
const [emulator] = server.listeners('request') as ((...args: unknown[]) => void)[];
if (!emulator) throw new Error('aws-ses-v2-local started without a request handler');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  if (refuseForeignHost(req, res, () => ['text/plain; charset=utf-8', FOREIGN_HOST_DETAIL])) return;
  emulator(req, res);
});
