import { describe, expect, it } from 'vitest';
import { ownStack } from '../support/own-stack.ts';
import { until } from '../support/until.ts';

describe('durability: a power cut in the middle of a burst of writes', () => {
  const own = ownStack('crash');
  const { api } = own;

  it('keeps every acknowledged write, and every pending deadline still ends its grant', async () => {
    const stack = await own.start();
    const TENANTS = 40;
    const people = await Promise.all(
      Array.from({ length: TENANTS }, async (_, i) => ({
        tenantId: `crash-${i}`,
        admin: await own.token({
          email: `admin@crash-${i}.example`,
          tenantId: `crash-${i}`,
          roles: ['tenant-admin'],
        }),
        contact: await own.token({ email: `c@crash-${i}.example`, tenantId: `crash-${i}` }),
      })),
    );
    for (const p of people) {
      const added = await api(`/tenants/${p.tenantId}/contacts`, p.admin, {
        method: 'POST',
        body: JSON.stringify({ name: 'C', email: `c@${p.tenantId}.example`, phone: '030 1234567' }),
      });
      expect(added.status).toBe(201);
    }

    // The burst: every tenant creates a grant ending in a few seconds; the power fails midway.
    const acknowledged: { tenantId: string; grantId: string; expiresAt: string }[] = [];
    let crashed = false;
    const burst = people.map(async (p, i) => {
      await new Promise((r) => setTimeout(r, i * 15));
      try {
        const r = await api(`/tenants/${p.tenantId}/grants`, p.contact, {
          method: 'POST',
          body: JSON.stringify({ reason: 'burst', durationSeconds: 4 }),
        });
        if (r.status === 201 && !crashed)
          acknowledged.push({ tenantId: p.tenantId, grantId: r.body.grantId, expiresAt: r.body.expiresAt });
      } catch {
        // The connection died with the stack: not acknowledged.
      }
    });
    // The power fails once a few creates are acknowledged, with the rest still on their way.
    await until(
      async () => acknowledged.length,
      (n) => n >= 3,
      30_000,
      'the first acknowledged creates',
    );
    crashed = true;
    await stack.crash();
    await Promise.all(burst);
    expect(acknowledged.length).toBeGreaterThan(0);

    // Back up after the deadlines have passed.
    const latest = Math.max(...acknowledged.map((a) => Date.parse(a.expiresAt)));
    await new Promise((r) => setTimeout(r, Math.max(0, latest - Date.now()) + 500));
    await own.restart();
    for (const ack of acknowledged) {
      const admin = people.find((p) => p.tenantId === ack.tenantId)?.admin as string;
      const grant = await until(
        () => api(`/tenants/${ack.tenantId}/grants/${ack.grantId}`, admin),
        (r) => r.body?.status === 'expired',
        5000,
      );
      expect(grant.status, `${ack.tenantId} grant kept`).toBe(200);
      // Read raw from storage: the job (schedule or start-up sweep) ended it, not just the read.
      const audit = await until(
        () => api(`/tenants/${ack.tenantId}/audit?limit=100`, admin),
        (r) => r.body?.events?.some((e: { type: string }) => e.type === 'grant.expired'),
        5000,
      );
      const types = audit.body.events.map((e: { type: string }) => e.type);
      expect(types.filter((t: string) => t === 'grant.created')).toHaveLength(1);
      expect(types.filter((t: string) => t === 'grant.expired')).toHaveLength(1);
    }
    console.info(
      `durability: ${acknowledged.length} of ${TENANTS} creates acknowledged before the crash; all kept and ended`,
    );
  }, 180_000);
});
