import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.ts';
import {
  changeDeadline,
  DEFAULT_POLICY,
  effectiveGrant,
  endGrant,
  isEffectivelyActive,
  normaliseGrantText,
  reminderTime,
  resolveDeadline,
  type StoredGrant,
} from '../../functions/domain/grant.ts';

const now = new Date('2026-12-01T10:00:00.000Z');
const policy = { minSeconds: 300, maxSeconds: 3600 };

function grant(overrides: Partial<StoredGrant> = {}): StoredGrant {
  return {
    grantId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    tenantId: 'acme',
    status: 'active',
    reason: 'ticket work',
    ticket: null,
    grantedBy: { contactId: 'c1', name: 'Ada', email: 'ada@acme.test' },
    createdAt: now.toISOString(),
    expiresAt: '2026-12-01T11:00:00.000Z',
    endedAt: null,
    endedBy: null,
    endReason: null,
    version: 1,
    remindAt: null,
    ...overrides,
  };
}

function validationPath(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors[0]?.path;
  }
  throw new Error('expected a ValidationError');
}

describe('resolveDeadline', () => {
  it('accepts both bounds inclusively and rejects one millisecond beyond', () => {
    expect(resolveDeadline({ durationSeconds: 300 }, now, policy).toISOString()).toBe(
      '2026-12-01T10:05:00.000Z',
    );
    expect(resolveDeadline({ durationSeconds: 3600 }, now, policy).toISOString()).toBe(
      '2026-12-01T11:00:00.000Z',
    );
    expect(resolveDeadline({ expiresAt: '2026-12-01T10:05:00.000Z' }, now, policy).getTime()).toBe(
      now.getTime() + 300_000,
    );
    expect(
      validationPath(() => resolveDeadline({ expiresAt: '2026-12-01T10:04:59.999Z' }, now, policy)),
    ).toBe('expiresAt');
    expect(
      validationPath(() => resolveDeadline({ expiresAt: '2026-12-01T11:00:00.001Z' }, now, policy)),
    ).toBe('expiresAt');
    expect(validationPath(() => resolveDeadline({ durationSeconds: 299 }, now, policy))).toBe(
      'durationSeconds',
    );
    expect(validationPath(() => resolveDeadline({ durationSeconds: 3601 }, now, policy))).toBe(
      'durationSeconds',
    );
  });

  it('reads any offset and answers in UTC', () => {
    expect(resolveDeadline({ expiresAt: '2026-12-01T11:30:00.000+01:00' }, now, policy).toISOString()).toBe(
      '2026-12-01T10:30:00.000Z',
    );
  });

  it('demands exactly one of expiresAt and durationSeconds', () => {
    expect(() => resolveDeadline({}, now, policy)).toThrow(ValidationError);
    expect(() =>
      resolveDeadline({ durationSeconds: 600, expiresAt: '2026-12-01T10:30:00Z' }, now, policy),
    ).toThrow(/exactly one/);
  });

  it('rejects fractional durations and unparseable dates', () => {
    expect(() => resolveDeadline({ durationSeconds: 600.5 }, now, policy)).toThrow(ValidationError);
    expect(() => resolveDeadline({ expiresAt: 'tomorrow' }, now, policy)).toThrow(ValidationError);
  });

  it('defaults to 300 s … 122 days, reminded a day before', () => {
    expect(DEFAULT_POLICY).toEqual({
      minSeconds: 300,
      maxSeconds: 122 * 86_400,
      reminderBeforeSeconds: 86_400,
    });
  });
});

describe('effective status', () => {
  it('is expired from the deadline millisecond on, whatever is stored', () => {
    const g = grant();
    expect(effectiveGrant(g, new Date('2026-12-01T10:59:59.999Z')).status).toBe('active');
    const at = effectiveGrant(g, new Date('2026-12-01T11:00:00.000Z'));
    expect(at).toMatchObject({
      status: 'expired',
      endedAt: g.expiresAt,
      endedBy: 'system',
      endReason: 'expired',
    });
    expect(isEffectivelyActive(g, new Date('2026-12-01T11:00:00.000Z'))).toBe(false);
  });

  it('leaves ended grants as they are', () => {
    const revoked = grant({
      status: 'revoked',
      endedAt: now.toISOString(),
      endedBy: 'x@y.z',
      endReason: 'revoked',
    });
    expect(effectiveGrant(revoked, new Date('2027-01-01T00:00:00Z'))).toBe(revoked);
  });
});

