import mongoose, { Types } from 'mongoose';
import { searchWords, titleSortKey } from '../../tasks/task-query.js';
import type { TaskCursor, TaskListQuery, TaskSort } from '../../tasks/tasks.repository.js';
import type { TaskSortField } from '../../tasks/tasks.schemas.js';

/*
 * Translation of a validated list query into one MongoDB find: filter, sort, limit and the index
 * that serves it. Pure (no I/O), so every case is unit-tested without a server.
 *
 * Every operator object is built here and marked with `mongoose.trusted`, because the connection
 * runs with `sanitizeFilter`: anything not marked that looks like an operator is wrapped in `$eq`,
 * so a value can never turn into query syntax on its way in.
 */

export type IndexDirection = 1 | -1;
export type SortDocument = Record<string, IndexDirection>;
export type FilterDocument = Record<string, unknown>;

/** How one list sort reads the tasks collection: the stored key, its order and the id tie-break. */
export interface SortPlan {
  /** The stored field the sort orders by (a derived one where the raw field cannot sort right). */
  field: string;
  keyDirection: IndexDirection;
  idDirection: IndexDirection;
  /** The compound index `{ user, field, _id }` that yields exactly this order. */
  index: SortDocument;
  /** The cursor's key (see TaskCursor) as the value stored in `field`. */
  storedKey(key: TaskCursor['key']): unknown;
}

export interface MongoTaskFind {
  filter: FilterDocument;
  sort: SortDocument;
  /** One more than the page size, so the adapter can tell whether another page follows. */
  limit: number;
  /** The index to use; null for a text search, which always runs on the text index. */
  hint: SortDocument | null;
}

/** Name of the compound text index; `$text` queries must match `user` by equality to use it. */
export const TEXT_INDEX_NAME = 'user_text';

/** Words longer than this are indexed and searched by their first PREFIX_MAX characters. */
export const PREFIX_MAX = 40;

const NO_DUE_DATE = Number.POSITIVE_INFINITY;

const sortIndex = (field: string, keyDirection: IndexDirection, idDirection: IndexDirection): SortDocument => ({
  user: 1,
  [field]: keyDirection,
  _id: idDirection,
});

const dateKey = (key: TaskCursor['key']): Date => new Date(expectNumber(key));

function expectNumber(key: TaskCursor['key']): number {
  if (typeof key !== 'number') throw new RangeError(`cursor key ${JSON.stringify(key)} is not a number`);
  return key;
}

/**
 * The sort key of a title as stored in `titleKey`: the lower-cased title with every UTF-16 code unit
 * at or above U+D800 moved up by 0x800. MongoDB compares strings by their UTF-8 bytes (code point
 * order) while compareTasks uses JavaScript's code-unit order; the two differ only where surrogates
 * meet U+E000–U+FFFF, and this shift makes code point order equal code-unit order (the result holds
 * no surrogates, so it is always valid UTF-8).
 */
export function titleKeyOf(sortKey: string): string {
  let out = '';
  for (let i = 0; i < sortKey.length; i += 1) {
    const unit = sortKey.charCodeAt(i);
    out += unit < 0xd800 ? sortKey.charAt(i) : String.fromCodePoint(unit + 0x800);
  }
  return out;
}

/**
 * The two stored due-date sort keys. Ascending order reads `dueAsc` upwards and descending order
 * reads `dueDesc` upwards (the negated date); a task without a due date holds +Infinity in both,
 * so it comes last in either direction while each order is one plain index range.
 */
export function dueKeysOf(dueDate: Date | null): { dueAsc: number; dueDesc: number } {
  if (dueDate === null) return { dueAsc: NO_DUE_DATE, dueDesc: NO_DUE_DATE };
  const ms = dueDate.getTime();
  return { dueAsc: ms, dueDesc: ms === 0 ? 0 : -ms };
}

const SORT_PLANS: Record<TaskSortField, (direction: IndexDirection) => SortPlan> = {
  createdAt: (direction) => ({
    field: 'createdAt',
    keyDirection: direction,
    idDirection: direction,
    index: sortIndex('createdAt', -1, -1),
    storedKey: dateKey,
  }),
  updatedAt: (direction) => ({
    field: 'updatedAt',
    keyDirection: direction,
    idDirection: direction,
    index: sortIndex('updatedAt', -1, -1),
    storedKey: dateKey,
  }),
  priority: (direction) => ({
    field: 'priorityRank',
    keyDirection: direction,
    idDirection: direction,
    index: sortIndex('priorityRank', -1, -1),
    storedKey: expectNumber,
  }),
  title: (direction) => ({
    field: 'titleKey',
    keyDirection: direction,
    idDirection: direction,
    index: sortIndex('titleKey', 1, 1),
    storedKey: (key) => {
      if (typeof key !== 'string') throw new RangeError(`cursor key ${JSON.stringify(key)} is not a title`);
      return titleKeyOf(key);
    },
  }),
  dueDate: (direction) =>
    direction === 1
      ? {
          field: 'dueAsc',
          keyDirection: 1,
          idDirection: 1,
          index: sortIndex('dueAsc', 1, 1),
          storedKey: (key) => (key === null ? NO_DUE_DATE : expectNumber(key)),
        }
      : {
          field: 'dueDesc',
          keyDirection: 1,
          idDirection: -1,
          index: sortIndex('dueDesc', 1, -1),
          storedKey: (key) => (key === null ? NO_DUE_DATE : dueKeysOf(new Date(expectNumber(key))).dueDesc),
        },
};

