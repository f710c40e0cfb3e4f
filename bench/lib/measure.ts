import autocannon, { type AutocannonRequest } from 'autocannon';

/** One scenario's figures, as written to bench/results/latest.json (latencies in milliseconds). */
export interface Measured {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  statusCounts: Record<string, number>;
  /** Share of responses with `X-Cache: HIT`, when the scenario counted it. */
  cacheHitRate?: number;
}

export interface MeasureOptions {
  url: string;
  connections: number;
  /** Seconds of load (or `amount` requests). */
  duration?: number;
  amount?: number;
  /** Seconds of the same load run first and thrown away. */
  warmupSeconds?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per-request variation (unique bodies, rotating ids). */
  requests?: AutocannonRequest[];
  /** Count `X-Cache` response headers (costs a little client CPU, so only where it is reported). */
  countCacheHeader?: boolean;
}

/** Percentile by nearest rank over sorted samples. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Growable buffer of latencies; autocannon reports p50/p90/p99 but no p95, so the bench keeps every sample. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** autocannon keeps header names as sent (`X-Cache`). */
function cacheHeader(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'x-cache') return value;
  return undefined;
}

async function runOnce(
  options: MeasureOptions,
  seconds: number | undefined,
  amount: number | undefined,
  keep: boolean,
) {
  const samples = new Samples();
  let hits = 0;
  let counted = 0;
  const requests = options.countCacheHeader
    ? (options.requests ?? [{ method: options.method ?? 'GET' }]).map((request) => ({
        ...request,
        onResponse: (
          status: number,
          body: string,
          context: Record<string, unknown>,
          headers: Record<string, string>,
        ) => {
          counted += 1;
          if (cacheHeader(headers) === 'HIT') hits += 1;
          request.onResponse?.(status, body, context, headers);
        },
      }))
    : options.requests;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    ...(amount !== undefined ? { amount } : { duration: seconds ?? 10 }),
    timeout: 10,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests,
  });
  if (keep) {
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      samples.push(responseTime);
    });
  }
  const result = await instance;
  return { result, samples, hits, counted };
}

/** Runs an optional warm-up, then the measured load, and reduces it to rps and latency percentiles. */
export async function measure(options: MeasureOptions): Promise<Measured> {
  if (options.warmupSeconds !== undefined && options.warmupSeconds > 0) {
    await runOnce(options, options.warmupSeconds, undefined, false);
  }
  const { result, samples, hits, counted } = await runOnce(options, options.duration, options.amount, true);
  const sorted = samples.sorted();
  const statusCounts: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) statusCounts[status] = count;
  const responses = sorted.length;
  const measured: Measured = {
    rps: round(responses / Math.max(result.duration, 0.001), 0),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    errors: result.errors,
    non2xx: result.non2xx,
    requests: responses,
    statusCounts,
  };
  if (options.countCacheHeader) measured.cacheHitRate = counted === 0 ? 0 : round(hits / counted, 4);
  return measured;
}
