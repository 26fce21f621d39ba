import { describe, expect, it } from 'vitest';
import type { SendQuota } from '../../functions/domain/ports.ts';
import { SendPacer } from '../../functions/use-cases/pacing.ts';

/** A pacer on a fake clock whose sleeps move the clock. */
function pacer(quota: SendQuota | null, extra: { dailyRecheckMs?: number } = {}) {
  const clock = { now: 0, reads: 0, slept: 0 };
  let stated = quota;
  const p = new SendPacer({
    quota: stated
      ? async () => {
          clock.reads++;
          return stated as SendQuota;
        }
      : undefined,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
      clock.slept += ms;
    },
    ...extra,
  });
  return { p, clock, restate: (q: SendQuota) => (stated = q) };
}

describe('pacing sends to the account quota', () => {
  it('spaces sends 1/rate apart from the stated rate, read once', async () => {
    const { p, clock } = pacer({ maxSendRate: 4, max24HourSend: null, sentLast24Hours: 0 });
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await p.slot(10_000)).toBe('send');
      p.sent();
      at.push(clock.now);
    }
    expect(at).toEqual([0, 250, 500, 750, 1000]);
    expect(clock.reads).toBe(1);
  });

  it('says "rate" at the deadline when the turn lies past it, and keeps the turn for later', async () => {
    const { p, clock } = pacer({ maxSendRate: 1, max24HourSend: null, sentLast24Hours: 0 });
    expect(await p.slot(1500)).toBe('send');
    expect(await p.slot(1500)).toBe('send');
    expect(clock.now).toBe(1000);
    expect(await p.slot(1500)).toBe('rate');
    // Not earlier: a batch handed back at once would come again at once.
    expect(clock.now).toBe(1500);
    expect(await p.slot(5000)).toBe('send');
    expect(clock.now).toBe(2000);
  });

  it('halves its share of the rate at a refusal and wins it back with accepted sends', async () => {
    const { p, clock } = pacer({ maxSendRate: 10, max24HourSend: null, sentLast24Hours: 0 });
    await p.slot(60_000);
    p.refused('rate');
    await p.slot(60_000);
    const before = clock.now;
    await p.slot(60_000);
    expect(clock.now - before).toBe(200); // 10/s at half share
    for (let i = 0; i < 10; i++) p.sent();
    await p.slot(60_000); // the turn reserved at half share
    const last = clock.now;
    await p.slot(60_000);
    expect(clock.now - last).toBe(100);
  });

  it('holds sends back while the day is used up, until the deadline, re-reading the quota', async () => {
    const { p, clock } = pacer(
      { maxSendRate: 10, max24HourSend: 100, sentLast24Hours: 100 },
      { dailyRecheckMs: 5000 },
    );
    expect(await p.slot(12_000)).toBe('daily');
    expect(clock.now).toBe(12_000);
    expect(clock.reads).toBe(3);
  });

  it('sends again as soon as a re-read shows the quota raised', async () => {
    const { p, clock, restate } = pacer(
      { maxSendRate: 10, max24HourSend: 2, sentLast24Hours: 1 },
      { dailyRecheckMs: 5000 },
    );
    expect(await p.slot(60_000)).toBe('send');
    p.sent();
    restate({ maxSendRate: 10, max24HourSend: 1000, sentLast24Hours: 2 });
    expect(await p.slot(60_000)).toBe('send');
    expect(clock.now).toBe(5000);
  });

  it('without a stated quota, sends at once and holds back a second after each refusal', async () => {
    const { p, clock } = pacer(null);
    expect(await p.slot(0)).toBe('send');
    expect(await p.slot(0)).toBe('send');
    p.refused('rate');
    expect(await p.slot(500)).toBe('rate');
    expect(await p.slot(5000)).toBe('send');
    expect(clock.now).toBe(1000);
    p.refused('daily');
    expect(await p.slot(clock.now + 2000)).toBe('daily');
  });
});

describe('pacing without a stated quota', () => {
  it('tries a send again after the recheck interval when the day was refused', async () => {
    const { p, clock } = pacer(null, { dailyRecheckMs: 1000 });
    p.refused('daily');
    expect(await p.slot(500)).toBe('daily');
    expect(await p.slot(5000)).toBe('send');
    expect(clock.now).toBe(1500);
  });
});
