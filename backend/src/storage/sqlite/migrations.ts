import type Database from 'better-sqlite3';
import type { Logger } from '../../observability/logger.js';

/** One schema step. Versions are 1, 2, 3… in order; a released step is never edited, only followed. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** The task's own assignee ('' for none) and '*', the rows that count every assignee (migration 6). */
const WHO = "(SELECT coalesce(new.assignee_id, '') AS assignee UNION ALL SELECT '*') AS who";
const DAY = '86400000';
const WEEK_DAYS = [0, 1, 2, 3, 4, 5, 6];

// What the kept counts of migration 13 do as a task comes (new) or goes (old); an update is both.
const DUE_ADD = `
        INSERT INTO task_due_days (project_id, assignee, day, n)
          SELECT new.project_id, who.assignee, new.due_date / ${DAY}, 1 FROM ${WHO}
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_blocks (project_id, assignee, block, n)
          SELECT new.project_id, who.assignee, new.due_date / ${DAY} / 32, 1 FROM ${WHO}
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, block) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_totals (project_id, assignee, n)
          SELECT new.project_id, who.assignee, 1 FROM ${WHO}
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee) DO UPDATE SET n = n + 1;`;
const DUE_REMOVE = `
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND day = old.due_date / ${DAY};
        UPDATE task_due_blocks SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND block = old.due_date / ${DAY} / 32;
        UPDATE task_due_totals SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*');`;
// Completion instants are the server's clock, after the epoch: day / 7 and day % 7 are the week and its day.
const DONE_ADD = `
        INSERT INTO task_done_weeks (project_id, assignee, week, ${WEEK_DAYS.map((d) => `d${d}`).join(', ')})
          SELECT new.project_id, who.assignee, done.day / 7, ${WEEK_DAYS.map((d) => `done.day % 7 = ${d}`).join(', ')}
          FROM ${WHO}, (SELECT new.completed_at / ${DAY} AS day) AS done
          WHERE new.completed_at IS NOT NULL
          ON CONFLICT (project_id, assignee, week) DO UPDATE SET
            ${WEEK_DAYS.map((d) => `d${d} = d${d} + excluded.d${d}`).join(', ')};`;
