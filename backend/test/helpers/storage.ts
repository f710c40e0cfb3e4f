import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';

export interface TempSqliteStorage {
  storage: Storage;
  /** The temp directory holding the database file (`primo.db`). */
  dir: string;
  /** Closes the store and deletes the directory. */
  cleanup: () => Promise<void>;
}

/** A migrated SQLite store in a fresh temp directory, for tests that need real storage. */
export async function openTempSqliteStorage(options: { busyTimeoutMs?: number } = {}): Promise<TempSqliteStorage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'primo-sqlite-'));
  const storage = openSqliteStorage({ file: path.join(dir, 'primo.db'), ...options });
  return {
    storage,
    dir,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
