import mongoose, { Types } from 'mongoose';
import { isObjectId } from '../../domain/ids.js';
import { columnRange } from '../../tasks/board-order.js';
import { searchWords, titleSortKey, type TaskStatus } from '../../tasks/task.model.js';
import type { TaskCursor, TaskListQuery, TaskSort } from '../../tasks/tasks.repository.js';
import type { TaskSortField } from '../../tasks/task.model.js';

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
  /** The compound index `{ project, field, _id }` that yields exactly this order within one project. */
  index: SortDocument;
  /** The same order among one user's assigned tasks: `{ assignee, project, field, _id }` (partial, see ASSIGNED). */
  assigneeIndex: SortDocument;
  /** The cursor's key (see TaskCursor) as the value stored in `field`. */
  storedKey(key: TaskCursor['key']): unknown;
}

export interface MongoTaskFind {
  filter: FilterDocument;
  sort: SortDocument;
  /** One more than the page size, so the adapter can tell whether another page follows. */
  limit: number;
  /** The index to use; for a search, the search index (the page is then sorted in memory, bounded by the matches). */
  hint: SortDocument | null;
}

/** Name of the `{ project, searchKeys }` multikey index that narrows a search (`q`) to candidates. */
export const SEARCH_INDEX_NAME = 'project_searchKeys';

/**
 * At most this many projects go into one find. Over several projects the planner keeps the index
 * order by scanning one range per project and merging them (SORT_MERGE, "explode for sort"), but
 * only while the number of ranges is at most `internalQueryMaxScansToExplode` (200 by default);
 * past that it sorts every match in memory. Lists over more projects run one find per batch and
 * merge the pages here.
 */
export const PROJECTS_PER_FIND = 200;

/** The smallest ObjectId: every ObjectId is at least this, and no other type compares to it. */
const MIN_OBJECT_ID = new Types.ObjectId('000000000000000000000000');

/**
 * The partial filter of the assignee indexes: tasks whose `assignee` is an ObjectId (unassigned
 * ones, `null`, stay out). A comparison rather than `$type`, because Amazon DocumentDB 5.0 accepts
 * only `$eq`, `$exists`, `$and` and comparisons in a partial filter. Every query that hints an
 * assignee index repeats this condition: MongoDB uses (and lets one hint) a partial index only when
 * the query implies its filter, and DocumentDB only when the query contains it.
 */
export const ASSIGNED = { $gte: MIN_OBJECT_ID } as const;

/** Index keys are the word prefixes of at most this many characters (code points). */
export const SEARCH_KEY_LENGTH = 3;

/** At most this many index keys per task; a task with more is indexed under OVERFLOW_KEY alone. */
export const SEARCH_KEYS_MAX = 600;

/** The one key of a task whose words have more distinct short prefixes than SEARCH_KEYS_MAX. */
export const OVERFLOW_KEY = '*';

const NO_DUE_DATE = Number.POSITIVE_INFINITY;

const sortIndex = (field: string, keyDirection: IndexDirection, idDirection: IndexDirection): SortDocument => ({
  project: 1,
  [field]: keyDirection,
  _id: idDirection,
});

/** An index of SORT_INDEXES with `assignee` in front (the assignee filter's equality comes first). */
const assigneeIndexOf = (index: SortDocument): SortDocument => ({ assignee: 1, ...index });

function planOf(
  field: string,
  keyDirection: IndexDirection,
  idDirection: IndexDirection,
  indexKeyDirection: IndexDirection,
  indexIdDirection: IndexDirection,
  storedKey: SortPlan['storedKey'],
): SortPlan {
  const index = sortIndex(field, indexKeyDirection, indexIdDirection);
  return { field, keyDirection, idDirection, index, assigneeIndex: assigneeIndexOf(index), storedKey };
}

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
  createdAt: (direction) => planOf('createdAt', direction, direction, -1, -1, dateKey),
  updatedAt: (direction) => planOf('updatedAt', direction, direction, -1, -1, dateKey),
  priority: (direction) => planOf('priorityRank', direction, direction, -1, -1, expectNumber),
  title: (direction) =>
    planOf('titleKey', direction, direction, 1, 1, (key) => {
      if (typeof key !== 'string') throw new RangeError(`cursor key ${JSON.stringify(key)} is not a title`);
      return titleKeyOf(key);
    }),
  position: (direction) =>
    planOf('boardKey', direction, direction, 1, 1, (key) => {
      if (typeof key !== 'string') throw new RangeError(`cursor key ${JSON.stringify(key)} is not a board key`);
      return key;
    }),
  dueDate: (direction) =>
    direction === 1
      ? planOf('dueAsc', 1, 1, 1, 1, (key) => (key === null ? NO_DUE_DATE : expectNumber(key)))
      : planOf('dueDesc', 1, -1, 1, -1, (key) =>
          key === null ? NO_DUE_DATE : dueKeysOf(new Date(expectNumber(key))).dueDesc,
        ),
};

