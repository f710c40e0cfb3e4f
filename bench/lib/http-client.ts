import http from 'node:http';
import { requestPayload } from '@primo/test-support';

/** One finished exchange; `status` is 0 when no HTTP answer arrived (reset, refused, timeout). */
export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Wall time from sending to the last byte, in milliseconds. */
  ms: number;
  error?: string;
}

export interface RequestOptions {
  /** A string is sent as is; anything else is sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * The loopback address of virtual user `index` (127.1.0.1, 127.1.0.2, …). Linux routes all of 127/8 to `lo`,
 * so each simulated user reaches nginx from its own client IP, as real users would, and nginx's per-IP
 * request budget applies per user instead of to the whole load at once.
 */
export function sourceAddress(index: number): string {
  return `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/** A keep-alive HTTP/1.1 client with one connection at a time, like one browser tab of one user. */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly origin: URL;

  constructor(
    baseUrl: string,
    private readonly localAddress?: string,
    private readonly defaultTimeoutMs = 15_000,
  ) {
    this.origin = new URL(baseUrl);
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const { payload, headers } = requestPayload(options.body, options.headers);
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (reply: Omit<Reply, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...reply, ms: performance.now() - started });
      };
      let req: http.ClientRequest;
      try {
        req = http.request({
          host: this.origin.hostname,
          port: this.origin.port,
          method,
          path,
          headers,
          agent: this.agent,
          ...(this.localAddress ? { localAddress: this.localAddress } : {}),
        });
      } catch (error) {
        finish({ status: 0, headers: {}, body: '', error: `invalid request: ${(error as Error).message}` });
        return;
      }
      req.setTimeout(options.timeoutMs ?? this.defaultTimeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => finish({ status: 0, headers: {}, body: '', error: error.message }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) =>
          finish({ status: 0, headers: res.headers, body: '', error: `response: ${error.message}` }),
        );
        res.on('end', () =>
          finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The JSON body of a reply, or undefined when it is not JSON. */
export function jsonOf<T>(reply: Reply): T | undefined {
  try {
    return JSON.parse(reply.body) as T;
  } catch {
    return undefined;
  }
}

/** Nearest-rank percentile of unsorted values. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
