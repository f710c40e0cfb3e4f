import type { QueryClient } from '@tanstack/react-query';
import { createAsyncStoragePersister } from '@tanstack/query-async-storage-persister';
import { persistQueryClient } from '@tanstack/query-persist-client-core';
import { del, get, set } from 'idb-keyval';
import { closableStore } from './idb-store';

/** One IndexedDB database for what the app keeps offline; the service worker deletes it on sign-out. */
const OFFLINE_DATABASE = 'primo-offline';
/** What was seen is shown offline for a week at most; older data is dropped rather than trusted. */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Bumped when saving must stop: a save of an earlier generation is dropped, never written. */
let generation = 0;

/** Signed out meanwhile: whatever the page would still save for that person is dropped. */
const queriesStore = closableStore(OFFLINE_DATABASE, 'queries', () => (generation += 1));

/**
 * Keeps the person's query cache (projects, lists, tasks, stats) in IndexedDB under their own key and
 * restores it into `client`: offline, the screens show what was last seen; online, anything the page
 * fetched since is newer and stays. A new build's cache starts empty (its shapes may differ).
 * Returns the function that stops saving (a save already waiting for its throttle is dropped too).
 */
export function persistQueries(client: QueryClient, userId: string, build: string): () => void {
  // A browser without IndexedDB (some private modes) keeps nothing; the app works online as before.
  if (typeof indexedDB === 'undefined') return () => undefined;
  generation += 1;
  const mine = generation;
  const saving = () => mine === generation;
  const persister = createAsyncStoragePersister({
    storage: {
      getItem: (key) => get<string>(key, queriesStore()).then((value) => value ?? null),
      setItem: (key, value) => (saving() ? set(key, value, queriesStore()) : Promise.resolve()),
      removeItem: (key) => (saving() ? del(key, queriesStore()) : Promise.resolve()),
    },
    key: `queries:${userId}`,
    throttleTime: 1000,
  });
  const [unsubscribe] = persistQueryClient({ queryClient: client, persister, maxAge: MAX_AGE_MS, buster: build });
  return () => {
    if (saving()) generation += 1;
    unsubscribe();
  };
}
