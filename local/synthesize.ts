/**
 * Prints each function's environment from the synthesized stack as JSON (see
 * `synthesizedEnvironments`), reading `{ context, local }` as JSON from stdin. Run as a child
 * process by the local runtime, so that the CDK app's memory leaves with it.
 */
import { synthesizedEnvironments } from './environments.ts';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const { context, local } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
  context: Record<string, string>;
  local: Record<string, string | undefined>;
};
try {
  process.stdout.write(JSON.stringify(synthesizedEnvironments(context, local)));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
