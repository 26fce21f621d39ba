import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb.ts';
import { freePort } from '../../local/ports.ts';

describe('DynamoDB Local as the local runtime starts it', () => {
  it('runs on the JVM’s quick compiler only (a local stack lives briefly; the optimizing one cost a third of its CPU)', async () => {
    const db = await startDynamoDbLocal({ port: await freePort() });
    try {
      const args = readFileSync(`/proc/${db.pid}/cmdline`, 'utf8').split('\0');
      expect(args).toContain('-XX:TieredStopAtLevel=1');
      expect(args.indexOf('-XX:TieredStopAtLevel=1')).toBeLessThan(args.indexOf('-jar'));
    } finally {
      await db.stop();
    }
  });
});
