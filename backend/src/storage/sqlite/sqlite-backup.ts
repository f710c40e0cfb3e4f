import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './migrations.js';

/** One step of a copy: pages still to copy out of the total (both in database pages). */
export interface CopyProgress {
  totalPages: number;
  remainingPages: number;
  /** How often a write by another connection made SQLite start the copy again. */
  restarts: number;
}

export interface DatabaseSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  users: number;
  tasks: number;
}

/** A refusal with a message meant for the operator (bad file, database in use, newer schema…). */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** Pages per step by default (4 MiB at the default page size). */
export const DEFAULT_PAGES_PER_STEP = 1024;
/** After this many restarts the rest is copied in one step, which reads one consistent snapshot. */
const RESTARTS_BEFORE_ONE_STEP = 2;

const LATEST_SCHEMA = SQLITE_MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

/** Copies `source` (an open connection) to `destination` with SQLite's online backup API. */
async function copy(source: Database.Database, destination: string, options: CopyOptions): Promise<number> {
  const pagesPerStep = options.pagesPerStep ?? DEFAULT_PAGES_PER_STEP;
  if (!Number.isInteger(pagesPerStep) || pagesPerStep < 1) {
    throw new BackupError(`pages per step must be a whole number ≥ 1, got ${pagesPerStep}`);
  }
  const pauseMs = options.pauseMs ?? 0;
  if (!Number.isInteger(pauseMs) || pauseMs < 0 || pauseMs > 10_000) {
    throw new BackupError(`the pause between steps must be 0–10000 ms, got ${pauseMs}`);
  }
  let restarts = 0;
  let lastRemaining = Number.POSITIVE_INFINITY;
  const { totalPages } = await source.backup(destination, {
    progress({ totalPages, remainingPages }) {
      // Another process committed meanwhile: SQLite starts the copy over from the first page.
      if (remainingPages > lastRemaining) restarts += 1;
      lastRemaining = remainingPages;
      options.onProgress?.({ totalPages, remainingPages, restarts });
      if (restarts >= RESTARTS_BEFORE_ONE_STEP) return 0x7fffffff;
      // The command-line tool has nothing else to do meanwhile, so a blocking pause is harmless here.
      if (pauseMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
      return pagesPerStep;
    },
  });
  options.onProgress?.({ totalPages, remainingPages: 0, restarts });
  return restarts;
}

export interface CopyOptions {
  /** Pages copied per step; between steps the copy yields, and other processes write on. */
  pagesPerStep?: number;
  /** Pause after each step, so a large copy leaves the disk to the live instances (blocks the caller: CLI only). */
  pauseMs?: number;
  onProgress?: (progress: CopyProgress) => void;
}

function count(db: Database.Database, table: string): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table);
  if (!exists) return 0;
  return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
}

/**
 * Opens `file` read-only and checks it is a sound Primo database: readable as SQLite, `PRAGMA
 * integrity_check` ok, Primo's tables present and a schema this build can run.
 */
export function verifyDatabase(file: string): DatabaseSummary {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(
      `${file} cannot be opened as SQLite: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
    } catch (error) {
      throw new BackupError(
        `${file} is not a usable SQLite database: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupError(`${file} failed PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`);
    }
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const hasUsers = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'users'").get();
    if (schemaVersion === 0 || !hasUsers) throw new BackupError(`${file} is SQLite but not a Primo database`);
    if (schemaVersion > LATEST_SCHEMA) {
      throw new BackupError(
        `${file} is at schema version ${schemaVersion}, newer than this build knows (${LATEST_SCHEMA}): restore it with a newer build`,
      );
    }
    return { file, bytes: statSync(file).size, schemaVersion, users: count(db, 'users'), tasks: count(db, 'tasks') };
  } finally {
    db.close();
  }
}

/**
 * Whether another connection (a running instance, usually) has `file` open. In WAL mode every
 * connection holds a shared lock on the WAL index while it is open, so asking for an exclusive
 * lock without waiting fails exactly when someone else has the database open.
 */
export function isDatabaseInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    if (
      (error as { code?: string }).code?.startsWith('SQLITE_BUSY') ||
      (error as { code?: string }).code === 'SQLITE_LOCKED'
    ) {
      return true;
    }
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Online backup of a live database into a new single-file copy: consistent while other processes keep
 * writing (each commit during the copy restarts it; after two restarts the rest is read in one step
 * from one snapshot), written beside the target as `.partial` and renamed only once it verifies.
 */
export async function backupDatabase(
  source: string,
  destination: string,
  options: CopyOptions = {},
): Promise<DatabaseSummary & { restarts: number }> {
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source} (is DATA_DIR right?)`);
  if (existsSync(destination)) throw new BackupError(`${destination} already exists; choose another --out`);
  mkdirSync(path.dirname(path.resolve(destination)), { recursive: true });
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 });
  let restarts: number;
  try {
    restarts = await copy(db, partial, options);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  try {
    // One self-contained file: no -wal beside it to forget when it is moved.
    const copyDb = new Database(partial, { fileMustExist: true });
    copyDb.pragma('journal_mode = DELETE');
    copyDb.close();
    verifyDatabase(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, destination);
  return { ...verifyDatabase(destination), restarts };
}

export interface RestoreOptions extends CopyOptions {
  /** Replace the contents even while another process has the target open. */
  force?: boolean;
}

export interface RestoreResult {
  restored: DatabaseSummary;
  /** The copy of what the target held before, or null when there was no target. */
  previous: string | null;
}

/**
 * Replaces `target` with the contents of the verified backup `file`, through the backup API so that
 * SQLite's own locking guards the target. Refuses a target another process has open unless `force`;
 * keeps what the target held as `<target>.before-restore-<time>`.
 */
export async function restoreDatabase(
  file: string,
  target: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  verifyDatabase(file);
  if (path.resolve(file) === path.resolve(target)) throw new BackupError('the backup and the target are the same file');
  if (!options.force && isDatabaseInUse(target)) {
    throw new BackupError(
      `${target} is open in another process (a running Primo instance?): stop every instance using it first, ` +
        'or pass --force to replace its contents under them (then restart them: their caches hold the old data)',
    );
  }
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await backupDatabase(target, previous);
  } else {
    mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  }
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    await copy(source, target, options);
  } finally {
    source.close();
  }
  const restoredDb = new Database(target, { fileMustExist: true, timeout: 5_000 });
  try {
    restoredDb.pragma('journal_mode = WAL');
  } finally {
    restoredDb.close();
  }
  return { restored: verifyDatabase(target), previous };
}
