import client from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BucketHistogram } from '../../src/observability/bucket-histogram.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('BucketHistogram', () => {
  it("when the same observations are made, then /metrics text is exactly prom-client's own histogram's", async () => {
    const reference = new client.Registry();
    const ours = new client.Registry();
    const theirs = new client.Histogram({
      name: 'op_seconds',
      help: 'Op duration',
      labelNames: ['repository', 'operation'],
      buckets: BUCKETS,
      registers: [reference],
    });
    const mine = new BucketHistogram('op_seconds', 'Op duration', ['repository', 'operation'], BUCKETS, ours);
    const values = [0.0005, 0.001, 0.002, 0.05, 0.1, 0.7, 1, 3, 42];
    for (const [repository, operation] of [
      ['tasks', 'list'],
      ['users', 'findById'],
    ] as const) {
      const child = mine.labels({ repository, operation });
      for (const value of values) {
        theirs.observe({ repository, operation }, value);
        child.observe(value);
      }
    }
    expect(await ours.metrics()).toBe(await reference.metrics());
    expect(await ours.metrics()).toContain('op_seconds_bucket{le="0.001",repository="tasks",operation="list"} 2');
  });

  it('when a child is asked for twice, then both count into one series; reset zeroes it and it keeps counting', async () => {
    const registry = new client.Registry();
    const histogram = new BucketHistogram('x_seconds', 'X', ['op'], BUCKETS, registry);
    histogram.labels({ op: 'a' }).observe(0.5);
    const again = histogram.labels({ op: 'a' });
    again.observe(0.5);
    expect(await registry.metrics()).toContain('x_seconds_count{op="a"} 2');
    registry.resetMetrics();
    again.observe(2);
    const text = await registry.metrics();
    expect(text).toContain('x_seconds_count{op="a"} 1');
    expect(text).toContain('x_seconds_bucket{le="1",op="a"} 0');
    expect(text).toContain('x_seconds_bucket{le="+Inf",op="a"} 1');
  });

  it('when buckets do not increase, then it refuses them naming the metric', () => {
    expect(() => new BucketHistogram('bad_seconds', 'Bad', ['op'], [0.1, 0.1], new client.Registry())).toThrow(
      /bad_seconds: buckets must increase/,
    );
  });
});
