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
 * The bytes to send for a string or JSON body, with Content-Length and (unless the caller set one,
 * in any letter case) a JSON Content-Type added to a copy of the headers.
 */
export function requestPayload(
  body: unknown,
  headers: Record<string, string> = {},
): { payload: string | undefined; headers: Record<string, string> } {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const out: Record<string, string> = { ...headers };
  if (payload !== undefined) {
    out['content-length'] = String(Buffer.byteLength(payload));
    if (!Object.keys(out).some((name) => name.toLowerCase() === 'content-type'))
      out['content-type'] = 'application/json';
  }
  return { payload, headers: out };
}

/**
 * One HTTP request on a fresh connection (no agent pooling), optionally from a chosen loopback
 * source address — what fetch cannot do — so tests can act as several different client IPs.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const { payload: body, headers } = requestPayload(options.body, options.headers);
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
