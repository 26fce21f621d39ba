import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AuditEvent } from '../functions/domain/audit.ts';
import { type SpawnedStack, spawnStack } from '../local/spawn-stack.ts';
import { localKeys, signToken } from '../local/tokens.ts';
import { type Metric, pool } from './lib.ts';

/** The local stack the benchmarks measure, the metrics they collect, and small helpers. */
export const ROOT = resolve(import.meta.dirname, '..');
export const QUICK = process.env.BENCH_QUICK === '1';
export const metrics: Metric[] = [];
export const log = (message: string) => console.log(`[bench] ${message}`);
export const add = (m: Metric) => {
  metrics.push(m);
  log(
    `${m.name}: ${m.value} ${m.unit} (target ${m.target}) ${m.pass === null ? '' : m.pass ? 'PASS' : 'FAIL'}`,
  );
};
export const local = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface Ctx {
  stack: SpawnedStack;
  dataDir: string;
  keys: Awaited<ReturnType<typeof localKeys>>;
  agent: string;
}

export async function startStack(extra: Record<string, string> = {}): Promise<Ctx> {
  const dataDir = await mkdtemp(join(tmpdir(), 'support-access-bench-'));
  const stack = await spawnStack(dataDir, 'fresh', {
    POWERTOOLS_LOG_LEVEL: 'INFO',
    FUNCTION_REPORT_LOG: join(dataDir, 'function-reports.ndjson'),
    GATEWAY_TIMING: '1',
    ...extra,
  });
  const keys = await localKeys(dataDir);
  return {
    stack,
    dataDir,
    keys,
    agent: await signToken(keys, { email: 'agent@vendor.example', roles: ['support-agent'] }),
  };
}

export async function stopStack(ctx: Ctx) {
  await ctx.stack.stop();
  await rm(ctx.dataDir, { recursive: true, force: true });
}

export async function api(ctx: Ctx, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${ctx.stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Tenants with an admin and one contact, registered through the API. */
export async function tenants(ctx: Ctx, prefix: string, count: number) {
  const list = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const tenantId = `${prefix}-${i}`;
      return {
        tenantId,
        admin: await signToken(ctx.keys, {
          email: `admin@${tenantId}.example`,
          tenantId,
          roles: ['tenant-admin'],
        }),
        contact: await signToken(ctx.keys, { email: `c@${tenantId}.example`, tenantId }),
      };
    }),
  );
  await addContacts(ctx, list, { name: 'Contact', mailbox: 'c', phone: '030 1234567' });
  return list;
}

/** One more contact for each tenant (English mail), registered by its admin. */
export async function addContacts(
  ctx: Ctx,
  list: { tenantId: string; admin: string }[],
  contact: { name: string; mailbox: string; phone: string },
) {
  await pool(list, 16, async (t) => {
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/contacts`, t.admin, {
      name: contact.name,
      email: `${contact.mailbox}@${t.tenantId}.example`,
      phone: contact.phone,
      locale: 'en',
    });
    if (r.status !== 201) throw new Error(`contact setup failed: ${r.status}`);
  });
}

/** A grant for each tenant, their deadlines spread evenly over `spreadMs` from `start`. */
export async function grantsEndingFrom(
  ctx: Ctx,
  list: { tenantId: string; contact: string }[],
  start: number,
  spreadMs: number,
  reason: string,
) {
  await pool(list, 16, async (t, i) => {
    const expiresAt = new Date(start + Math.floor((i * spreadMs) / list.length)).toISOString();
    const r = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, { reason, expiresAt });
    if (r.status !== 201) throw new Error(`create failed ${r.status} ${JSON.stringify(r.body)}`);
  });
}

/** One tenant with an hour's grant, for the rows that measure one tenant's calls. */
export async function tenantWithGrant(ctx: Ctx, prefix: string, reason: string) {
  const [t] = await tenants(ctx, prefix, 1);
  if (!t) throw new Error('no tenant');
  const grant = await api(ctx, 'POST', `/tenants/${t.tenantId}/grants`, t.contact, {
    reason,
    durationSeconds: 3600,
  });
  if (grant.status !== 201) throw new Error(`grant setup failed: ${grant.status}`);
  return { ...t, grantId: grant.body.grantId as string };
}

export async function auditAll(ctx: Ctx, tenantId: string, admin: string): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const r = await api(
      ctx,
      'GET',
      `/tenants/${tenantId}/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      admin,
    );
    if (r.status !== 200) throw new Error(`audit of ${tenantId}: ${r.status} ${JSON.stringify(r.body)}`);
    events.push(...r.body.events);
    cursor = r.body.nextCursor;
  } while (cursor);
  return events;
}

export interface Flood<T> {
  result: T;
  checks: number;
  failed: number;
  /** Checks per second achieved. */
  rate: number;
  statuses: Map<number, number>;
}

/**
 * Runs `work` while about 100 access checks a second hit a tenant of its own (`prefix`, with an
 * active grant, so every check is recorded under it): the flood the isolation rows measure against.
 */
export async function whileChecksFlood<T>(
  ctx: Ctx,
  prefix: string,
  work: () => Promise<T>,
): Promise<Flood<T>> {
  const [busy] = await tenants(ctx, prefix, 1);
  if (!busy) throw new Error('no tenant');
  await api(ctx, 'POST', `/tenants/${busy.tenantId}/grants`, busy.contact, {
    reason: 'flood',
    durationSeconds: 86_400,
  });
  let flooding = true;
  let checks = 0;
  let failed = 0;
  const statuses = new Map<number, number>();
  const started = performance.now();
  const flood = (async () => {
    const inFlight = new Set<Promise<void>>();
    while (flooding) {
      const sent = performance.now();
      // A check that got no answer at all (a connection refused or timed out) counts as status 0:
      // one failed request is a row's figure, not the end of the bench.
      const one = api(ctx, 'GET', `/tenants/${busy.tenantId}/access`, ctx.agent)
        .then(
          (r) => r.status,
          () => 0,
        )
        .then((status) => {
          checks++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status !== 200) failed++;
        });
      inFlight.add(one);
      void one.finally(() => inFlight.delete(one));
      await new Promise((r) => setTimeout(r, Math.max(0, 10 - (performance.now() - sent))));
    }
    await Promise.all(inFlight);
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    flooding = false;
    await flood;
  }
  return { result, checks, failed, rate: checks / ((performance.now() - started) / 1000), statuses };
}
