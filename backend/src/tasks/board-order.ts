import { randomInt } from 'node:crypto';
import { BASE_62_DIGITS, generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import { COLUMN_DIGIT, type TaskStatus } from './task.model.js';

/*
 * Board order (the key format is in task.model.ts, which the web app shares). A task's `position` is a fractional-indexing key (base 62, compared as plain strings):
 * a key between any two keys always exists, so a move rewrites only the moved task. Both stores sort
 * a project's board by the *board key*, the status column's digit followed by the position, so one
 * index `(project, boardKey, id)` yields a whole board column by column and each column is one range.
 * Ties (equal keys) are broken by id, as for every sort.
 */

/** Keys longer than this make the service rebalance the column in the background. */
export const POSITION_LENGTH_BOUND = 32;

/** Random characters appended to a key made outside a serialising transaction (see keyBetween). */
export const JITTER_LENGTH = 4;

/** The position held in a board key. */
export function positionOfBoardKey(boardKey: string): string {
  return boardKey.slice(1);
}

/** The range of board keys of one column: every key of `status` is `>= from` and `< to`. */
export function columnRange(status: TaskStatus): { from: string; to: string } {
  const digit = COLUMN_DIGIT[status];
  return { from: digit, to: String.fromCharCode(digit.charCodeAt(0) + 1) };
}

/**
 * A position strictly between `lower` and `upper` (null: open end), as short as fractional-indexing
 * makes it. With `jitter`, random characters follow it: two writers that read the same neighbours
 * without a transaction that serialises them (MongoDB) then almost surely write different keys, and
 * if they ever do not, the id still orders the two (and the next move between them re-keys the column).
 */
export function keyBetween(lower: string | null, upper: string | null, options: { jitter: boolean }): string {
  const key = generateKeyBetween(lower, upper);
  if (!options.jitter) return key;
  let base = key;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const candidate = base + randomSuffix();
    // Appending keeps a key above `base`; it stays below `upper` unless `upper` starts with `base`.
    if (upper === null || candidate < upper) return candidate;
    base = generateKeyBetween(base, upper);
  }
  return key;
}

/** Fresh, evenly spread positions for a column of `count` tasks, in order (what a rebalance writes). */
export function spreadPositions(count: number): string[] {
  return generateNKeysBetween(null, null, count);
}

/** `count` positions after `last` (null: an empty column), in order: for tasks appended to a column at once. */
export function positionsAfter(last: string | null, count: number): string[] {
  return generateNKeysBetween(last, null, count);
}

/**
 * The position of the row at `index` of a column as the migrations number existing tasks: `d`
 * then four base-62 digits, a valid fractional-indexing integer key (up to 62^4 tasks per column).
 */
export function migratedPosition(index: number): string {
  let digits = '';
  let rest = index;
  for (let place = 0; place < 4; place += 1) {
    digits = BASE_62_DIGITS.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  }
  return `d${digits}`;
}

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < JITTER_LENGTH - 1; i += 1) suffix += BASE_62_DIGITS.charAt(randomInt(62));
  // A fractional part must not end in the zero digit.
  return suffix + BASE_62_DIGITS.charAt(1 + randomInt(61));
}
