import { describe, expect, it } from 'vitest';
import { until } from '../support/until.ts';

describe('until', () => {
  it('returns the first value that satisfies the condition', async () => {
    let n = 0;
    expect(
      await until(
        async () => ++n,
        (v) => v >= 3,
        1000,
        'three',
        1,
      ),
    ).toBe(3);
  });

  it('throws on timeout, naming what it waited for and what it saw', async () => {
    await expect(
      until(
        async () => 'still no',
        (v) => v === 'yes',
        50,
        'a yes',
        5,
      ),
    ).rejects.toThrow(/waiting for a yes; last seen: "still no"/);
  });
});
