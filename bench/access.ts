import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reports } from './billed.ts';
import { add, api, type Ctx, local, QUICK, tenants } from './context.ts';
import { percentile, pool, round, timed } from './lib.ts';

/**
 * The floors of a tenant's check, from this process: a bare strongly consistent GetItem of its
 * access item, and a bare UpdateItem that stamps and returns an item of the access item's shape
 * (a copy, so the check's own item is not touched).
 */
async function floors(ctx: Ctx, tenantId: string) {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: ctx.stack.dynamodbUrl, region: 'eu-central-1', credentials: local }),
  );
  const key = { pk: `TENANT#${tenantId}`, sk: 'ACCESS' };
  const floorKey = { pk: `BENCH#floor#${tenantId}`, sk: 'ACCESS' };
  const pointer = (await doc.send(new GetCommand({ TableName: 'support-access-local', Key: key }))).Item;
  // Not of kind "access": the chaining step must not take its stamps for checks.
  await doc.send(
    new PutCommand({ TableName: 'support-access-local', Item: { ...pointer, ...floorKey, kind: 'bench' } }),
  );
  let n = 0;
  return {
    bareGet: async () => {
      await doc.send(new GetCommand({ TableName: 'support-access-local', Key: key, ConsistentRead: true }));
    },
    bareUpdate: async () => {
      await doc.send(
        new UpdateCommand({
          TableName: 'support-access-local',
          Key: floorKey,
          UpdateExpression: 'SET checkId = :id, checkedAt = :at, checkedBy = :agent',
          ExpressionAttributeValues: { ':id': `C${n++}`, ':at': new Date().toISOString(), ':agent': 'bench' },
          ReturnValues: 'ALL_NEW',
        }),
      );
    },
  };
}

/** Access check: its overhead over bare DynamoDB calls, and no "yes" at or after a deadline. */
export async function accessOverhead(ctx: Ctx) {
  const [t] = await tenants(ctx, 'access', 1);
  if (!t) return;
  await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
    reason: 'bench',
    durationSeconds: 3600,
  });
  const { bareGet, bareUpdate } = await floors(ctx, t.tenantId);
  const check = async () => {
    const r = await fetch(`${ctx.stack.apiUrl}/tenants/${t.tenantId}/access`, {
      headers: { authorization: `Bearer ${ctx.agent}` },
    });
    await r.text();
    if (r.status !== 200) throw new Error(`access check ${r.status}`);
  };
  const count = QUICK ? 300 : 1500;
  const distributions: Record<string, Record<string, number[]>> = {};
  for (const concurrency of [1, 16]) {
    await timed(100, concurrency, bareUpdate);
    await timed(100, concurrency, check);
    // Interleaved rounds, so drift in the shared machine's load hits every series alike.
    const bare: number[] = [];
    const floor: number[] = [];
    const ours: number[] = [];
    for (let round = 0; round < 5; round++) {
      bare.push(...(await timed(count / 5, concurrency, bareGet)));
      floor.push(...(await timed(count / 5, concurrency, bareUpdate)));
      ours.push(...(await timed(count / 5, concurrency, check)));
    }
    distributions[`c=${concurrency}`] = {
      'access check': ours,
      'bare UpdateItem': floor,
      'bare GetItem': bare,
    };
    const p = (values: number[], q: number) => percentile(values, q);
    const ratio50 = p(ours, 50) / p(floor, 50);
    const ratio99 = p(ours, 99) / p(floor, 99);
    add({
      name: `access check p50 / p99 (c=${concurrency})`,
      value: round(p(ours, 50)),
      unit: `ms (p99 ${round(p(ours, 99))})`,
      target: '—',
      pass: null,
    });
    add({
      name: `bare UpdateItem ALL_NEW p50 / p99 (c=${concurrency})`,
      value: round(p(floor, 50)),
      unit: `ms (p99 ${round(p(floor, 99))})`,
      target: '—',
      pass: null,
    });
    add({
      name: `bare GetItem p50 / p99 (c=${concurrency})`,
      value: round(p(bare, 50)),
      unit: `ms (p99 ${round(p(bare, 99))})`,
      target: '—',
      pass: null,
    });
    add({
      name: `access check / bare UpdateItem, p50 (c=${concurrency})`,
      value: round(ratio50),
      unit: 'ratio',
      target: '≤ 1.3',
      pass: ratio50 <= 1.3,
    });
    add({
      name: `access check / bare UpdateItem, p99 (c=${concurrency})`,
      value: round(ratio99),
      unit: 'ratio',
      target: '≤ 1.5',
      pass: ratio99 <= 1.5,
    });
    add({
      name: `access check / bare GetItem, p50 (c=${concurrency})`,
      value: round(p(ours, 50) / p(bare, 50)),
      unit: 'ratio',
      target: '—',
      pass: null,
    });
  }
  return distributions;
}

