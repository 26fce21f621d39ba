import { request } from 'node:http';
import type { CursorKeys } from './dynamodb/cursor.ts';

/**
 * One version of a secret, read through the AWS Parameters and Secrets Lambda extension: an HTTP
 * server on localhost (`PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`, 2773 by default) that calls
 * Secrets Manager with the function's role and caches the answer. No SDK client in the bundle;
 * locally the same port is answered by the local runtime. `undefined`: no version has that label.
 */
export async function secretVersion(
  secretId: string,
  versionStage: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const port = Number(env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || '2773');
  const query = new URLSearchParams({ secretId, versionStage });
  const { status, body } = await localGet(port, `/secretsmanager/get?${query}`, {
    'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '',
  });
  if (status !== 200) {
    if (status === 404 || /ResourceNotFound/.test(body)) return undefined;
    throw new Error(`Reading the secret's ${versionStage} version failed: ${status} ${body.slice(0, 200)}`);
  }
  const secret = (JSON.parse(body) as { SecretString?: unknown }).SecretString;
  if (typeof secret !== 'string') throw new Error(`The secret's ${versionStage} version has no SecretString`);
  return secret;
}

/**
 * The cursor keys: the current version signs; the previous (the key before the last rotation)
 * and a pending one (the next key, during a rotation) are accepted as well.
 */
export async function readCursorKeys(
  secretId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CursorKeys> {
  const [current, previous, pending] = await Promise.all(
    ['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING'].map((stage) => secretVersion(secretId, stage, env)),
  );
  if (current === undefined)
    throw new Error('Invalid configuration: the cursor key secret has no current version');
  return { current, accepted: [current, previous, pending].filter((k): k is string => k !== undefined) };
}

/** A GET to the extension on localhost: node:http, whose first call costs far less than fetch's. */
function localGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: 'localhost', port, path, headers, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('The secrets extension did not answer within 3 s')));
    req.on('error', reject);
    req.end();
  });
}
