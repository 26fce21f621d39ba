import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beforeDeadlineCondition,
  effectiveGrant,
  type Grant,
  isBeforeDeadline,
  isEffectivelyActive,
  isPastDeadline,
} from '../../functions/domain/grant.ts';

const grant: Grant = {
  grantId: 'G1',
  tenantId: 'acme',
  status: 'active',
  reason: 'r',
  ticket: null,
  grantedBy: { contactId: 'c1', name: 'Ada', email: 'ada@acme.test' },
  createdAt: '2026-12-01T09:00:00.000Z',
  expiresAt: '2026-12-01T10:00:00.000Z',
  endedAt: null,
  endedBy: null,
  endReason: null,
};
const at = (offsetMs: number) => new Date(Date.parse(grant.expiresAt) + offsetMs);

describe('the deadline rule', () => {
  it('active before the deadline, ended from its millisecond on, for instants given as dates or strings', () => {
    expect(isBeforeDeadline(grant, at(-1))).toBe(true);
    expect(isBeforeDeadline(grant, at(0))).toBe(false);
    expect(isBeforeDeadline(grant, at(-1).toISOString())).toBe(true);
    expect(isBeforeDeadline(grant, at(0).toISOString())).toBe(false);
    expect(isPastDeadline(grant, at(0))).toBe(true);
    expect(isEffectivelyActive(grant, at(-1))).toBe(true);
    expect(isEffectivelyActive(grant, at(0))).toBe(false);
    expect(isEffectivelyActive({ ...grant, status: 'revoked' }, at(-1))).toBe(false);
    expect(effectiveGrant(grant, at(0))).toMatchObject({
      status: 'expired',
      endedAt: grant.expiresAt,
      endedBy: 'system',
    });
    expect(effectiveGrant(grant, at(-1))).toBe(grant);
  });

  it('its condition compares the strings DynamoDB compares, and they order as the instants do', () => {
    expect(beforeDeadlineCondition.expression).toBe('expiresAt > :activeAt');
    const instant = fc.integer({
      min: Date.parse('2000-01-01T00:00:00.000Z'),
      max: Date.parse('9999-12-31T23:59:57.999Z'),
    });
    fc.assert(
      fc.property(instant, fc.integer({ min: -2000, max: 2000 }), (deadline, offset) => {
        const expiresAt = new Date(deadline).toISOString();
        const now = new Date(deadline + offset);
        const { ':activeAt': value } = beforeDeadlineCondition.values(now);
        // DynamoDB orders strings by their UTF-8 bytes: for these ASCII strings, as JavaScript does
        // (the year 10000 would widen the format: no deadline lies that far).
        expect(expiresAt > value).toBe(isBeforeDeadline({ expiresAt }, now));
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
