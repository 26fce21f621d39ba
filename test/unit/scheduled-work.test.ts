import { describe, expect, it } from 'vitest';
import { parseScheduledWork, ScheduledWorkPayload } from '../../functions/adapters/expiry-event.ts';

describe('the work a schedule hands the expiry function', () => {
  it('reads each kind with its own subject', () => {
    const expiry = {
      kind: 'expiry',
      tenantId: 'acme',
      grantId: 'G1',
      version: 2,
      expiresAt: '2030-01-01T10:00:00.250Z',
    };
    const reminder = {
      kind: 'reminder',
      tenantId: 'acme',
      grantId: 'G1',
      version: 2,
      remindAt: '2029-12-31T10:00:00.000Z',
    };
    const lapse = {
      kind: 'lapse',
      tenantId: 'acme',
      instructionId: 'I1',
      confirmBy: '2030-01-04T10:00:00.000Z',
    };
    for (const work of [expiry, reminder, lapse]) {
      expect(parseScheduledWork(work)).toEqual(work);
      expect(parseScheduledWork(JSON.stringify(work))).toEqual(work);
      expect(ScheduledWorkPayload.safeParse(work).success).toBe(true);
    }
  });

  it('still reads the payloads of schedules made before the kinds had shapes of their own', () => {
    expect(
      parseScheduledWork({
        tenantId: 'acme',
        grantId: 'G1',
        version: 3,
        expiresAt: '2030-01-01T10:00:00.000Z',
      }),
    ).toEqual({
      kind: 'expiry',
      tenantId: 'acme',
      grantId: 'G1',
      version: 3,
      expiresAt: '2030-01-01T10:00:00.000Z',
    });
    // The very first ones carried neither version nor deadline.
    expect(parseScheduledWork({ tenantId: 'acme', grantId: 'G1' })).toEqual({
      kind: 'expiry',
      tenantId: 'acme',
      grantId: 'G1',
      version: undefined,
      expiresAt: undefined,
    });
    expect(
      parseScheduledWork({
        tenantId: 'acme',
        grantId: 'G1',
        version: 3,
        expiresAt: '2030-01-01T10:00:00.000Z',
        kind: 'reminder',
      }),
    ).toEqual({ kind: 'reminder', tenantId: 'acme', grantId: 'G1', version: 3 });
    // A lapse carried the instruction's id in `grantId` and its confirmBy in `expiresAt`.
    expect(
      parseScheduledWork({
        tenantId: 'acme',
        grantId: 'I7',
        expiresAt: '2030-01-04T10:00:00.000Z',
        kind: 'lapse',
      }),
    ).toEqual({
      kind: 'lapse',
      tenantId: 'acme',
      instructionId: 'I7',
      confirmBy: '2030-01-04T10:00:00.000Z',
    });
  });

  it('refuses anything else', () => {
    for (const bad of [
      {},
      { tenantId: 'acme' },
      { tenantId: '', grantId: 'G1' },
      { tenantId: 'acme', grantId: 'G1', kind: 'sweep' },
      { kind: 'lapse', tenantId: 'acme', confirmBy: '2030-01-04T10:00:00.000Z' },
      'not json',
    ])
      expect(() => parseScheduledWork(bad), JSON.stringify(bad)).toThrow();
  });
});
