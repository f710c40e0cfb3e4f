import { externalStore } from './external-store';

/**
 * The tasks with changes saved on this device that have not reached the server yet (the offline
 * outbox fills this in once it has loaded). Lists mark them, so nobody mistakes them for synced.
 */
const pending = externalStore<ReadonlySet<string>>(new Set());

export const setPendingWrites = pending.set;
export const usePendingWrites = pending.use;

/** How many tasks have changes that have not reached the server yet. */
export const unsyncedCount = (): number => pending.get().size;

/** Ids of tasks created on this device and not on the server yet; the server's id replaces them. */
export const TEMPORARY_ID_PREFIX = 'tmp-';
