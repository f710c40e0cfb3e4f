/**
 * The errors a use case can end in. Services and adapters throw these; the HTTP layer maps each
 * kind to one problem response (`http/domain-errors.ts`), so no domain code knows about status codes.
 */

/** One field that failed validation, named by its dotted path (`title`, `tags.2`, `cursor`). */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: string;
}

/** The input is well-formed for the transport but not valid for the use case. */
export class InvalidInput extends DomainError {
  readonly kind = 'invalid_input';
  override name = 'InvalidInput';
  constructor(
    readonly errors: FieldError[],
    detail = 'The request is not valid; see errors for each field.',
  ) {
    super(detail);
  }
}

/** The entity does not exist, or is not visible to the caller (never distinguished). */
export class NotFound extends DomainError {
  readonly kind = 'not_found';
  override name = 'NotFound';
}

export class TaskNotFound extends NotFound {
  override name = 'TaskNotFound';
  constructor() {
    super('No task with this id.');
  }
}

export class ProjectNotFound extends NotFound {
  override name = 'ProjectNotFound';
  constructor() {
    super('No project with this id.');
  }
}

/** The caller is a member, but their role does not allow the action. */
export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
  override name = 'Forbidden';
}

/** The action would break a rule of the current state (the last owner leaving, a personal project shared). */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
  override name = 'Conflict';
  constructor(
    readonly slug: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The write was guarded by a version that is no longer current; `current` is what is stored now. */
export class VersionConflict<T extends { id: string; version: number }> extends DomainError {
  readonly kind = 'version_conflict';
  override name = 'VersionConflict';
  constructor(
    readonly entity: string,
    readonly current: T,
  ) {
    super(`The ${entity} has changed since you read it; it is now at version ${current.version}.`);
  }
}

/** What was asked for existed once and is gone for good (history older than what is kept). */
export class Gone extends DomainError {
  readonly kind = 'gone';
  override name = 'Gone';
  constructor(
    readonly slug: string,
    detail: string,
  ) {
    super(detail);
  }
}

export class EmailTaken extends DomainError {
  readonly kind = 'email_taken';
  override name = 'EmailTaken';
  constructor() {
    super('An account with this email already exists.');
  }
}

/** The caller could not be authenticated: wrong credentials, a spent or unknown refresh token, a deleted account. */
export class NotAuthenticated extends DomainError {
  readonly kind = 'not_authenticated';
  override name = 'NotAuthenticated';
}

/**
 * Thrown by an adapter when the store cannot serve the request right now
 * (down, no primary, locked): the API answers 503 with Retry-After.
 */
export class StoreUnavailableError extends DomainError {
  readonly kind = 'store_unavailable';
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = STORE_RETRY_AFTER_SECONDS,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How long a client should wait before retrying when the store is briefly unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 2;
