/**
 * The change log as the domain knows it: every write to a task, a project or a membership is
 * recorded once, in the transaction of the write, as one change. The log feeds a task's activity,
 * `/changes` catch-up and live delivery.
 */
import type { ProjectRecord, ProjectRole } from '../projects/project.model.js';
import type { Recurrence } from '../tasks/recurrence.js';
import type { TaskRecord } from '../tasks/tasks.repository.js';

export const CHANGE_TYPES = [
  'task.created',
  'task.updated',
  'task.deleted',
  'project.created',
  'project.updated',
  'project.deleted',
  'member.added',
  'member.updated',
  'member.removed',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** A JSON value as a field holds it on the wire: dates as ISO strings, priorities by name. */
export type FieldValue = string | number | boolean | null | string[] | Recurrence;

export interface FieldChange {
  field: string;
  from: FieldValue;
  to: FieldValue;
}

/** A change as stored; `seq` increases in commit order. */
export interface ChangeRecord {
  seq: number;
  projectId: string;
  type: ChangeType;
  /** The task, the project, or the member's user id. */
  entityId: string;
  /** The entity's version after the change (a deletion: one past its last). */
  version: number;
  actorId: string;
  at: Date;
  /** What an `*.updated` change changed; empty for the other types. */
  fields: FieldChange[];
  /** The project a task moved out of (its members see the move), or null. */
  alsoProjectId: string | null;
  /** Users who see the change without being members (a removed member, a deleted project's members). */
  recipients: string[];
}

/** A change with its actor's name, as the activity feed, `/changes` and live events carry it. */
export interface ChangeView extends ChangeRecord {
  actorName: string;
}

/**
 * A change to append, with who besides the members of `projectId` must see it: the project a task
 * moved out of, and users who are no longer members (a removed member, the members of a deleted
 * project).
 */
export interface NewChange extends Omit<ChangeRecord, 'seq' | 'alsoProjectId' | 'recipients'> {
  alsoProjectId?: string | null;
  recipients?: readonly string[];
}

/**
 * What every write is told so that it can record its change in its own transaction: who made it
 * (`actorId`) and when.
 */
export interface WriteOptions {
  now: Date;
  actorId: string;
}

export interface ChangePage {
  items: ChangeRecord[];
  /** The position after the last change returned (or the given one when none). */
  cursor: number;
}

export const CHANGE_LIST_LIMIT_DEFAULT = 50;
export const CHANGE_LIST_LIMIT_MAX = 100;
/** `/changes` serves at least this much history; older positions are gone (410). */
export const CHANGE_RETENTION_DAYS_MIN = 7;

const TASK_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'dueDate',
  'tags',
  'assigneeId',
  'projectId',
  'position',
  'remindAt',
  'recurrence',
] as const;
const PROJECT_FIELDS = ['name', 'description', 'color'] as const;

function wireValue(value: unknown): FieldValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null) {
    const { rule, from } = value as Recurrence;
    return { rule, from };
  }
  return value as FieldValue;
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a)) {
    return !Array.isArray(b) && a.rule === b.rule && a.from === b.from;
  }
  return a === b;
}

function diff<T extends object>(fields: readonly (keyof T & string)[], before: T, after: T): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const from = wireValue(before[field]);
    const to = wireValue(after[field]);
    if (!sameValue(from, to)) changes.push({ field, from, to });
  }
  return changes;
}

/** The user-visible fields that differ between two versions of a task, in a fixed order. */
export function taskFieldChanges(before: TaskRecord, after: TaskRecord): FieldChange[] {
  return diff(TASK_FIELDS, before, after);
}

export function projectFieldChanges(before: ProjectRecord, after: ProjectRecord): FieldChange[] {
  return diff(PROJECT_FIELDS, before, after);
}

export function roleChange(from: ProjectRole, to: ProjectRole): FieldChange[] {
  return from === to ? [] : [{ field: 'role', from, to }];
}

