import { parseArgs } from 'node:util';
import { localEnv } from './env.ts';
import { localKeys, signToken } from './tokens.ts';

/**
 * `npm run --silent token -- --email E [--tenant T] [--role R]... [--unverified]` prints one JWT and
 * nothing else (`email_verified` true unless `--unverified`).
 */
const usage =
  'usage: npm run --silent token -- --email E [--tenant T] [--role tenant-admin|support-agent]... [--ttl SECONDS] [--unverified]';

try {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      sub: { type: 'string' },
      unverified: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.email) throw new Error('--email is required');
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0))
    throw new Error('--ttl must be a positive integer');
  const keys = await localKeys(localEnv().dataDir);
  process.stdout.write(
    `${await signToken(keys, { email: values.email, tenantId: values.tenant, roles: values.role, sub: values.sub, ttlSeconds: ttl, emailVerified: !values.unverified })}\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
