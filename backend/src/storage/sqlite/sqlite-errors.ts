import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../storage.js';

/** Result codes meaning "another connection holds the lock" or "the disk cannot take writes now". */
const UNAVAILABLE_CODE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/;
const RETRY_AFTER_SECONDS = 2;

export function isSqliteUnavailable(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && UNAVAILABLE_CODE.test(error.code);
}

/**
 * Runs one unit of database work, turning lock contention (after the busy timeout ran out)
 * and a closed connection into StoreUnavailableError so the API answers 503, not 500.
 */
export function runStoreWork<T>(db: Database.Database, work: () => T): T {
  if (!db.open) throw new StoreUnavailableError('the SQLite database is closed', RETRY_AFTER_SECONDS);
  try {
    return work();
  } catch (error) {
    if (isSqliteUnavailable(error)) {
      throw new StoreUnavailableError(`the SQLite database is unavailable (${error.code})`, RETRY_AFTER_SECONDS, {
        cause: error,
      });
    }
    throw error;
  }
}
