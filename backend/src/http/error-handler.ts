import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';
import { entityEtag } from '../contract/wire.js';
import {
  Conflict,
  DomainError,
  Forbidden,
  EmailTaken,
  Gone,
  InvalidInput,
  NotAuthenticated,
  NotFound,
  StoreUnavailableError,
  VersionConflict,
} from '../domain/errors.js';
import { HttpError } from './problem.js';

/** body-parser marks its errors with a `type`; these are the client's fault. */
interface BodyParserError {
  type: string;
  status?: number;
  limit?: number;
  charset?: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && 'status' in err
  );
}

/** The one mapping from the domain's errors to problem responses. */
function fromDomainError(err: DomainError): HttpError | null {
  if (err instanceof InvalidInput) return HttpError.validation(err.errors, err.message);
  if (err instanceof NotFound) return HttpError.notFound(err.message);
  if (err instanceof VersionConflict) {
    return new HttpError(412, err.message, { headers: { ETag: entityEtag(err.current) } });
  }
  if (err instanceof Forbidden) return new HttpError(403, err.message);
  if (err instanceof Conflict) return new HttpError(409, err.message, { slug: err.slug });
  if (err instanceof EmailTaken) return new HttpError(409, err.message, { slug: 'email-taken' });
  if (err instanceof Gone) return new HttpError(410, err.message, { slug: err.slug });
  if (err instanceof NotAuthenticated) return HttpError.unauthorized(err.message);
  if (err instanceof StoreUnavailableError) {
    return HttpError.serviceUnavailable(
      'The data store is temporarily unavailable; retry shortly.',
      err.retryAfterSeconds,
    );
  }
  return null;
}

/** Converts anything thrown into the one HttpError shape; unknown errors become an opaque 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) {
    const mapped = fromDomainError(err);
    if (mapped !== null) return mapped;
  }
  if (isBodyParserError(err)) {
    switch (err.type) {
      case 'entity.parse.failed':
        return new HttpError(400, 'The request body is not valid JSON.', {
          slug: 'malformed-json',
          errors: [{ path: 'body', message: 'must be a JSON object' }],
        });
      case 'entity.too.large':
        return new HttpError(413, `The request body is larger than the limit of ${err.limit ?? 'the server'} bytes.`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new HttpError(415, `The body encoding or charset is not supported; send UTF-8 JSON.`);
      case 'request.aborted':
        return new HttpError(400, 'The request was aborted by the client.');
      default:
        if (err.status !== undefined && err.status >= 400 && err.status < 500) {
          return new HttpError(err.status, 'The request body could not be read.');
        }
    }
  }
  if (err instanceof URIError) {
    // The router could not percent-decode a path parameter (e.g. `/tasks/%zz`).
    return new HttpError(400, 'The URL is not validly percent-encoded.', {
      errors: [{ path: 'url', message: 'has a malformed percent-encoding' }],
    });
  }
  if (isZlibError(err)) {
    return new HttpError(400, 'The request body could not be decompressed as its Content-Encoding says.', {
      errors: [{ path: 'body', message: 'is not valid for its Content-Encoding' }],
    });
  }
  return new HttpError(500, 'An unexpected error occurred; it has been logged with the request id.');
}

/** body-parser inflates gzip/deflate/br bodies itself and passes zlib's errors through unwrapped. */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test(code);
}

/** The one error middleware: logs server faults with their stack, answers problem+json without internals. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const problem = toHttpError(err);
    if (problem.status >= 500) {
      if (err instanceof StoreUnavailableError) logger.warn('store unavailable', { error: err.message });
      else logger.error('unhandled error', { error: err instanceof Error ? err.stack : String(err) });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problem.toBody(req.requestId)));
  };
}

/** Unknown routes are 404 problems. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(HttpError.notFound(`No route for ${req.method} ${req.path}.`));
  };
}

/** Rejects a request body that is not JSON before it is parsed (415). */
export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    const hasBody =
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
      req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      next(
        new HttpError(415, `Send the body as application/json (got ${req.get('content-type') ?? 'no content type'}).`),
      );
      return;
    }
    next();
  };
}

/** Query strings over the limit are refused before any parsing (414). */
export function limitQueryLength(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const index = req.originalUrl.indexOf('?');
    if (index >= 0 && req.originalUrl.length - index - 1 > maxBytes) {
      next(new HttpError(414, `The query string is longer than ${maxBytes} bytes.`));
      return;
    }
    next();
  };
}