/**
 * Grant changes while checks hammer the same tenant's access item (about 100 a second), against
 * the same changes on an idle tenant: none may fail, and how much slower they get.
 */
export async function contention(ctx: Ctx) {
  const [busy, idle] = await tenants(ctx, 'contend', 2);
  if (!busy || !idle) return;
  const rounds = QUICK ? 10 : 40;
  const changes = async (t: typeof busy) => {
    const latencies: number[] = [];
    let failed = 0;
    const timedCall = async (method: string, path: string, body?: unknown) => {
      const started = performance.now();
      const r = await api(ctx, method, path, t.contact, body);
      latencies.push(performance.now() - started);
      if (r.status >= 300) failed++;
      return r;
    };
    for (let i = 0; i < rounds; i++) {
      const created = await timedCall('POST', `/tenants/${t.tenantId}/grants`, {
        reason: 'contention',
        durationSeconds: 3600,
      });
      const grantId = created.body?.grantId;
      await timedCall('PATCH', `/tenants/${t.tenantId}/grants/${grantId}`, { durationSeconds: 7200 });
      await timedCall('DELETE', `/tenants/${t.tenantId}/grants/${grantId}`);
    }
    return { latencies, failed };
  };
  await changes(idle); // warms every function the changes call
  const quiet = await changes(idle);
  let hammering = true;
  let checks = 0;
  let failedChecks = 0;
  const hammer = (async () => {
    const inFlight = new Set<Promise<void>>();
    while (hammering) {
      const started = performance.now();
      const one = api(ctx, 'GET', `/tenants/${busy.tenantId}/access`, ctx.agent).then((r) => {
        checks++;
        if (r.status !== 200) failedChecks++;
      });
      inFlight.add(one);
      void one.finally(() => inFlight.delete(one));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10 - (performance.now() - started))));
    }
    await Promise.all(inFlight);
  })();
  const started = performance.now();
  const loud = await changes(busy);
  const seconds = (performance.now() - started) / 1000;
  hammering = false;
  await hammer;
  add({
    name: 'grant changes while ~100 checks/s hit the same tenant: failed changes / failed checks',
    value: loud.failed,
    unit: `failed of ${loud.latencies.length} changes (${failedChecks} of ${checks} checks failed, ${round(checks / seconds, 0)} checks/s)`,
    target: '0',
    pass: loud.failed === 0 && failedChecks === 0 && quiet.failed === 0,
  });
  add({
    name: 'grant change p99 under ~100 checks/s / on an idle tenant',
    value: round(percentile(loud.latencies, 99) / percentile(quiet.latencies, 99)),
    unit: `ratio (p99 ${round(percentile(loud.latencies, 99))} ms vs ${round(percentile(quiet.latencies, 99))} ms; p50 ${round(percentile(loud.latencies, 50))} vs ${round(percentile(quiet.latencies, 50))})`,
    target: '—',
    pass: null,
  });
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