/** A member's task unassigned because they left the project (or were removed). */
function unassigned(
  projectId: string,
  task: { id: string; version: number },
  formerAssignee: string,
  options: WriteOptions,
): NewChange {
  return {
    projectId,
    type: 'task.updated',
    entityId: task.id,
    version: task.version,
    actorId: options.actorId,
    at: options.now,
    fields: [{ field: 'assigneeId', from: formerAssignee, to: null }],
  };
}

/** The changes of a task's creation, update and deletion. */
export const taskChange = {
  created: (task: TaskRecord, actorId: string, at: Date): NewChange => ({
    projectId: task.projectId,
    type: 'task.created',
    entityId: task.id,
    version: task.version,
    actorId,
    at,
    fields: [],
  }),
  updated: (before: TaskRecord, after: TaskRecord, actorId: string, at: Date): NewChange => ({
    projectId: after.projectId,
    alsoProjectId: before.projectId === after.projectId ? null : before.projectId,
    type: 'task.updated',
    entityId: after.id,
    version: after.version,
    actorId,
    at,
    fields: taskFieldChanges(before, after),
  }),
  deleted: (task: TaskRecord, actorId: string, at: Date): NewChange => ({
    projectId: task.projectId,
    type: 'task.deleted',
    entityId: task.id,
    version: task.version + 1,
    actorId,
    at,
    fields: [],
  }),
  unassigned,
};

export const projectChange = {
  created: (projectId: string, actorId: string, at: Date): NewChange => ({
    projectId,
    type: 'project.created',
    entityId: projectId,
    version: 1,
    actorId,
    at,
    fields: [],
  }),
  updated: (before: ProjectRecord, after: ProjectRecord, options: WriteOptions): NewChange => ({
    projectId: after.id,
    type: 'project.updated',
    entityId: after.id,
    version: after.version,
    actorId: options.actorId,
    at: options.now,
    fields: projectFieldChanges(before, after),
  }),
  /** Addressed to the members it had: they are members no more once it commits. */
  deleted: (project: ProjectRecord, memberIds: readonly string[], options: WriteOptions): NewChange => ({
    projectId: project.id,
    type: 'project.deleted',
    entityId: project.id,
    version: project.version + 1,
    actorId: options.actorId,
    at: options.now,
    fields: [],
    recipients: memberIds,
  }),
};

/** Membership changes carry the project's members version; the entity is the member's user id. */
export const memberChange = {
  added: (projectId: string, userId: string, version: number, role: ProjectRole, options: WriteOptions): NewChange => ({
    projectId,
    type: 'member.added',
    entityId: userId,
    version,
    actorId: options.actorId,
    at: options.now,
    fields: [{ field: 'role', from: null, to: role }],
  }),
  updated: (
    projectId: string,
    userId: string,
    version: number,
    from: ProjectRole,
    to: ProjectRole,
    options: WriteOptions,
  ): NewChange => ({
    projectId,
    type: 'member.updated',
    entityId: userId,
    version,
    actorId: options.actorId,
    at: options.now,
    fields: roleChange(from, to),
  }),
  /** Also addressed to the member removed, who no longer sees the project's changes. */
  removed: (projectId: string, userId: string, version: number, options: WriteOptions): NewChange => ({
    projectId,
    type: 'member.removed',
    entityId: userId,
    version,
    actorId: options.actorId,
    at: options.now,
    fields: [],
    recipients: [userId],
  }),
};

/** Cursor positions travel as decimal strings: opaque to clients, ordered by commit. */
export function encodeSeq(seq: number): string {
  return String(seq);
}

/** A position from a client, or null when it is not one this API hands out. */
export function parseSeq(value: string): number | null {
  if (!/^(0|[1-9]\d{0,15})$/.test(value)) return null;
  const seq = Number(value);
  return Number.isSafeInteger(seq) ? seq : null;
}
