import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCursorKeys, secretVersion } from '../../functions/adapters/secrets.ts';
import { type SecretsExtension, startSecretsExtension } from '../../local/secrets-extension.ts';

const ARN = 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:cursor';
const versions: Record<string, Record<string, string>> = {
  [ARN]: { AWSCURRENT: 'c'.repeat(40), AWSPREVIOUS: 'p'.repeat(40) },
};
let extension: SecretsExtension;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  extension = await startSecretsExtension(async (id) => versions[id]);
  env = { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port), AWS_SESSION_TOKEN: 'session' };
});
afterAll(() => extension.stop());

describe('the cursor key, read through the Parameters and Secrets extension (the local one here)', () => {
  it('signs with the current version and accepts the previous and a pending one', async () => {
    expect(await readCursorKeys(ARN, env)).toEqual({
      current: 'c'.repeat(40),
      accepted: ['c'.repeat(40), 'p'.repeat(40)],
    });
    (versions[ARN] as Record<string, string>).AWSPENDING = 'n'.repeat(40);
    expect((await readCursorKeys(ARN, env)).accepted).toEqual([
      'c'.repeat(40),
      'p'.repeat(40),
      'n'.repeat(40),
    ]);
  });

  it('reads a label the secret does not have as none, and a secret with no current version as an error', async () => {
    expect(await secretVersion(ARN, 'AWSNOPE', env)).toBeUndefined();
    await expect(readCursorKeys(`${ARN}-other`, env)).rejects.toThrow(/no current version/);
  });

  it('fails loudly when the extension does not answer', async () => {
    await expect(
      readCursorKeys(ARN, { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '1', AWS_SESSION_TOKEN: 'x' }),
    ).rejects.toThrow();
  });
});