export function sortPlanOf(sort: TaskSort): SortPlan {
  return SORT_PLANS[sort.field](sort.direction === 'asc' ? 1 : -1);
}

const INDEXED_SORTS: readonly TaskSort[] = [
  { field: 'createdAt', direction: 'desc' },
  { field: 'updatedAt', direction: 'desc' },
  { field: 'priority', direction: 'desc' },
  { field: 'title', direction: 'asc' },
  { field: 'dueDate', direction: 'asc' },
  { field: 'dueDate', direction: 'desc' },
  { field: 'position', direction: 'asc' },
];

/** Every index a list sort needs, one per sort field (each serves both directions by scanning it backwards). */
export const SORT_INDEXES: readonly SortDocument[] = INDEXED_SORTS.map((sort) => sortPlanOf(sort).index);

/** The same orders among the tasks assigned to someone (declared partial on ASSIGNED). */
export const ASSIGNEE_SORT_INDEXES: readonly SortDocument[] = INDEXED_SORTS.map(
  (sort) => sortPlanOf(sort).assigneeIndex,
);

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

/**
 * A word as search compares it: lower-cased and without diacritics (é → e, ü → u), as the embedded
 * store's FTS5 tokenizer (`unicode61 remove_diacritics 2`) folds both the text and the query.
 */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(MARKS, '').toLowerCase().normalize('NFC');
}

/** The distinct folded words of a text, in order of first appearance. */
export function searchWordsOf(text: string): string[] {
  const words = new Set<string>();
  for (const word of text.match(WORD) ?? []) {
    const folded = foldWord(word);
    if (folded !== '') words.add(folded);
  }
  return [...words];
}

/** The index keys of some words: every prefix of up to SEARCH_KEY_LENGTH characters. */
export function searchKeysOfWords(words: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const word of words) {
    const chars = Array.from(word).slice(0, SEARCH_KEY_LENGTH);
    let prefix = '';
    for (const char of chars) {
      prefix += char;
      keys.add(prefix);
    }
  }
  return [...keys];
}

/** A task's index keys from its title's and description's keys, bounded by SEARCH_KEYS_MAX. */
export function boundedSearchKeys(titleKeys: readonly string[], descriptionKeys: readonly string[]): string[] {
  const keys = [...new Set([...titleKeys, ...descriptionKeys])];
  return keys.length > SEARCH_KEYS_MAX ? [OVERFLOW_KEY] : keys;
}

/** The stored search fields of a task with this title and description. */
export function searchFieldsOf(title: string, description: string): SearchFields {
  const titleWords = searchWordsOf(title);
  const descriptionWords = searchWordsOf(description);
  const titleKeys = searchKeysOfWords(titleWords);
  const descriptionKeys = searchKeysOfWords(descriptionWords);
  return {
    titleWords,
    descriptionWords,
    titleKeys,
    descriptionKeys,
    searchKeys: boundedSearchKeys(titleKeys, descriptionKeys),
  };
}

/**
 * How a task is found by its words. `searchKeys` (indexed with `project`) holds the short prefixes of
 * every word, so an index lookup narrows a search to the tasks holding every searched word's first
 * characters; the full words then decide exactly. Title and description keep their own words and
 * keys so that an update of one can rebuild `searchKeys` from the stored other one.
 */
export interface SearchFields {
  titleWords: string[];
  descriptionWords: string[];
  titleKeys: string[];
  descriptionKeys: string[];
  searchKeys: string[];
}

/**
 * The filter for the words of `q`, or null when `q` holds no word: every word must be a prefix of a
 * word of the title or the description (as the embedded store's `"word"*` FTS5 queries). Each word's
 * key is a plain `$in` on the indexed `searchKeys` (its key, or the overflow key), so the index bounds
 * come from one of them and the rest, and the exact word checks, filter the fetched candidates.
 */
