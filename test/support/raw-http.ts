import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP/1.1 request exactly as given — any method (TRACE, CONNECT), any request target
 * (`//`, absolute form, 8 KB), any Host header or none (`host: ''`) — which `fetch` refuses to
 * send. Resolves with status 0 when the server closed the connection without an answer.
 */
/** A client that sends `head`, which announces a longer body than follows, and goes away mid-body. */
export function abandonMidBody(base: string, head: string): Promise<void> {
  const { port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(head);
      setImmediate(() => {
        socket.destroy();
        resolve();
      });
    });
  });
}

export function rawHttp(
  base: string,
  target: string,
  options: { method?: string; host?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(base);
  const { method = 'GET', host, headers = {}, body } = options;
  return new Promise((resolve) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: target,
        setHost: host !== '',
        headers: {
          ...(host === '' ? {} : { host: host ?? url.host }),
          ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
        timeout: 10_000,
        // A fresh connection each time: a kept-alive socket the server closes just as it is
        // reused would fail the request on the client's side and look like a dropped answer.
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    // CONNECT answers arrive as a 'connect' event with the response head.
    req.on('connect', (res, socket, head) => {
      let text = head.toString('utf8');
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      socket.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(body);
  });
}
