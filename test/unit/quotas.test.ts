import { describe, expect, it } from 'vitest';
import { scheduleCallLimit } from '../../local/scheduler-emulator.ts';
import { limitFromEnv, SesQuota } from '../../local/ses-quota.ts';

const url = (path: string) => new URL(`http://127.0.0.1${path}`);

describe('the local SES quotas', () => {
  it('accepts one second of sends at the rate, then refuses until the rate refills', () => {
    let now = 0;
    const quota = new SesQuota({ maxSendRate: 2, max24HourSend: null }, () => now);
    expect([quota.take(1), quota.take(1), quota.take(1)].map((v) => v.ok)).toEqual([true, true, false]);
    expect(quota.take(1)).toEqual({ ok: false, message: 'Maximum sending rate exceeded.' });
    now = 500;
    expect(quota.take(1).ok).toBe(true);
    expect(quota.take(1).ok).toBe(false);
  });

  it('counts every recipient, and refuses the day over the 24-hour quota until old sends age out', () => {
    let now = 0;
    const quota = new SesQuota({ maxSendRate: null, max24HourSend: 3 }, () => now);
    expect(quota.take(2).ok).toBe(true);
    now = 60_000;
    expect(quota.take(2)).toEqual({ ok: false, message: 'Daily message quota exceeded.' });
    expect(quota.take(1).ok).toBe(true);
    expect(quota.report()).toEqual({ Max24HourSend: 3, MaxSendRate: -1, SentLast24Hours: 3 });
    now = 86_400_000;
    expect(quota.report().SentLast24Hours).toBe(1);
    expect(quota.take(2).ok).toBe(true);
  });

  it('takes raised limits at run time, the day so far still counted', () => {
    const quota = new SesQuota({ maxSendRate: 1, max24HourSend: 1 }, () => 0);
    expect(quota.take(1).ok).toBe(true);
    expect(quota.take(1).ok).toBe(false);
    quota.set({ max24HourSend: 5, maxSendRate: 10 });
    expect(quota.take(4).ok).toBe(true);
    expect(quota.report()).toEqual({ Max24HourSend: 5, MaxSendRate: 10, SentLast24Hours: 5 });
    quota.set({ max24HourSend: null });
    expect(quota.take(1).ok).toBe(true);
  });

  it('reads limits from the environment: unset is none, anything but a positive number is refused', () => {
    expect(limitFromEnv('SES_MAX_SEND_RATE', undefined)).toBeNull();
    expect(limitFromEnv('SES_MAX_SEND_RATE', '')).toBeNull();
    expect(limitFromEnv('SES_MAX_SEND_RATE', '0.5')).toBe(0.5);
    expect(() => limitFromEnv('SES_MAX_SEND_RATE', '0')).toThrow(
      /SES_MAX_SEND_RATE must be a positive number/,
    );
    expect(() => limitFromEnv('SCHEDULER_MAX_TPS', 'fast')).toThrow(/SCHEDULER_MAX_TPS/);
  });
});

describe('the local Scheduler API rate', () => {
  it('limits the schedule calls together, per second, and nothing else', () => {
    let now = 0;
    const over = scheduleCallLimit(2, () => now);
    expect(over(url('/schedules/grant-a'))).toBe(false);
    expect(over(url('/schedules/grant-b?groupName=g'))).toBe(false);
    expect(over(url('/schedules/grant-c'))).toBe(true);
    expect(over(url('/schedules?NamePrefix=grant-'))).toBe(false);
    expect(over(url('/schedule-groups/g'))).toBe(false);
    now = 500;
    expect(over(url('/schedules/grant-c'))).toBe(false);
    expect(over(url('/schedules/grant-d'))).toBe(true);
  });
});
