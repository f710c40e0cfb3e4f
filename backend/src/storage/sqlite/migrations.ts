import type Database from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';

/** One schema step. Versions are 1, 2, 3… in order; a released step is never edited, only followed. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'users, tasks with tags and full-text search, refresh tokens',
    sql: `
      CREATE TABLE users (
        id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 24),
        email         TEXT NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- seq is the stable integer rowid the external-content FTS table points at
      -- (an implicit rowid could be renumbered by VACUUM and desynchronise the index).
      CREATE TABLE tasks (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE CHECK (length(id) = 24),
        user_id       TEXT NOT NULL,
        title         TEXT NOT NULL,
        title_key     BLOB NOT NULL,
        description   TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('todo', 'in_progress', 'done')),
        priority_rank INTEGER NOT NULL CHECK (priority_rank BETWEEN 0 AND 3),
        due_date      INTEGER,
        tags          TEXT NOT NULL CHECK (json_valid(tags)),
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        completed_at  INTEGER,
        version       INTEGER NOT NULL CHECK (version >= 1)
      ) STRICT;

      -- One index per sort, ending in id so that ORDER BY key, id and the keyset
      -- condition (key, id) > (?, ?) are both served by the index in either direction.
      CREATE INDEX tasks_user_created  ON tasks (user_id, created_at DESC, id DESC);
      CREATE INDEX tasks_user_updated  ON tasks (user_id, updated_at, id);
      CREATE INDEX tasks_user_due      ON tasks (user_id, due_date, id);
      CREATE INDEX tasks_user_priority ON tasks (user_id, priority_rank, id);
      CREATE INDEX tasks_user_title    ON tasks (user_id, title_key, id);
      -- Covers the per-status counts and the overdue / due-today counts of stats.
      CREATE INDEX tasks_user_status   ON tasks (user_id, status, due_date);
      CREATE INDEX tasks_user_completed ON tasks (user_id, completed_at) WHERE completed_at IS NOT NULL;

      CREATE TABLE task_tags (
        task_seq INTEGER NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,
        user_id  TEXT NOT NULL,
        tag      TEXT NOT NULL,
        PRIMARY KEY (task_seq, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX task_tags_user_tag ON task_tags (user_id, tag, task_seq);

      CREATE VIRTUAL TABLE tasks_fts USING fts5(
        title, description,
        content = 'tasks', content_rowid = 'seq',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO tasks_fts (rowid, title, description) VALUES (new.seq, new.title, new.description);
      END;
      CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
        INSERT INTO tasks_fts (tasks_fts, rowid, title, description)
          VALUES ('delete', old.seq, old.title, old.description);
      END;
      CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, description ON tasks
        WHEN old.title IS NOT new.title OR old.description IS NOT new.description
      BEGIN
        INSERT INTO tasks_fts (tasks_fts, rowid, title, description)
          VALUES ('delete', old.seq, old.title, old.description);
        INSERT INTO tasks_fts (rowid, title, description) VALUES (new.seq, new.title, new.description);
      END;

      CREATE TABLE refresh_tokens (
        hash       TEXT PRIMARY KEY NOT NULL,
        user_id    TEXT NOT NULL,
        family_id  TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER,
        revoked_at INTEGER
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX refresh_tokens_family  ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
    `,
  },
  {
    version: 2,
    name: 'per-user task counts by status and priority, kept by triggers',
    sql: `
      -- Stats read these few rows instead of counting a user's whole task list, so their cost does not
      -- grow with the number of tasks. The triggers run inside the writing transaction.
      CREATE TABLE task_counts (
        user_id       TEXT NOT NULL,
        status        TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        n             INTEGER NOT NULL,
        PRIMARY KEY (user_id, status, priority_rank)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO task_counts (user_id, status, priority_rank, n)
        SELECT user_id, status, priority_rank, count(*) FROM tasks GROUP BY user_id, status, priority_rank;

      CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (user_id, status, priority_rank, n) VALUES (new.user_id, new.status, new.priority_rank, 1)
          ON CONFLICT (user_id, status, priority_rank) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE user_id = old.user_id AND status = old.status AND priority_rank = old.priority_rank;
      END;
      CREATE TRIGGER task_counts_update AFTER UPDATE OF status, priority_rank ON tasks
        WHEN old.status IS NOT new.status OR old.priority_rank IS NOT new.priority_rank
      BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE user_id = old.user_id AND status = old.status AND priority_rank = old.priority_rank;
        INSERT INTO task_counts (user_id, status, priority_rank, n) VALUES (new.user_id, new.status, new.priority_rank, 1)
          ON CONFLICT (user_id, status, priority_rank) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 3,
    name: 'per-user counts of open tasks by due day and of completions by day, kept by triggers',
    sql: `
      -- Overdue tasks and completions per day are read from these per-day counts, so stats cost grows
      -- with the number of distinct days, not with the number of tasks. Days are UTC (ms / 86400000).
      CREATE TABLE task_due_days (
        user_id TEXT NOT NULL,
        day     INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        PRIMARY KEY (user_id, day)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE task_done_days (
        user_id TEXT NOT NULL,
        day     INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        PRIMARY KEY (user_id, day)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO task_due_days (user_id, day, n)
        SELECT user_id, due_date / 86400000, count(*) FROM tasks
        WHERE status <> 'done' AND due_date IS NOT NULL GROUP BY 1, 2;
      INSERT INTO task_done_days (user_id, day, n)
        SELECT user_id, completed_at / 86400000, count(*) FROM tasks
        WHERE completed_at IS NOT NULL GROUP BY 1, 2;

      CREATE TRIGGER task_days_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_due_days (user_id, day, n)
          SELECT new.user_id, new.due_date / 86400000, 1 WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
        INSERT INTO task_done_days (user_id, day, n)
          SELECT new.user_id, new.completed_at / 86400000, 1 WHERE new.completed_at IS NOT NULL
          ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER task_days_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL
            AND user_id = old.user_id AND day = old.due_date / 86400000;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND user_id = old.user_id AND day = old.completed_at / 86400000;
      END;
      CREATE TRIGGER task_days_update AFTER UPDATE OF status, due_date, completed_at ON tasks BEGIN
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL
            AND user_id = old.user_id AND day = old.due_date / 86400000;
        INSERT INTO task_due_days (user_id, day, n)
          SELECT new.user_id, new.due_date / 86400000, 1 WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND user_id = old.user_id AND day = old.completed_at / 86400000;
        INSERT INTO task_done_days (user_id, day, n)
          SELECT new.user_id, new.completed_at / 86400000, 1 WHERE new.completed_at IS NOT NULL
          ON CONFLICT (user_id, day) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 4,
    name: 'drop the completed-at index: completions per day are read from task_done_days',
    sql: `
      -- No statement reads it any more, and every completion paid to keep it.
      DROP INDEX IF EXISTS tasks_user_completed;
    `,
  },
];

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Brings the schema up to the newest migration, tracked in `PRAGMA user_version`.
 * Runs under BEGIN IMMEDIATE, so of several processes opening one file at once the first
 * applies the steps and the others wait on the busy timeout, then find nothing left to do.
 */
export function migrateSqlite(
  db: Database.Database,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
  logger?: Logger,
): MigrationResult {
  const latest = migrations.reduce((max, migration) => Math.max(max, migration.version), 0);
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from > latest) {
      throw new Error(
        `the SQLite database is at schema version ${from}, newer than this build knows (${latest}); ` +
          'run a newer build or point DATA_DIR at another directory',
      );
    }
    const pending = migrations.filter((migration) => migration.version > from);
    for (const migration of [...pending].sort((a, b) => a.version - b.version)) {
      db.exec(migration.sql);
    }
    if (pending.length > 0) db.pragma(`user_version = ${latest}`);
    db.exec('COMMIT');
    for (const migration of pending) {
      logger?.info('sqlite migration applied', { version: migration.version, name: migration.name });
    }
    return { from, to: Math.max(from, latest) };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
