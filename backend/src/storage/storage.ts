import type { RefreshTokenRepository } from '../auth/refresh-tokens.repository.js';
import type { UserRepository } from '../auth/users.repository.js';
import type { TaskRepository } from '../tasks/tasks.repository.js';

/** One opened store: the three repositories plus the store's own lifecycle. */
export interface Storage {
  readonly kind: 'sqlite' | 'mongo';
  readonly users: UserRepository;
  readonly tasks: TaskRepository;
  readonly refreshTokens: RefreshTokenRepository;
  /** True while the store can serve reads and writes. Must answer within about a second. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Thrown by an adapter when the store cannot serve the request right now
 * (down, no primary, locked): the API answers 503 with Retry-After.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
