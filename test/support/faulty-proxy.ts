import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Which requests: e.g. "TransactWriteItems" (DynamoDB's X-Amz-Target operation) or "*". */
  operation: string;
  /** How many matching requests fail; Infinity for all. */
  times: number;
  /** Answer with this status and AWS error type, or hang without answering. */
  status?: number;
  errorType?: string;
  hang?: boolean;
  /** More fields of the error body (e.g. a transaction's CancellationReasons). */
  body?: Record<string, unknown>;
}

/**
 * A proxy in front of a real local engine that injects service faults (throttling, 5xx,
 * timeouts) at the wire, so the real SDK, its retries and our adapters are what is tested.
 */
export async function faultyProxy(target: string) {
  const faults: Fault[] = [];
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    seen.push(operation);
    const fault = faults.find((f) => f.times > 0 && (f.operation === '*' || f.operation === operation));
    if (fault) {
      fault.times--;
      if (fault.hang) return; // never answers: the client's timeout decides
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status ?? 500, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-errortype': fault.errorType ?? 'InternalServerError',
        });
        res.end(
          JSON.stringify({
            __type: `com.amazonaws.dynamodb.v20120810#${fault.errorType ?? 'InternalServerError'}`,
            message: 'injected fault',
            ...fault.body,
          }),
        );
      });
      return;
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (fault: Fault) => faults.push(fault),
    clear: () => faults.splice(0),
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