export function searchFilterOf(q: string): FilterDocument | null {
  const words = [
    ...new Set(
      searchWords(q)
        .map(foldWord)
        .filter((word) => word !== ''),
    ),
  ];
  if (words.length === 0) return null;
  const keys = [...new Set(words.map((word) => Array.from(word).slice(0, SEARCH_KEY_LENGTH).join('')))];
  return {
    $and: [
      ...keys.map((key) => ({ searchKeys: op({ $in: [key, OVERFLOW_KEY] }) })),
      ...words.map((word) => {
        // Only letters and digits reach here, but the pattern stays literal whatever the input.
        const pattern = `^${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        return { $or: [{ titleWords: op({ $regex: pattern }) }, { descriptionWords: op({ $regex: pattern }) }] };
      }),
    ],
  };
}

// `mongoose.trusted` exists at run time but is missing from mongoose's type declarations.
const { trusted } = mongoose as unknown as { trusted: <T extends object>(value: T) => T };

/** Marks an operator object built here as safe for `sanitizeFilter`. */
export function op<T extends object>(operator: T): T {
  return trusted(operator);
}

/**
 * The project ids a list reads, in batches of at most PROJECTS_PER_FIND: distinct, well-formed
 * (a malformed id names no project) and sorted, so the same set always gives the same finds.
 */
export function projectBatches(projectIds: readonly string[]): string[][] {
  const ids = [...new Set(projectIds.filter(isObjectId))].sort();
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += PROJECTS_PER_FIND) {
    batches.push(ids.slice(start, start + PROJECTS_PER_FIND));
  }
  return batches;
}

/** The condition on `project` for some well-formed project ids: equality for one, `$in` for several. */
export function projectCondition(projectIds: readonly string[]): unknown {
  const ids = projectIds.map((id) => new Types.ObjectId(id));
  return ids.length === 1 ? ids[0] : op({ $in: ids });
}

/** The condition on `assignee` for TaskFilter.assignee: that user's tasks (as the partial indexes need it) or unassigned ones. */
export function assigneeCondition(assignee: string | null): unknown {
  return assignee === null ? null : op({ $eq: new Types.ObjectId(assignee), ...ASSIGNED });
}

/**
 * The find for one page of the tasks of some projects (one batch of projectBatches), or null when
 * the query cannot match any task: no project, a search text without a word, or an assignee id
 * that is not an ObjectId.
 */
export function toMongoFind(projectIds: readonly string[], query: TaskListQuery): MongoTaskFind | null {
  const { filter, sort, limit, after } = query;
  if (projectIds.length > PROJECTS_PER_FIND) {
    throw new RangeError(`one find reads at most ${PROJECTS_PER_FIND} projects, not ${projectIds.length}`);
  }
  if (projectIds.length === 0 || !projectIds.every(isObjectId)) return null;
  if (typeof filter.assignee === 'string' && !isObjectId(filter.assignee)) return null;
  const plan = sortPlanOf(sort);
  const find: FilterDocument = { project: projectCondition(projectIds) };
  if (filter.assignee !== undefined) find.assignee = assigneeCondition(filter.assignee);
  if (filter.status !== undefined) find.status = op({ $in: [...filter.status] });
  if (filter.priority !== undefined) find.priority = op({ $in: [...filter.priority] });
  if (filter.tag !== undefined) find.tags = filter.tag;
  if (filter.dueBefore !== undefined || filter.dueAfter !== undefined) {
    const range: { $gte?: Date; $lte?: Date } = {};
    if (filter.dueAfter !== undefined) range.$gte = filter.dueAfter;
    if (filter.dueBefore !== undefined) range.$lte = filter.dueBefore;
    find.dueDate = op(range);
  }
  let search: FilterDocument | null = null;
  if (filter.q !== undefined) {
    search = searchFilterOf(filter.q);
    if (search === null) return null;
  }
  if (search !== null) Object.assign(find, search);
  if (after !== undefined) Object.assign(find, keysetAfter(plan, after));
  return {
    filter: find,
    sort: { [plan.field]: plan.keyDirection, _id: plan.idDirection },
    limit: limit + 1,
    hint: search !== null ? SEARCH_INDEX : typeof filter.assignee === 'string' ? plan.assigneeIndex : plan.index,
  };
}

/** The search index as a hint document. */
export const SEARCH_INDEX: SortDocument = { project: 1, searchKeys: 1 };

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

/** The board sort's index `{ project, boardKey, _id }`, which every neighbour lookup of a move walks (one step each). */
export const BOARD_INDEX: SortDocument = sortPlanOf({ field: 'position', direction: 'asc' }).index;

/** One column's range of board keys in a project (see columnRange), leaving out `exclude` (the moved task). */
export function boardColumnFilter(projectId: string, status: TaskStatus, exclude?: Types.ObjectId): FilterDocument {
  const { from, to } = columnRange(status);
  return {
    project: new Types.ObjectId(projectId),
    boardKey: op({ $gte: from, $lt: to }),
    ...(exclude === undefined ? {} : { _id: op({ $ne: exclude }) }),
  };
}

/**
 * The tasks of a column strictly after (`direction` 1) or before (-1) `from` in board order (key, then
 * id), leaving out `exclude`: a range on the key the index bounds use, and the id tie-break as in keysetAfter.
 */
export function boardStepFilter(
  projectId: string,
  status: TaskStatus,
  from: { boardKey: string; _id: Types.ObjectId },
  direction: 1 | -1,
  exclude: Types.ObjectId,
): FilterDocument {
  const { from: low, to: high } = columnRange(status);
  const beyond = direction === 1 ? '$gt' : '$lt';
  return {
    project: new Types.ObjectId(projectId),
    boardKey: op(direction === 1 ? { $gte: from.boardKey, $lt: high } : { $lte: from.boardKey, $gte: low }),
    $and: [
      { _id: op({ $ne: exclude }) },
      { $or: [{ boardKey: op({ [beyond]: from.boardKey }) }, { _id: op({ [beyond]: from._id }) }] },
    ],
  };
}

/** The title's stored sort key. */
export function titleKeyOfTitle(title: string): string {
  return titleKeyOf(titleSortKey(title));
}
