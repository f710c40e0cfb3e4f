import { STATUS_CODES } from 'node:http';
import type { ProblemBody } from '../contract/wire.js';
import type { FieldError } from '../domain/errors.js';

export type { FieldError, ProblemBody };

const PROBLEM_TYPE_BASE = 'https://primo.dev/problems/';

/** Problem type slugs per status; validation errors have their own. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  410: 'gone',
  412: 'precondition-failed',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'too-many-requests',
  500: 'internal',
  503: 'service-unavailable',
};

export function problemType(status: number, slug?: string): string {
  return PROBLEM_TYPE_BASE + (slug ?? TYPE_BY_STATUS[status] ?? 'error');
}

/**
 * The one error type of the API: anything thrown as an HttpError reaches the client as
 * problem+json with exactly this status, detail and headers; anything else becomes a 500.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly type: string;
  readonly title: string;

  constructor(
    readonly status: number,
    readonly detail: string,
    options: {
      slug?: string;
      title?: string;
      errors?: FieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(detail, { cause: options.cause });
    this.type = problemType(status, options.slug);
    this.title = options.title ?? STATUS_CODES[status] ?? 'Error';
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  static validation(errors: FieldError[], detail = 'The request is not valid; see errors for each field.'): HttpError {
    return new HttpError(400, detail, { slug: 'validation', title: 'Validation failed', errors });
  }

  static unauthorized(detail = 'A valid access token is required.'): HttpError {
    return new HttpError(401, detail, { headers: { 'WWW-Authenticate': 'Bearer realm="primo"' } });
  }

  static notFound(detail = 'No such resource.'): HttpError {
    return new HttpError(404, detail);
  }

  static serviceUnavailable(detail: string, retryAfterSeconds: number): HttpError {
    return new HttpError(503, detail, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }

  toBody(requestId: string): ProblemBody {
    const body: ProblemBody = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      requestId,
    };
    if (this.errors) body.errors = this.errors;
    return body;
  }
}
