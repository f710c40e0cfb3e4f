import { createStore, type UseStore } from 'idb-keyval';

/**
 * An IndexedDB store opened on first use that lets go when its database is deleted. Signing out makes
 * the service worker delete every `primo-*` database, which asks open connections to close: this one
 * closes, `onClosed` runs (whoever writes here stops writing for the person who left), and the next
 * use opens the database afresh.
 */
export function closableStore(database: string, name: string, onClosed: () => void): () => UseStore {
  let store: UseStore | undefined;
  return () => {
    if (store) return store;
    const opened = createStore(database, name);
    void opened('readonly', (objectStore) => {
      const connection = objectStore.transaction.db;
      connection.onversionchange = () => {
        connection.close();
        if (store === opened) store = undefined;
        onClosed();
      };
    });
    return (store = opened);
  };
}
