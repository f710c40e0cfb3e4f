import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';
import type { Storage } from '../storage.js';
import { migrateSqlite } from './migrations.js';
import { isSqliteUnavailable, runStoreWork, SYNC_BUSY_TIMEOUT_MS, type StoreRunner } from './sqlite-errors.js';
import { createChangeAppender, createSqliteChangeRepository } from './sqlite-changes.repository.js';
import { createSqliteInvitationRepository, createSqliteProjectRepository } from './sqlite-projects.repository.js';
import { createSqliteRefreshTokenRepository } from './sqlite-refresh-tokens.repository.js';
import { createSqliteOneTimeTokenRepository } from './sqlite-one-time-tokens.repository.js';
import { createResponseRecorder, createSqliteIdempotencyRepository } from './sqlite-idempotency.repository.js';
import { createSqliteTaskRepository } from './sqlite-tasks.repository.js';
import { createSqliteUserRepository } from './sqlite-users.repository.js';
import { createSqliteNotificationRepository } from './sqlite-notifications.repository.js';
import { createSqliteJobRepository } from './sqlite-jobs.repository.js';

export interface SqliteStorageOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  logger?: Logger;
  /**
   * How long work waits for another connection's write lock before failing with StoreUnavailableError
   * (default 2000 ms); the wait is asynchronous, so the process keeps serving other requests meanwhile.
   */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 2000;
/** Opening may wait longer than a request would: another process may be applying migrations. */
const OPEN_TIMEOUT_MS = 15_000;
const OPEN_RETRY_PAUSE_MS = 50;

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs a set-up step that needs a lock, retrying the few steps (such as switching a brand-new
 * file to WAL) that report SQLITE_BUSY at once instead of waiting on the busy handler.
 */
function withOpenRetry<T>(step: () => T): T {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isSqliteUnavailable(error) || Date.now() >= deadline) throw error;
      pause(OPEN_RETRY_PAUSE_MS);
    }
  }
}

/**
 * Opens (creating and migrating when needed) the embedded store: one WAL-mode SQLite file that
 * several processes on one host may share.
 */
export function openSqliteStorage(options: SqliteStorageOptions): Storage {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${busyTimeoutMs}`);
  }
  mkdirSync(path.dirname(path.resolve(options.file)), { recursive: true });
  const db = new Database(options.file, { timeout: OPEN_TIMEOUT_MS });
  try {
    const mode = withOpenRetry(() => db.pragma('journal_mode = WAL', { simple: true }));
    if (mode !== 'wal') options.logger?.warn('sqlite could not switch to WAL mode', { file: options.file, mode });
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const { from, to } = withOpenRetry(() => migrateSqlite(db, undefined, options.logger));
    db.pragma(`busy_timeout = ${Math.min(busyTimeoutMs, SYNC_BUSY_TIMEOUT_MS)}`);
    const run: StoreRunner = (work) => runStoreWork(db, work, busyTimeoutMs);
    options.logger?.debug('sqlite storage open', { file: options.file, schemaVersion: to, migratedFrom: from });

    const appendChange = createChangeAppender(db);
    const recordResponse = createResponseRecorder(db);
    const users = createSqliteUserRepository(db, run);
    const tasks = createSqliteTaskRepository(db, run, appendChange, recordResponse);
    const refreshTokens = createSqliteRefreshTokenRepository(db, run);
    const projects = createSqliteProjectRepository(db, run, appendChange, recordResponse);
    const invitations = createSqliteInvitationRepository(db, run, appendChange);
    const changes = createSqliteChangeRepository(db, run);
    const idempotency = createSqliteIdempotencyRepository(db, run);
    const probe = db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1');

    return {
      kind: 'sqlite',
      users,
      tasks,
      projects,
      invitations,
      refreshTokens,
      oneTimeTokens: createSqliteOneTimeTokenRepository(db, run),
      changes,
      idempotency,
      notifications: createSqliteNotificationRepository(db, run),
      jobs: createSqliteJobRepository(db, run),
      async ping() {
        if (!db.open) return false;
        try {
          probe.get();
          return true;
        } catch (error) {
          options.logger?.warn('sqlite ping failed', { error });
          return false;
        }
      },
      // Migrations create every index before the store opens.
      async readiness() {
        return (await this.ping()) ? 'up' : 'down';
      },
      async close() {
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
