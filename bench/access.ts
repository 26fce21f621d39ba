import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { add, api, type Ctx, local, QUICK, tenants } from './context.ts';
import { percentile, pool, round, timed } from './lib.ts';

/** Access check: its overhead over bare DynamoDB calls, and no "yes" at or after a deadline. */
export async function accessOverhead(ctx: Ctx) {
  const [t] = await tenants(ctx, 'access', 1);
  if (!t) return;
  await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
    reason: 'bench',
    durationSeconds: 3600,
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ctx.stack.dynamodbUrl, region: 'eu-central-1', credentials: local }),
  );
  const key = { pk: `TENANT#${t.tenantId}`, sk: 'ACCESS' };
  const bareGet = async () => {
    await doc.send(new GetCommand({ TableName: 'support-access-local', Key: key, ConsistentRead: true }));
  };
  let n = 0;
  const getThenPut = async () => {
    await bareGet();
    await doc.send(
      new PutCommand({ TableName: 'support-access-local', Item: { pk: 'BENCH', sk: `E#${n++}`, v: 1 } }),
    );
  };
  const check = async () => {
    const r = await fetch(`${ctx.stack.apiUrl}/tenants/${t.tenantId}/access`, {
      headers: { authorization: `Bearer ${ctx.agent}` },
    });
    await r.text();
    if (r.status !== 200) throw new Error(`access check ${r.status}`);
  };
  const count = QUICK ? 300 : 1500;
  for (const concurrency of [1, 16]) {
    await timed(100, concurrency, bareGet);
    await timed(100, concurrency, check);
    const bare = await timed(count, concurrency, bareGet);
    const floor = await timed(count, concurrency, getThenPut);
    const ours = await timed(count, concurrency, check);
    const p50 = percentile(ours, 50) / percentile(bare, 50);
    const p99 = percentile(ours, 99) / percentile(bare, 99);
    add({
      name: `access check p50 (c=${concurrency})`,
      value: round(percentile(ours, 50)),
      unit: 'ms',
      target: '—',
      pass: null,
    });
    add({
      name: `access check p99 (c=${concurrency})`,
      value: round(percentile(ours, 99)),
      unit: 'ms',
      target: '—',
      pass: null,
    });
    add({
      name: `bare GetItem p50/p99 (c=${concurrency})`,
      value: round(percentile(bare, 50)),
      unit: `ms (p99 ${round(percentile(bare, 99))})`,
      target: '—',
      pass: null,
    });
    add({
      name: `access check / bare GetItem, p50 (c=${concurrency})`,
      value: round(p50),
      unit: 'ratio',
      target: '≤ 1.5',
      pass: p50 <= 1.5,
    });
    add({
      name: `access check / bare GetItem, p99 (c=${concurrency})`,
      value: round(p99),
      unit: 'ratio',
      target: '≤ 2',
      pass: p99 <= 2,
    });
    add({
      name: `access check / bare GetItem+PutItem (the floor of a recorded check), p50 (c=${concurrency})`,
      value: round(percentile(ours, 50) / percentile(floor, 50)),
      unit: 'ratio',
      target: '—',
      pass: null,
    });
  }
}

// ---- 2. enforcement ----------------------------------------------------------------------------

export async function enforcement(ctx: Ctx) {
  const list = await tenants(ctx, 'enforce', 40);
  const deadlines = new Map<string, number>();
  await pool(list, 16, async (t, i) => {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
      reason: 'race',
      durationSeconds: 2 + (i % 3),
    });
    deadlines.set(t.tenantId, Date.parse(r.body.expiresAt));
  });
  const last = Math.max(...deadlines.values());
  let checks = 0;
  let yesAtOrAfter = 0;
  let yesReceivedLate = 0;
  let yes = 0;
  await pool(
    Array.from({ length: 16 }, (_, i) => i),
    16,
    async (w) => {
      let i = w;
      while (Date.now() < last + 500) {
        const t = list[i++ % list.length];
        if (!t) continue;
        const r = await api(ctx, 'GET', `/tenants/${t.tenantId}/access`, ctx.agent);
        const received = Date.now();
        checks++;
        const deadline = deadlines.get(t.tenantId) as number;
        if (r.body.access) {
          yes++;
          if (Date.parse(r.body.checkedAt) >= deadline) yesAtOrAfter++;
          if (received >= deadline) yesReceivedLate++;
        }
      }
    },
  );
  add({
    name: 'access checks racing deadlines',
    value: checks,
    unit: `checks (${yes} yes)`,
    target: '—',
    pass: null,
  });
  add({
    name: 'answers "yes" decided at or after the deadline',
    value: yesAtOrAfter,
    unit: 'answers',
    target: '0',
    pass: yesAtOrAfter === 0,
  });
  add({
    name: '"yes" answers that reached the client after the deadline (network time)',
    value: yesReceivedLate,
    unit: 'answers',
    target: '—',
    pass: null,
  });
}
