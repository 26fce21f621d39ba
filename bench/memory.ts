/** Peak memory of the functions under load. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { route } from '../functions/http/routes.ts';
import { productionEsbuild } from '../infra/bundling.ts';
import { SCHEDULE_GROUP } from '../local/stack.ts';
import { localCursorKey } from '../local/tokens.ts';
import { add, type Ctx, QUICK, ROOT, tenants } from './context.ts';
import { round } from './lib.ts';

/**
 * What decides a function's memory size: one production bundle in a fresh process, the way a
 * Lambda instance runs it (one request at a time), invoked a few hundred times.
 */
export async function functionMemory(ctx: Ctx) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  const list = await tenants(ctx, 'memory', QUICK ? 50 : 200);
  const env = {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: ctx.stack.dynamodbUrl,
    AWS_ENDPOINT_URL_SCHEDULER: ctx.stack.schedulerUrl,
    TABLE_NAME: 'support-access-local',
    CURSOR_KEY: await localCursorKey(ctx.dataDir),
    SCHEDULE_GROUP,
    EXPIRY_FUNCTION_ARN:
      'arn:aws:lambda:eu-central-1:000000000000:function:support-access-local-expire-grant',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/support-access-local-scheduler',
    SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:support-access-local-schedule-dlq',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  const cases = [
    ['checkAccess', route('checkAccess').entry, 'GET /tenants/{tenantId}/access', 3],
    ['createGrant', route('createGrant').entry, 'POST /tenants/{tenantId}/grants', 1],
  ] as const;
  for (const [name, entry, route, rounds] of cases) {
    const file = join(dir, `${name}.mjs`);
    await build({ ...productionEsbuild, entryPoints: [join(ROOT, entry)], outfile: file });
    const events = list.map((t, i) => ({
      version: '2.0',
      routeKey: route,
      rawPath: route.replace('{tenantId}', t.tenantId),
      headers: { 'content-type': 'application/json' },
      pathParameters: { tenantId: t.tenantId },
      isBase64Encoded: false,
      ...(name === 'createGrant'
        ? { body: JSON.stringify({ reason: 'memory', durationSeconds: 3600 }) }
        : {}),
      requestContext: {
        requestId: `r${i}`,
        http: { method: route.split(' ')[0], path: route },
        authorizer: {
          jwt: {
            claims:
              name === 'createGrant'
                ? {
                    sub: `c-${t.tenantId}`,
                    email: `c@${t.tenantId}.example`,
                    tenant_id: t.tenantId,
                    roles: '[]',
                  }
                : { sub: 'agent', email: 'agent@vendor.example', roles: '[support-agent]' },
          },
        },
      },
    }));
    const eventsFile = join(dir, `${name}-events.json`);
    await writeFile(eventsFile, JSON.stringify(events));
    const script = [
      "import { readFileSync } from 'node:fs';",
      `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});`,
      `const events = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, 'utf8'));`,
      `for (let r = 0; r < ${rounds}; r++) for (const event of events) {`,
      '  const res = await handler(event, { getRemainingTimeInMillis: () => 10000 });',
      '  if (res.statusCode >= 500) { console.error(res.body); process.exit(1); }',
      '}',
      "console.log(/^VmHWM:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);",
    ].join('\n');
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    if (out.status !== 0) throw new Error(`${name} memory run failed: ${out.stderr.slice(-800)}`);
    const mb = Number(out.stdout.trim().split('\n').pop()) / 1024;
    add({
      name: `peak RSS of the ${name} function (production bundle, ${events.length * rounds} invocations in one process)`,
      value: round(mb, 1),
      unit: 'MB',
      target: '≤ 128 MB',
      pass: mb <= 128,
    });
  }
  await rm(dir, { recursive: true, force: true });
}