export function sortPlanOf(sort: TaskSort): SortPlan {
  return SORT_PLANS[sort.field](sort.direction === 'asc' ? 1 : -1);
}

/** Every index a list sort needs, one per sort field (each serves both directions by scanning it backwards). */
export const SORT_INDEXES: readonly SortDocument[] = [
  sortPlanOf({ field: 'createdAt', direction: 'desc' }).index,
  sortPlanOf({ field: 'updatedAt', direction: 'desc' }).index,
  sortPlanOf({ field: 'priority', direction: 'desc' }).index,
  sortPlanOf({ field: 'title', direction: 'asc' }).index,
  sortPlanOf({ field: 'dueDate', direction: 'asc' }).index,
  sortPlanOf({ field: 'dueDate', direction: 'desc' }).index,
];

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * What the text index holds for one text field: each lower-cased word and all of its prefixes
 * (up to PREFIX_MAX characters), space-separated, so that `$text` matches a searched word as a
 * word prefix exactly as the embedded store's FTS5 prefix queries do.
 */
export function searchTermsOf(text: string): string {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().match(WORD) ?? []) {
    const chars = Array.from(word).slice(0, PREFIX_MAX);
    let prefix = '';
    for (const char of chars) {
      prefix += char;
      terms.add(prefix);
    }
  }
  return [...terms].join(' ');
}

/**
 * The `$search` string for the words of `q`: each word quoted as a phrase, so every one must match
 * (unquoted terms would be OR-ed); null when `q` holds no word. Only letters and digits reach it.
 */
export function textSearchOf(q: string): string | null {
  const words = searchWords(q).map((word) => Array.from(word).slice(0, PREFIX_MAX).join(''));
  return words.length === 0 ? null : words.map((word) => `"${word}"`).join(' ');
}

// `mongoose.trusted` exists at run time but is missing from mongoose's type declarations.
const { trusted } = mongoose as unknown as { trusted: <T extends object>(value: T) => T };

/** Marks an operator object built here as safe for `sanitizeFilter`. */
export function op<T extends object>(operator: T): T {
  return trusted(operator);
}

/**
 * The find for one page of a user's tasks, or null when the query cannot match any task
 * (a search text without a word). `userId` must be an ObjectId string.
 */
export function toMongoFind(userId: string, query: TaskListQuery): MongoTaskFind | null {
  const { filter, sort, limit, after } = query;
  const plan = sortPlanOf(sort);
  const find: FilterDocument = { user: new Types.ObjectId(userId) };
  if (filter.status !== undefined) find.status = op({ $in: [...filter.status] });
  if (filter.priority !== undefined) find.priority = op({ $in: [...filter.priority] });
  if (filter.tag !== undefined) find.tags = filter.tag;
  if (filter.dueBefore !== undefined || filter.dueAfter !== undefined) {
    const range: { $gte?: Date; $lte?: Date } = {};
    if (filter.dueAfter !== undefined) range.$gte = filter.dueAfter;
    if (filter.dueBefore !== undefined) range.$lte = filter.dueBefore;
    find.dueDate = op(range);
  }
  let search: string | null = null;
  if (filter.q !== undefined) {
    search = textSearchOf(filter.q);
    if (search === null) return null;
    find.$text = op({ $search: search });
  }
  if (after !== undefined) Object.assign(find, keysetAfter(plan, after));
  return {
    filter: find,
    sort: { [plan.field]: plan.keyDirection, _id: plan.idDirection },
    limit: limit + 1,
    hint: search === null ? plan.index : null,
  };
}

/**
 * Conditions for "strictly after the cursor in sort order": a range on the key that the index
 * bounds can use, plus an `$or` that drops the cursor's own key for ids not beyond the cursor's.
 */
export function keysetAfter(plan: SortPlan, cursor: TaskCursor): FilterDocument {
  const key = plan.storedKey(cursor.key);
  const id = new Types.ObjectId(cursor.id);
  const ascending = plan.keyDirection === 1;
  return {
    [plan.field]: op(ascending ? { $gte: key } : { $lte: key }),
    $or: [
      { [plan.field]: op(ascending ? { $gt: key } : { $lt: key }) },
      { _id: op(plan.idDirection === 1 ? { $gt: id } : { $lt: id }) },
    ],
  };
}

/** The title's stored sort key. */
export function titleKeyOfTitle(title: string): string {
  return titleKeyOf(titleSortKey(title));
}
