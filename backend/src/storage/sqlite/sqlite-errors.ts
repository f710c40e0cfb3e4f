import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../domain/errors.js';

/** Result codes meaning "another connection holds the lock" or "the disk cannot take writes now". */
const UNAVAILABLE_CODE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/;

export function isSqliteUnavailable(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && UNAVAILABLE_CODE.test(error.code);
}

/** The synchronous busy handler only covers brief contention: better-sqlite3 blocks the event loop while it waits. */
export const SYNC_BUSY_TIMEOUT_MS = 20;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/** Runs one atomic unit of work against the store (see runStoreWork). */
export type StoreRunner = <T>(work: () => T) => Promise<T>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function unavailable(reason: string, cause?: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`the SQLite database is unavailable (${reason})`, undefined, { cause });
}

/**
 * Runs one unit of database work. While another connection holds the write lock, the work is retried
 * with back-off between attempts (the event loop stays free, so other requests and reads go on) until
 * `waitMs` has passed; then, like a closed connection or a full disk, it becomes StoreUnavailableError
 * so the API answers 503 with Retry-After instead of hanging or answering 500. Work must be atomic
 * (one statement or one transaction), so a failed attempt has written nothing and retrying is safe.
 */
export async function runStoreWork<T>(db: Database.Database, work: () => T, waitMs: number): Promise<T> {
  const deadline = Date.now() + waitMs;
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    if (!db.open) throw unavailable('closed');
    try {
      return work();
    } catch (error) {
      if (!isSqliteUnavailable(error)) throw error;
      const retryable = /^SQLITE_(BUSY|LOCKED)/.test(error.code);
      const remaining = deadline - Date.now();
      if (!retryable || remaining <= 0) throw unavailable(error.code, error);
      await sleep(Math.min(backoff, remaining));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}