/**
 * Where the local gateway's milliseconds go for one check at c=1, against a bare UpdateItem from
 * this process and a request the gateway answers itself (401, no token: HTTP and routing, no
 * function), measured alternately one by one (bare, 401, check, …) so the shared machine's load
 * and the background work the checks cause (their events recorded, chained, published) fall on
 * all three alike. From the gateway's `server-timing`: its whole part, the token check and the
 * function call; the handler alone from the function host's reports; the HTTP round trip outside
 * the gateway, its own work besides token and call (routing, the event built, the answer
 * serialized) and the worker hop by difference. p50 of each over the same requests.
 */
export async function gatewayBreakdown(ctx: Ctx) {
  const [t] = await tenants(ctx, 'gateway', 1);
  if (!t) return;
  await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
    reason: 'bench',
    durationSeconds: 3600,
  });
  const { bareUpdate } = await floors(ctx, t.tenantId);
  const url = `${ctx.stack.apiUrl}/tenants/${t.tenantId}/access`;
  const parts = { gateway: [] as number[], auth: [] as number[], invoke: [] as number[] };
  const check = async () => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${ctx.agent}` } });
    await r.text();
    if (r.status !== 200) throw new Error(`access check ${r.status}`);
    const timing = r.headers.get('server-timing') ?? '';
    for (const [name, values] of Object.entries(parts))
      values.push(Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing)?.[1] ?? Number.NaN));
  };
  const refused = async () => {
    const r = await fetch(url);
    await r.text();
    if (r.status !== 401) throw new Error(`expected 401, got ${r.status}`);
  };
  const time = async (task: () => Promise<void>) => {
    const started = performance.now();
    await task();
    return performance.now() - started;
  };
  for (let i = 0; i < 100; i++) {
    await bareUpdate();
    await refused();
    await check();
  }
  for (const values of Object.values(parts)) values.length = 0;
  const before = (await reports(ctx)).filter((r) => r.function === 'checkAccess').length;
  const count = QUICK ? 300 : 1000;
  const total: number[] = [];
  const floor: number[] = [];
  const gatewayAlone: number[] = [];
  for (let i = 0; i < count; i++) {
    floor.push(await time(bareUpdate));
    gatewayAlone.push(await time(refused));
    total.push(await time(check));
  }
  const handler = (await reports(ctx))
    .filter((r) => r.function === 'checkAccess')
    .slice(before)
    .map((r) => r.durationMs);
  const p50 = (v: number[]) => round(percentile(v, 50), 2);
  const outside = p50(total) - p50(parts.gateway);
  const own = p50(parts.gateway) - p50(parts.auth) - p50(parts.invoke);
  const hop = p50(parts.invoke) - p50(handler);
  add({
    name: 'local gateway breakdown of a check at c=1, p50 (information)',
    value: p50(total),
    unit: `ms in all: HTTP outside the gateway ${round(outside, 2)}, in the gateway ${p50(parts.gateway)} (token check ${p50(parts.auth)}, routing + event + answer ${round(own, 2)}, function call ${p50(parts.invoke)} = worker hop ${round(hop, 2)} + handler ${p50(handler)}); bare UpdateItem ${p50(floor)}; a request the gateway refuses itself (401) ${p50(gatewayAlone)}; ${count} of each`,
    target: '—',
    pass: null,
  });
  const ratio = percentile(total, 50) / percentile(floor, 50);
  add({
    name: 'access check through the local gateway / bare UpdateItem, p50 (c=1, alternating)',
    value: round(ratio),
    unit: `ratio (${p50(total)} ms vs ${p50(floor)} ms; p99 ${round(percentile(total, 99))} vs ${round(percentile(floor, 99))}; handler / bare UpdateItem ${round(percentile(handler, 50) / percentile(floor, 50))})`,
    target: '≤ 1.5',
    pass: ratio <= 1.5,
  });
}
