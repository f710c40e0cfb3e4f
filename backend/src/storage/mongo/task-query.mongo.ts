import mongoose, { Types } from 'mongoose';
import { searchWords, titleSortKey } from '../../tasks/task.model.js';
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
  /** The index to use; for a search, the search index (the page is then sorted in memory, bounded by the matches). */
  hint: SortDocument | null;
}

/** Name of the `{ user, searchKeys }` multikey index that narrows a search (`q`) to candidates. */
export const SEARCH_INDEX_NAME = 'user_searchKeys';

/** Index keys are the word prefixes of at most this many characters (code points). */
export const SEARCH_KEY_LENGTH = 3;

/** At most this many index keys per task; a task with more is indexed under OVERFLOW_KEY alone. */
export const SEARCH_KEYS_MAX = 600;

/** The one key of a task whose words have more distinct short prefixes than SEARCH_KEYS_MAX. */
export const OVERFLOW_KEY = '*';

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
 * How a task is found by its words. `searchKeys` (indexed with `user`) holds the short prefixes of
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
    hint: search === null ? plan.index : SEARCH_INDEX,
  };
}

/** The search index as a hint document. */
export const SEARCH_INDEX: SortDocument = { user: 1, searchKeys: 1 };

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
