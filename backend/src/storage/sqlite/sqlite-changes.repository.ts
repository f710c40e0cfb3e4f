import type Database from 'better-sqlite3';
import type { ChangeRecord, ChangeType, FieldChange, NewChange } from '../../changes/change.model.js';
import type { ChangeRepository } from '../../changes/changes.repository.js';
import type { StoreRunner } from './sqlite-errors.js';

interface ChangeRow {
  seq: number;
  project_id: string;
  also_project_id: string | null;
  type: ChangeType;
  entity_id: string;
  version: number;
  actor_id: string;
  at: number;
  fields: string;
}

const CHANGE_COLUMNS =
  'c.seq, c.project_id, c.also_project_id, c.type, c.entity_id, c.version, c.actor_id, c.at, c.fields';
/** Rows pruned per statement, so one prune never holds the write lock for long. */
const PRUNE_BATCH = 1000;

function toChange(row: ChangeRow, recipients: string[] = []): ChangeRecord {
  return {
    seq: row.seq,
    projectId: row.project_id,
    alsoProjectId: row.also_project_id,
    recipients,
    type: row.type,
    entityId: row.entity_id,
    version: row.version,
    actorId: row.actor_id,
    at: new Date(row.at),
    fields: JSON.parse(row.fields) as FieldChange[],
  };
}

/**
 * Appends changes; called by the task, project and membership writes inside their own
 * transactions, so a change commits exactly when its write does. SQLite has one writer at a
 * time, so `seq` follows commit order.
 */
export type ChangeAppender = (change: NewChange) => void;

export function createChangeAppender(db: Database.Database): ChangeAppender {
  const insert = db.prepare<[Omit<ChangeRow, 'seq'> & { also_project_id: string | null }], { seq: number }>(
    `INSERT INTO changes (project_id, also_project_id, type, entity_id, version, actor_id, at, fields)
     VALUES (@project_id, @also_project_id, @type, @entity_id, @version, @actor_id, @at, @fields) RETURNING seq`,
  );
  const insertRecipient = db.prepare<[{ userId: string; seq: number }]>(
    'INSERT OR IGNORE INTO change_recipients (user_id, seq) VALUES (@userId, @seq)',
  );
  return (change) => {
    const row = insert.get({
      project_id: change.projectId,
      also_project_id: change.alsoProjectId ?? null,
      type: change.type,
      entity_id: change.entityId,
      version: change.version,
      actor_id: change.actorId,
      at: change.at.getTime(),
      fields: JSON.stringify(change.fields),
    });
    if (row === undefined) throw new Error('the change was not recorded');
    for (const userId of change.recipients ?? []) insertRecipient.run({ userId, seq: row.seq });
  };
}

export function createSqliteChangeRepository(db: Database.Database, run: StoreRunner): ChangeRepository {
  // Each source is a range of its own index after `since`; the union is sorted and cut at the limit.
  const listFor = db.prepare<[{ user: string; projects: string; since: number; limit: number }], ChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM changes AS c WHERE c.seq IN (
       SELECT seq FROM changes
         WHERE project_id IN (SELECT value FROM json_each(@projects)) AND seq > @since
       UNION
       SELECT seq FROM changes
         WHERE also_project_id IN (SELECT value FROM json_each(@projects)) AND seq > @since
       UNION
       SELECT seq FROM change_recipients WHERE user_id = @user AND seq > @since
     ) ORDER BY c.seq LIMIT @limit`,
  );
  const after = db.prepare<[{ since: number; limit: number }], ChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM changes AS c WHERE c.seq > @since ORDER BY c.seq LIMIT @limit`,
  );
  const recipientsOf = db.prepare<[{ from: number; to: number }], { seq: number; user_id: string }>(
    'SELECT seq, user_id FROM change_recipients WHERE seq >= @from AND seq <= @to',
  );
  const readAfter = db.transaction((since: number, limit: number): ChangeRecord[] => {
    const rows = after.all({ since, limit });
    const first = rows[0];
    const last = rows.at(-1);
    if (first === undefined || last === undefined) return [];
    const recipients = new Map<number, string[]>();
    for (const { seq, user_id } of recipientsOf.all({ from: first.seq, to: last.seq })) {
      recipients.set(seq, [...(recipients.get(seq) ?? []), user_id]);
    }
    return rows.map((row) => toChange(row, recipients.get(row.seq)));
  });
  const forTask = db.prepare<[{ id: string; before: number | null; limit: number }], ChangeRow>(
    `SELECT ${CHANGE_COLUMNS} FROM changes AS c
     WHERE c.entity_id = @id AND c.type LIKE 'task.%' AND (@before IS NULL OR c.seq < @before)
     ORDER BY c.seq DESC LIMIT @limit`,
  );
  const head = db
    .prepare<[], number>("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)")
    .pluck();
  const oldest = db.prepare<[], number | null>('SELECT min(seq) FROM changes').pluck();
  const oldestBatch = db.prepare<[number], { seq: number; at: number }>(
    'SELECT seq, at FROM changes ORDER BY seq LIMIT ?',
  );
  const deleteThrough = db.prepare<[number]>('DELETE FROM changes WHERE seq <= ?');
  const deleteRecipientsThrough = db.prepare<[number]>('DELETE FROM change_recipients WHERE seq <= ?');
  // The log is pruned from its start while changes are older than the cutoff, so what is kept is
  // always one unbroken run of positions: a cursor before it is known to have missed changes.
  const pruneBatch = db.transaction((cutoff: number): number => {
    let through = 0;
    let count = 0;
    for (const row of oldestBatch.all(PRUNE_BATCH)) {
      if (row.at >= cutoff) break;
      through = row.seq;
      count += 1;
    }
    if (count > 0) {
      deleteThrough.run(through);
      deleteRecipientsThrough.run(through);
    }
    return count;
  });

  return {
    async listFor(userId, projectIds, since, limit) {
      return run(() =>
        listFor.all({ user: userId, projects: JSON.stringify(projectIds), since, limit }).map((row) => toChange(row)),
      );
    },

    async after(since, limit) {
      return run(() => readAfter(since, limit));
    },

    async forTask(taskId, options) {
      return run(() =>
        forTask.all({ id: taskId, before: options.before ?? null, limit: options.limit }).map((row) => toChange(row)),
      );
    },

    async bounds() {
      return run(() => ({ head: head.get() ?? 0, oldest: oldest.get() ?? null }));
    },

    async prune(before) {
      let total = 0;
      for (;;) {
        const count = await run(() => pruneBatch.immediate(before.getTime()));
        total += count;
        if (count < PRUNE_BATCH) return total;
      }
    },
  };
}
