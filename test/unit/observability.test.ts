import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics, withMetrics } from '../../functions/wiring/observability.ts';

/** The EMF documents the process wrote, by metric name. */
function emfLines(write: { mock: { calls: unknown[][] } }): string[][] {
  return write.mock.calls
    .map((call) => String(call[0]))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => {
      const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
      return doc._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));
    });
}

afterEach(() => vi.restoreAllMocks());

describe('withMetrics', () => {
  it('publishes what a handler added when it returns, and when it throws', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const ok = withMetrics(async (n: number) => {
      metrics.addMetric('Handled', MetricUnit.Count, n);
      return n * 2;
    });
    const failing = withMetrics(async () => {
      metrics.addMetric('HandledBeforeFailing', MetricUnit.Count, 1);
      throw new Error('the batch goes back to the stream');
    });
    expect(await ok(2)).toBe(4);
    await expect(failing()).rejects.toThrow('the batch goes back');
    expect(emfLines(write)).toEqual([['Handled'], ['HandledBeforeFailing']]);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes nothing, and warns of nothing, when a handler added no metric', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    vi.spyOn(console, 'warn').mockImplementation(capture);
    expect(await withMetrics(async () => 'quiet')()).toBe('quiet');
    expect(written).toEqual([]);
  });
});
