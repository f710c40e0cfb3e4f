import { Types } from 'mongoose';
import {
  projectNameKey,
  type MemberRecord,
  type NewProject,
  type ProjectCursor,
  type ProjectRecord,
} from '../../projects/project.model.js';
import type { ProjectDoc } from './mongo-models.js';
import { op, titleKeyOf, type FilterDocument, type SortDocument } from './task-query.mongo.js';

/*
 * Translation of project reads into MongoDB documents. Pure (no I/O), so every case is unit-tested
 * without a server; operator objects are marked trusted for `sanitizeFilter` as in task-query.mongo.ts.
 */

/**
 * The stored sort key of a project name: lower-cased as projectNameKey, then shifted as titleKeyOf
 * so that MongoDB's byte order of strings is compareProjects' code-unit order.
 */
export function nameKeyOf(name: string): string {
  return titleKeyOf(projectNameKey(name));
}

/** The list order of a user's projects: personal first (true sorts after false), then the name key, ties by id. */
export const PROJECT_LIST_SORT: SortDocument = { personal: -1, nameKey: 1, _id: 1 };

/**
 * Conditions for "strictly after the cursor" in PROJECT_LIST_SORT order: a later name in the same
 * group (personal or not), the same name with a greater id, or (after a personal project) any
 * shared one.
 */
export function projectsAfter(cursor: ProjectCursor): FilterDocument {
  const key = titleKeyOf(cursor.nameKey);
  const sameGroup = [
    { personal: cursor.personal, nameKey: op({ $gt: key }) },
    { personal: cursor.personal, nameKey: key, _id: op({ $gt: new Types.ObjectId(cursor.id) }) },
  ];
  return { $or: cursor.personal ? [{ personal: false }, ...sameGroup] : sameGroup };
}

/** The find of one page of projects among a member's project ids (one more than the page, as for tasks). */
export function projectListFind(
  projectIds: readonly Types.ObjectId[],
  options: { limit: number; after?: ProjectCursor },
): { filter: FilterDocument; sort: SortDocument; limit: number } {
  const filter: FilterDocument = { _id: op({ $in: [...projectIds] }) };
  if (options.after !== undefined) Object.assign(filter, projectsAfter(options.after));
  return { filter, sort: PROJECT_LIST_SORT, limit: options.limit + 1 };
}

export function toProjectRecord(doc: ProjectDoc): ProjectRecord {
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    description: doc.description,
    color: doc.color ?? null,
    personal: doc.personal,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    version: doc.version,
  };
}

/** The stored document of a new project (version 1, no membership change yet). */
export function newProjectDoc(id: string, input: NewProject, personal: boolean, now: Date): ProjectDoc {
  return {
    _id: new Types.ObjectId(id),
    name: input.name,
    nameKey: nameKeyOf(input.name),
    description: input.description,
    color: input.color,
    personal,
    createdAt: now,
    updatedAt: now,
    version: 1,
    membersVersion: 0,
  };
}

/** The `$set` of a project update: the changed fields (the name with its key) and the time. */
export function projectUpdateSet(changes: Partial<NewProject>, now: Date): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: now };
  if (changes.name !== undefined) {
    set.name = changes.name;
    set.nameKey = nameKeyOf(changes.name);
  }
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.color !== undefined) set.color = changes.color;
  return set;
}

/** Members in the order the port promises: owners first, then by name (case-insensitive), ties by user id. */
export function compareMembers(a: MemberRecord, b: MemberRecord): number {
  if ((a.role === 'owner') !== (b.role === 'owner')) return a.role === 'owner' ? -1 : 1;
  const na = a.user.name.toLowerCase();
  const nb = b.user.name.toLowerCase();
  if (na !== nb) return na < nb ? -1 : 1;
  return a.user.id < b.user.id ? -1 : a.user.id > b.user.id ? 1 : 0;
}
