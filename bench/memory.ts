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
import { add, type Ctx, QUICK, ROOT, tenants, tenantWithGrant } from './context.ts';
import { percentile, round } from './lib.ts';

/**
 * What decides a function's memory size: one production bundle in a fresh process, the way a
 * Lambda instance runs it (one request at a time), invoked a few hundred times.
 */
export async function functionMemory(ctx: Ctx) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-memory-'));
  const list = await tenants(ctx, 'memory', QUICK ? 50 : 200);
  const env = await bundleEnv(ctx);
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
                    email_verified: 'true',
                    tenant_id: t.tenantId,
                    roles: '[]',
                  }
                : {
                    sub: 'agent',
                    email: 'agent@vendor.example',
                    email_verified: 'true',
                    roles: '[support-agent]',
                  },
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
      '  if (res.statusCode >= 300) { console.error(res.body); process.exit(1); }',
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

/** The environment a function's production bundle gets when run here against the local stack. */
async function bundleEnv(ctx: Ctx): Promise<Record<string, string | undefined>> {
  return {
    PATH: process.env.PATH,
    NODE_NO_WARNINGS: '1',
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: ctx.stack.dynamodbUrl,
    AWS_ENDPOINT_URL_SCHEDULER: ctx.stack.schedulerUrl,
    TABLE_NAME: 'support-access-local',
    // Read only by a list (which neither measured function serves): named, never fetched.
    CURSOR_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:000000000000:secret:bench-cursor-key',
    SCHEDULE_GROUP,
    EXPIRY_FUNCTION_ARN:
      'arn:aws:lambda:eu-central-1:000000000000:function:support-access-local-expire-grant',
    SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/support-access-local-scheduler',
    SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-central-1:000000000000:support-access-local-schedule-dlq',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
}

/**
 * The check function's own latency, the way a Lambda instance runs it: its production bundle in
 * a process of its own, invoked one request at a time, against bare UpdateItem calls from the
 * same process (interleaved). What the function adds to its one DynamoDB call, without the local
 * gateway's HTTP hop, token check and worker thread (API Gateway's share in production).
 */
export async function functionLatency(ctx: Ctx) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-latency-'));
  const t = await tenantWithGrant(ctx, 'fnlatency', 'bench');
  const file = join(dir, 'checkAccess.mjs');
  await build({ ...productionEsbuild, entryPoints: [join(ROOT, route('checkAccess').entry)], outfile: file });
  const count = QUICK ? 300 : 1500;
  const event = {
    version: '2.0',
    routeKey: 'GET /tenants/{tenantId}/access',
    rawPath: `/tenants/${t.tenantId}/access`,
    headers: {},
    pathParameters: { tenantId: t.tenantId },
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r',
      http: { method: 'GET', path: `/tenants/${t.tenantId}/access` },
      authorizer: {
        jwt: {
          claims: {
            sub: 'agent',
            email: 'agent@vendor.example',
            email_verified: 'true',
            roles: '[support-agent]',
          },
        },
      },
    },
  };
  const sdk = pathToFileURL(join(ROOT, 'node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js')).href;
  const script = `
    const { DynamoDBClient, UpdateItemCommand } = (await import(${JSON.stringify(sdk)})).default;
    const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const client = new DynamoDBClient({});
    const event = ${JSON.stringify(event)};
    const bare = async (i) => client.send(new UpdateItemCommand({
      TableName: 'support-access-local', Key: { pk: { S: 'BENCH#fn' }, sk: { S: 'ACCESS' } },
      UpdateExpression: 'SET checkId = :id, checkedAt = :at, checkedBy = :agent',
      ExpressionAttributeValues: { ':id': { S: 'C' + i }, ':at': { S: new Date().toISOString() }, ':agent': { S: 'bench' } },
      ReturnValues: 'ALL_NEW' }));
    const check = async () => {
      const res = await handler(event, { getRemainingTimeInMillis: () => 10000 });
      if (res.statusCode !== 200) throw new Error(res.body);
    };
    for (let i = 0; i < 100; i++) { await bare(i); await check(); }
    const fn = [], floor = [];
    for (let i = 0; i < ${count}; i++) {
      let s = performance.now(); await bare(i); floor.push(performance.now() - s);
      s = performance.now(); await check(); fn.push(performance.now() - s);
    }
    console.log(JSON.stringify({ fn, floor }));
  `;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: await bundleEnv(ctx),
    maxBuffer: 64 * 1024 * 1024,
  });
  await rm(dir, { recursive: true, force: true });
  if (out.status !== 0) throw new Error(`function latency run failed: ${out.stderr.slice(-800)}`);
  const { fn, floor } = JSON.parse(out.stdout.trim().split('\n').pop() as string) as {
    fn: number[];
    floor: number[];
  };
  const p = (values: number[], q: number) => percentile(values, q);
  add({
    name: 'checkAccess function in its own process (production bundle) p50 / p99, c=1',
    value: round(p(fn, 50)),
    unit: `ms (p99 ${round(p(fn, 99))}; bare UpdateItem from that process ${round(p(floor, 50))} / ${round(p(floor, 99))})`,
    target: '—',
    pass: null,
  });
  for (const [q, limit] of [
    [50, 1.3],
    [99, 1.5],
  ] as const) {
    const ratio = p(fn, q) / p(floor, q);
    add({
      name: `checkAccess function / bare UpdateItem, p${q} (c=1, no gateway)`,
      value: round(ratio),
      unit: 'ratio',
      target: `≤ ${limit}`,
      pass: ratio <= limit,
    });
  }
  return { 'checkAccess function': fn, 'bare UpdateItem': floor };
}