const DONE_REMOVE = `
        UPDATE task_done_weeks SET ${WEEK_DAYS.map((d) => `d${d} = d${d} - (old.completed_at / ${DAY} % 7 = ${d})`).join(', ')}
          WHERE old.completed_at IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND week = old.completed_at / ${DAY} / 7;`;

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
  {
    version: 5,
    name: "projects, memberships and invitations; every task moves into its owner's personal project",
    sql: `
      CREATE TABLE projects (
        id          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 24),
        name        TEXT NOT NULL,
        name_key    TEXT NOT NULL,
        description TEXT NOT NULL,
        color       TEXT,
        personal    INTEGER NOT NULL CHECK (personal IN (0, 1)),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1)
      ) STRICT, WITHOUT ROWID;

      -- Looked up both ways: project → members (the primary key) and user → projects.
      CREATE TABLE memberships (
        project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        user_id    TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
        joined_at  INTEGER NOT NULL,
        PRIMARY KEY (project_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX memberships_user ON memberships (user_id, project_id, role);

      CREATE TABLE invitations (
        id          TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 24),
        project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        email       TEXT NOT NULL,
        role        TEXT NOT NULL CHECK (role IN ('editor', 'viewer')),
        invited_by  TEXT NOT NULL,
        token_hash  TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        accepted_at INTEGER,
        revoked_at  INTEGER
      ) STRICT, WITHOUT ROWID;
      -- At most one pending invitation per project and address.
      CREATE UNIQUE INDEX invitations_pending ON invitations (project_id, email)
        WHERE accepted_at IS NULL AND revoked_at IS NULL;

      -- Every user's personal project has the user's id; tasks of an unknown user keep a project too.
      INSERT INTO projects (id, name, name_key, description, color, personal, created_at, updated_at, version)
        SELECT id, 'Inbox', 'inbox', '', NULL, 1, created_at, created_at, 1 FROM users;
      INSERT INTO projects (id, name, name_key, description, color, personal, created_at, updated_at, version)
        SELECT DISTINCT user_id, 'Inbox', 'inbox', '', NULL, 1, min(created_at), min(created_at), 1 FROM tasks
        WHERE user_id NOT IN (SELECT id FROM users) GROUP BY user_id;
      INSERT INTO memberships (project_id, user_id, role, joined_at) SELECT id, id, 'owner', created_at FROM users;

      -- Rebuild tasks and task_tags keyed by project (the FTS index keeps pointing at the same seq values).
      DROP TRIGGER tasks_fts_insert; DROP TRIGGER tasks_fts_delete; DROP TRIGGER tasks_fts_update;
      DROP TRIGGER task_counts_insert; DROP TRIGGER task_counts_delete; DROP TRIGGER task_counts_update;
      DROP TRIGGER task_days_insert; DROP TRIGGER task_days_delete; DROP TRIGGER task_days_update;
      DROP TABLE task_counts; DROP TABLE task_due_days; DROP TABLE task_done_days;

      CREATE TABLE tasks_new (
        seq           INTEGER PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE CHECK (length(id) = 24),
        project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
        created_by    TEXT NOT NULL,
        assignee_id   TEXT,
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
      INSERT INTO tasks_new (seq, id, project_id, created_by, assignee_id, title, title_key, description, status,
                             priority_rank, due_date, tags, created_at, updated_at, completed_at, version)
        SELECT seq, id, user_id, user_id, NULL, title, title_key, description, status,
               priority_rank, due_date, tags, created_at, updated_at, completed_at, version FROM tasks;
      CREATE TABLE task_tags_new (
        task_seq   INTEGER NOT NULL REFERENCES tasks_new (seq) ON DELETE CASCADE,
        project_id TEXT NOT NULL,
        tag        TEXT NOT NULL,
        PRIMARY KEY (task_seq, tag)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO task_tags_new (task_seq, project_id, tag) SELECT task_seq, user_id, tag FROM task_tags;
      DROP TABLE task_tags;
      DROP TABLE tasks;
      ALTER TABLE tasks_new RENAME TO tasks;
      ALTER TABLE task_tags_new RENAME TO task_tags;
      CREATE INDEX task_tags_project_tag ON task_tags (project_id, tag, task_seq);

      -- One index per sort within a project, ending in id (see version 1)…
      CREATE INDEX tasks_project_created  ON tasks (project_id, created_at DESC, id DESC);
      CREATE INDEX tasks_project_updated  ON tasks (project_id, updated_at, id);
      CREATE INDEX tasks_project_due      ON tasks (project_id, due_date, id);
      CREATE INDEX tasks_project_priority ON tasks (project_id, priority_rank, id);
      CREATE INDEX tasks_project_title    ON tasks (project_id, title_key, id);
      CREATE INDEX tasks_project_status   ON tasks (project_id, status, due_date);
      -- …and per sort for one assignee across projects; only assigned tasks pay for these.
      CREATE INDEX tasks_assignee_created  ON tasks (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL;
      CREATE INDEX tasks_assignee_updated  ON tasks (assignee_id, updated_at, id) WHERE assignee_id IS NOT NULL;
      CREATE INDEX tasks_assignee_due      ON tasks (assignee_id, due_date, id) WHERE assignee_id IS NOT NULL;
      CREATE INDEX tasks_assignee_priority ON tasks (assignee_id, priority_rank, id) WHERE assignee_id IS NOT NULL;
      CREATE INDEX tasks_assignee_title    ON tasks (assignee_id, title_key, id) WHERE assignee_id IS NOT NULL;

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
      CREATE TRIGGER task_tags_move AFTER UPDATE OF project_id ON tasks WHEN old.project_id IS NOT new.project_id
      BEGIN
        UPDATE task_tags SET project_id = new.project_id WHERE task_seq = new.seq;
      END;

      -- Stats counts per project and assignee ('' for unassigned), kept by triggers as in versions 2 and 3.
      CREATE TABLE task_counts (
        project_id    TEXT NOT NULL,
        assignee      TEXT NOT NULL,
        status        TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        n             INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee, status, priority_rank)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE task_due_days (
        project_id TEXT NOT NULL,
        assignee   TEXT NOT NULL,
        day        INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee, day)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE task_done_days (
        project_id TEXT NOT NULL,
        assignee   TEXT NOT NULL,
        day        INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee, day)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO task_counts (project_id, assignee, status, priority_rank, n)
        SELECT project_id, coalesce(assignee_id, ''), status, priority_rank, count(*) FROM tasks GROUP BY 1, 2, 3, 4;
      INSERT INTO task_due_days (project_id, assignee, day, n)
        SELECT project_id, coalesce(assignee_id, ''), due_date / 86400000, count(*) FROM tasks
        WHERE status <> 'done' AND due_date IS NOT NULL GROUP BY 1, 2, 3;
      INSERT INTO task_done_days (project_id, assignee, day, n)
        SELECT project_id, coalesce(assignee_id, ''), completed_at / 86400000, count(*) FROM tasks
        WHERE completed_at IS NOT NULL GROUP BY 1, 2, 3;

      CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (project_id, assignee, status, priority_rank, n)
          VALUES (new.project_id, coalesce(new.assignee_id, ''), new.status, new.priority_rank, 1)
          ON CONFLICT (project_id, assignee, status, priority_rank) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_days (project_id, assignee, day, n)
          SELECT new.project_id, coalesce(new.assignee_id, ''), new.due_date / 86400000, 1
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
        INSERT INTO task_done_days (project_id, assignee, day, n)
          SELECT new.project_id, coalesce(new.assignee_id, ''), new.completed_at / 86400000, 1
          WHERE new.completed_at IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE project_id = old.project_id AND assignee = coalesce(old.assignee_id, '')
            AND status = old.status AND priority_rank = old.priority_rank;
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee = coalesce(old.assignee_id, '') AND day = old.due_date / 86400000;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND project_id = old.project_id
            AND assignee = coalesce(old.assignee_id, '') AND day = old.completed_at / 86400000;
      END;
      CREATE TRIGGER task_counts_update AFTER UPDATE OF project_id, assignee_id, status, priority_rank ON tasks
        WHEN old.project_id IS NOT new.project_id OR old.assignee_id IS NOT new.assignee_id
          OR old.status IS NOT new.status OR old.priority_rank IS NOT new.priority_rank
      BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE project_id = old.project_id AND assignee = coalesce(old.assignee_id, '')
            AND status = old.status AND priority_rank = old.priority_rank;
        INSERT INTO task_counts (project_id, assignee, status, priority_rank, n)
          VALUES (new.project_id, coalesce(new.assignee_id, ''), new.status, new.priority_rank, 1)
          ON CONFLICT (project_id, assignee, status, priority_rank) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER task_days_update AFTER UPDATE OF project_id, assignee_id, status, due_date, completed_at ON tasks
      BEGIN
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee = coalesce(old.assignee_id, '') AND day = old.due_date / 86400000;
        INSERT INTO task_due_days (project_id, assignee, day, n)
          SELECT new.project_id, coalesce(new.assignee_id, ''), new.due_date / 86400000, 1
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND project_id = old.project_id
            AND assignee = coalesce(old.assignee_id, '') AND day = old.completed_at / 86400000;
        INSERT INTO task_done_days (project_id, assignee, day, n)
          SELECT new.project_id, coalesce(new.assignee_id, ''), new.completed_at / 86400000, 1
          WHERE new.completed_at IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 6,
    name: "per-day counts for all of a project's assignees at once, and 32-day blocks of open due tasks",
    sql: `
      -- A stats read over every assignee reads the '*' rows, one key range per project; open tasks due
      -- before today are summed from whole 32-day blocks plus the days of the current block, so the
      -- cost of a read is bounded by the calendar, not by how many days hold due tasks.
      DROP TRIGGER task_counts_insert;
      DROP TRIGGER task_counts_delete;
      DROP TRIGGER task_days_update;

      DELETE FROM task_due_days WHERE n = 0;
      DELETE FROM task_done_days WHERE n = 0;
      INSERT INTO task_due_days (project_id, assignee, day, n)
        SELECT project_id, '*', day, sum(n) FROM task_due_days GROUP BY project_id, day;
      INSERT INTO task_done_days (project_id, assignee, day, n)
        SELECT project_id, '*', day, sum(n) FROM task_done_days GROUP BY project_id, day;
      CREATE TABLE task_due_blocks (
        project_id TEXT NOT NULL,
        assignee   TEXT NOT NULL,
        block      INTEGER NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee, block)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO task_due_blocks (project_id, assignee, block, n)
        SELECT project_id, assignee, day / 32, sum(n) FROM task_due_days GROUP BY 1, 2, 3;

      CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (project_id, assignee, status, priority_rank, n)
          VALUES (new.project_id, coalesce(new.assignee_id, ''), new.status, new.priority_rank, 1)
          ON CONFLICT (project_id, assignee, status, priority_rank) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_days (project_id, assignee, day, n)
          SELECT new.project_id, who.assignee, new.due_date / 86400000, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_blocks (project_id, assignee, block, n)
          SELECT new.project_id, who.assignee, new.due_date / 86400000 / 32, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, block) DO UPDATE SET n = n + 1;
        INSERT INTO task_done_days (project_id, assignee, day, n)
          SELECT new.project_id, who.assignee, new.completed_at / 86400000, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.completed_at IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE project_id = old.project_id AND assignee = coalesce(old.assignee_id, '')
            AND status = old.status AND priority_rank = old.priority_rank;
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND day = old.due_date / 86400000;
        UPDATE task_due_blocks SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND block = old.due_date / 86400000 / 32;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND day = old.completed_at / 86400000;
      END;
      CREATE TRIGGER task_days_update AFTER UPDATE OF project_id, assignee_id, status, due_date, completed_at ON tasks
        WHEN old.project_id IS NOT new.project_id OR old.assignee_id IS NOT new.assignee_id
          OR old.status IS NOT new.status OR old.due_date IS NOT new.due_date
          OR old.completed_at IS NOT new.completed_at
      BEGIN
        UPDATE task_due_days SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND day = old.due_date / 86400000;
        UPDATE task_due_blocks SET n = n - 1
          WHERE old.status <> 'done' AND old.due_date IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND block = old.due_date / 86400000 / 32;
        UPDATE task_done_days SET n = n - 1
          WHERE old.completed_at IS NOT NULL AND project_id = old.project_id
            AND assignee IN (coalesce(old.assignee_id, ''), '*') AND day = old.completed_at / 86400000;
        INSERT INTO task_due_days (project_id, assignee, day, n)
          SELECT new.project_id, who.assignee, new.due_date / 86400000, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
        INSERT INTO task_due_blocks (project_id, assignee, block, n)
          SELECT new.project_id, who.assignee, new.due_date / 86400000 / 32, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.status <> 'done' AND new.due_date IS NOT NULL
          ON CONFLICT (project_id, assignee, block) DO UPDATE SET n = n + 1;
        INSERT INTO task_done_days (project_id, assignee, day, n)
          SELECT new.project_id, who.assignee, new.completed_at / 86400000, 1 FROM (SELECT coalesce(new.assignee_id, '') AS assignee
            UNION ALL SELECT '*') AS who
          WHERE new.completed_at IS NOT NULL
          ON CONFLICT (project_id, assignee, day) DO UPDATE SET n = n + 1;
      END;
    `,
  },
  {
    version: 7,
    name: 'the change log: one change per write, in commit order, and the changes addressed to former members',
    sql: `
      -- AUTOINCREMENT: a position is never handed out twice, even after the newest changes are pruned.
      CREATE TABLE changes (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id      TEXT NOT NULL,
        also_project_id TEXT,
        type            TEXT NOT NULL,
        entity_id       TEXT NOT NULL,
        version         INTEGER NOT NULL,
        actor_id        TEXT NOT NULL,
        at              INTEGER NOT NULL,
        fields          TEXT NOT NULL
      ) STRICT;
      CREATE INDEX changes_project ON changes (project_id, seq);
      CREATE INDEX changes_moved_from ON changes (also_project_id, seq) WHERE also_project_id IS NOT NULL;
      CREATE INDEX changes_entity ON changes (entity_id, seq);
      -- Bumped by every membership change; a member.* change carries it as its version.
      ALTER TABLE projects ADD COLUMN members_version INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE change_recipients (
        user_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        PRIMARY KEY (user_id, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'board order: every task gets a position in its column, in the default list order (newest first)',
    sql: `
      -- The board key is the column digit (todo 0, in_progress 1, done 2) then the position, a
      -- fractional-indexing key (see tasks/board-order.ts). Existing tasks are numbered per project and
      -- column newest first as 'd' and four base-62 digits, a valid fractional-indexing integer key.
      ALTER TABLE tasks ADD COLUMN board_key TEXT NOT NULL DEFAULT '';
      UPDATE tasks SET board_key = numbered.board_key
      FROM (
        SELECT seq,
               CASE status WHEN 'todo' THEN '0' WHEN 'in_progress' THEN '1' ELSE '2' END || 'd'
                 || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (n / 238328) % 62 + 1, 1)
                 || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (n / 3844) % 62 + 1, 1)
                 || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', (n / 62) % 62 + 1, 1)
                 || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', n % 62 + 1, 1) AS board_key
        FROM (
          SELECT seq, status,
                 row_number() OVER (PARTITION BY project_id, status ORDER BY created_at DESC, id DESC) - 1 AS n
          FROM tasks
        )
      ) AS numbered
      WHERE tasks.seq = numbered.seq;
      -- The board sort within a project (a column is one range of it), and per assignee as every sort.
      CREATE INDEX tasks_project_position ON tasks (project_id, board_key, id);
      CREATE INDEX tasks_assignee_position ON tasks (assignee_id, board_key, id) WHERE assignee_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'idempotency keys: one claim per user and key, completed by the write it answers',
    sql: `
      -- state 'pending' while an attempt holds the key (until lease_until), 'done' once its answer is kept.
      CREATE TABLE idempotency_keys (
        user_id     TEXT    NOT NULL,
        key         TEXT    NOT NULL,
        fingerprint TEXT    NOT NULL,
        token       TEXT    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
        lease_until INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        response    TEXT,
        PRIMARY KEY (user_id, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
    `,
  },
  {
    version: 10,
    name: 'tasks: reminders and recurrence',
    sql: `
      -- remind_at is the task's field; reminder_due the reminder still to deliver (null once delivered,
      -- cancelled or done), so the due ones are one range of a small partial index.
      ALTER TABLE tasks ADD COLUMN remind_at INTEGER;
      ALTER TABLE tasks ADD COLUMN reminder_due INTEGER;
      ALTER TABLE tasks ADD COLUMN recurrence TEXT CHECK (recurrence IS NULL OR json_valid(recurrence));
      -- The task this one is the next occurrence of: at most one next occurrence per task.
      ALTER TABLE tasks ADD COLUMN previous_id TEXT;
      CREATE INDEX tasks_reminder_due ON tasks (reminder_due, id) WHERE reminder_due IS NOT NULL;
      CREATE UNIQUE INDEX tasks_previous ON tasks (previous_id) WHERE previous_id IS NOT NULL;
    `,
  },
  {
    version: 11,
    name: 'notifications, and where background work stopped in the change log',
    sql: `
      -- key names the event reported (see notificationKey): one notification per event and recipient.
      -- Task and project names are kept as they were when it was sent.
      CREATE TABLE notifications (
        id              TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 24),
        user_id         TEXT NOT NULL,
        type            TEXT NOT NULL CHECK (type IN ('assigned', 'reminder', 'invited', 'member.added')),
        key             TEXT NOT NULL UNIQUE,
        actor_id        TEXT,
        task_id         TEXT,
        task_title      TEXT,
        task_project_id TEXT,
        project_id      TEXT,
        project_name    TEXT,
        created_at      INTEGER NOT NULL,
        read_at         INTEGER,
        mail            TEXT NOT NULL CHECK (mail IN ('none', 'pending', 'sent', 'failed'))
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX notifications_user ON notifications (user_id, id);
      CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
      CREATE INDEX notifications_mail ON notifications (id) WHERE mail = 'pending';

      CREATE TABLE job_cursors (
        name TEXT PRIMARY KEY NOT NULL,
        seq  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 12,
    name: 'users: verified email and mail preferences; single-use link tokens; sessions by user',
    sql: `
      ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1));
      -- The switches a user changed, as a JSON object of notification type to true/false; absent ones are on.
      ALTER TABLE users ADD COLUMN email_preferences TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(email_preferences));

      CREATE TABLE one_time_tokens (
        hash       TEXT PRIMARY KEY NOT NULL,
        user_id    TEXT NOT NULL,
        purpose    TEXT NOT NULL CHECK (purpose IN ('password-reset', 'email-verification')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at    INTEGER
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose) WHERE used_at IS NULL;
      CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at);

      CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 13,
    name: 'completions counted per 7-day week in one row, and every open due task counted per project',
    sql: `
      -- The 14 days of completedByDay are at most three rows per project (d0..d6: the week's days,
      -- weeks numbered from the epoch's day 0); overdue is read from the far side of today that holds
      -- fewer rows: the open due tasks in total less those due from today on, which on a project with a
      -- long past are a few blocks ahead rather than every block behind.
      CREATE TABLE task_done_weeks (
        project_id TEXT NOT NULL,
        assignee   TEXT NOT NULL,
        week       INTEGER NOT NULL,
        d0 INTEGER NOT NULL, d1 INTEGER NOT NULL, d2 INTEGER NOT NULL, d3 INTEGER NOT NULL,
        d4 INTEGER NOT NULL, d5 INTEGER NOT NULL, d6 INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee, week)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO task_done_weeks (project_id, assignee, week, d0, d1, d2, d3, d4, d5, d6)
        SELECT project_id, assignee, day / 7, sum(n * (day % 7 = 0)), sum(n * (day % 7 = 1)), sum(n * (day % 7 = 2)),
               sum(n * (day % 7 = 3)), sum(n * (day % 7 = 4)), sum(n * (day % 7 = 5)), sum(n * (day % 7 = 6))
        FROM task_done_days WHERE n <> 0 GROUP BY project_id, assignee, day / 7;
      DROP TABLE task_done_days;

      CREATE TABLE task_due_totals (
        project_id TEXT NOT NULL,
        assignee   TEXT NOT NULL,
        n          INTEGER NOT NULL,
        PRIMARY KEY (project_id, assignee)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO task_due_totals (project_id, assignee, n)
        SELECT project_id, assignee, sum(n) FROM task_due_blocks GROUP BY project_id, assignee;

      DROP TRIGGER task_counts_insert;
      DROP TRIGGER task_counts_delete;
      DROP TRIGGER task_days_update;
      CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (project_id, assignee, status, priority_rank, n)
          VALUES (new.project_id, coalesce(new.assignee_id, ''), new.status, new.priority_rank, 1)
          ON CONFLICT (project_id, assignee, status, priority_rank) DO UPDATE SET n = n + 1;
${DUE_ADD}
${DONE_ADD}
      END;
      CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1
          WHERE project_id = old.project_id AND assignee = coalesce(old.assignee_id, '')
            AND status = old.status AND priority_rank = old.priority_rank;
${DUE_REMOVE}
${DONE_REMOVE}
      END;
      CREATE TRIGGER task_days_update AFTER UPDATE OF project_id, assignee_id, status, due_date, completed_at ON tasks
        WHEN old.project_id IS NOT new.project_id OR old.assignee_id IS NOT new.assignee_id
          OR old.status IS NOT new.status OR old.due_date IS NOT new.due_date
          OR old.completed_at IS NOT new.completed_at
      BEGIN
${DUE_REMOVE}
${DONE_REMOVE}
${DUE_ADD}
${DONE_ADD}
      END;
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