describe('transitions', () => {
  it('ends an active grant and bumps its version', () => {
    const ended = endGrant(grant(), {
      status: 'revoked',
      endedAt: now.toISOString(),
      endedBy: 'a@b.c',
      endReason: 'revoked',
    });
    expect(ended).toMatchObject({ status: 'revoked', version: 2 });
  });

  it('never leaves a terminal state', () => {
    const expired = grant({ status: 'expired' });
    expect(() =>
      endGrant(expired, {
        status: 'revoked',
        endedAt: now.toISOString(),
        endedBy: 'a@b.c',
        endReason: 'revoked',
      }),
    ).toThrow(/has ended/);
    expect(() => changeDeadline(expired, new Date('2026-12-02T00:00:00Z'), now, policy)).toThrow(/has ended/);
  });

  it('refuses to move the deadline of a grant that is past it', () => {
    expect(() =>
      changeDeadline(grant(), new Date('2026-12-02T00:00:00Z'), new Date('2026-12-01T11:00:00Z'), policy),
    ).toThrow(/has ended/);
  });
});

describe('reminder time', () => {
  const day = { ...policy, reminderBeforeSeconds: 86_400 };
  it('is the lead before the deadline, rounded up to the second', () => {
    expect(reminderTime('2026-12-03T10:00:00.400Z', now, day)).toBe('2026-12-02T10:00:01.000Z');
    expect(reminderTime('2026-12-03T10:00:00.000Z', now, day)).toBe('2026-12-02T10:00:00.000Z');
  });

  it('is none for a deadline nearer than the lead and a tenth, or with reminders off', () => {
    const inMs = (ms: number) => new Date(now.getTime() + ms).toISOString();
    expect(reminderTime(inMs(86_399_000), now, day)).toBeNull();
    // The one-day grant with a one-day lead: its own email says when it ends; no reminder at once.
    expect(reminderTime(inMs(86_400_400), now, day)).toBeNull();
    expect(reminderTime(inMs(1.09 * 86_400_000), now, day)).toBeNull();
    expect(reminderTime(inMs(1.1 * 86_400_000), now, day)).toBe(inMs(8_640_000));
    // A short lead still needs a second between the change and the reminder.
    const three = { ...policy, reminderBeforeSeconds: 3 };
    expect(reminderTime(inMs(3_000), now, three)).toBeNull();
    expect(reminderTime(inMs(4_000), now, three)).toBe(inMs(1_000));
    expect(reminderTime(inMs(10_000), now, three)).toBe(inMs(7_000));
    expect(reminderTime('2026-12-03T10:00:00.000Z', now, { ...day, reminderBeforeSeconds: 0 })).toBeNull();
  });

  it('moves with the deadline; an ended grant has none pending', () => {
    const moved = changeDeadline(
      grant({ remindAt: '2026-12-01T10:30:00.000Z' }),
      new Date('2026-12-05T10:00:00Z'),
      now,
      day,
    );
    expect(moved.remindAt).toBe('2026-12-04T10:00:00.000Z');
    const shortened = changeDeadline(
      grant({ remindAt: '2026-12-04T10:00:00.000Z' }),
      new Date('2026-12-01T11:00:00Z'),
      now,
      day,
    );
    expect(shortened.remindAt).toBeNull();
    const ended = endGrant(grant({ remindAt: '2026-12-01T10:30:00.000Z' }), {
      status: 'revoked',
      endedAt: now.toISOString(),
      endedBy: 'a@b.c',
      endReason: 'revoked',
    });
    expect(ended.remindAt).toBeNull();
  });
});

describe('grant text', () => {
  it('trims, and counts characters not UTF-16 units', () => {
    expect(normaliseGrantText({ reason: '  fix  ', ticket: ' T-1 ' })).toEqual({
      reason: 'fix',
      ticket: 'T-1',
    });
    expect(normaliseGrantText({ reason: '😀'.repeat(500) }).reason).toHaveLength(1000);
    expect(() => normaliseGrantText({ reason: '😀'.repeat(501) })).toThrow(ValidationError);
  });

  it('treats blank as empty', () => {
    expect(() => normaliseGrantText({ reason: '   ' })).toThrow(/reason/);
    expect(() => normaliseGrantText({ reason: 'ok', ticket: '  ' })).toThrow(/ticket/);
    expect(normaliseGrantText({ reason: 'ok', ticket: null }).ticket).toBeNull();
    expect(() => normaliseGrantText({ reason: 'ok', ticket: 'x'.repeat(101) })).toThrow(/ticket/);
  });
});
