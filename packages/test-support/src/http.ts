import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Parsed JSON body (throws when the body is not JSON). */
  json<T = unknown>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | object;
  /** Source address on the loopback range, e.g. 127.0.0.7, to appear as a distinct client. */
  localAddress?: string;
  timeoutMs?: number;
}

/**
 * One HTTP request on a fresh connection (no agent pooling), optionally from a chosen loopback
 * source address — what fetch cannot do — so tests can act as several different client IPs.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: options.method ?? 'GET', headers, agent: false, localAddress: options.localAddress },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        response.on('error', reject);
      },
    );
    request.setTimeout(options.timeoutMs ?? 15_000, () => request.destroy(new Error(`timeout: ${url}`)));
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}
