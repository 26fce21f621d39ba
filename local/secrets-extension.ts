import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepIdleConnections, refuseForeignHost, requestUrl } from './loopback.ts';

export interface SecretsExtension {
  /** The port the functions reach it on (their PARAMETERS_SECRETS_EXTENSION_HTTP_PORT). */
  port: number;
  stop(): Promise<void>;
}

/**
 * The one call of the AWS Parameters and Secrets Lambda extension the functions make,
 * `GET /secretsmanager/get?secretId=…&versionStage=…`, answered from `versions(secretId)` (label
 * → value; re-read on every call, so a local rotation shows at once). A label the secret does not
 * have is a 400 ResourceNotFoundException, as Secrets Manager says it through the extension.
 */
export async function startSecretsExtension(
  versions: (secretId: string) => Promise<Record<string, string> | undefined>,
): Promise<SecretsExtension> {
  const server = createServer(async (req, res) => {
    if (refuseForeignHost(req, res, () => ['text/plain', 'forbidden'])) return;
    const url = requestUrl(req.url);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url?.pathname !== '/secretsmanager/get')
      return reply(404, { message: 'not found' });
    if (req.headers['x-aws-parameters-secrets-token'] === undefined)
      return reply(401, { message: 'missing X-Aws-Parameters-Secrets-Token' });
    const secretId = url.searchParams.get('secretId') ?? '';
    const stage = url.searchParams.get('versionStage') ?? 'AWSCURRENT';
    const value = (await versions(secretId).catch(() => undefined))?.[stage];
    if (value === undefined)
      return reply(400, {
        __type: 'ResourceNotFoundException',
        message: `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
      });
    return reply(200, { ARN: secretId, Name: secretId, SecretString: value, VersionStages: [stage] });
  });
  keepIdleConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
