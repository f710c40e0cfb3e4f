import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { MongoMemoryReplSet } from 'mongodb-memory-server-core';
import mongoose from 'mongoose';
import { vi } from 'vitest';

/** A MongoDB the suite may use: a database of its own, dropped (or the server stopped) by `release`. */
export interface MongoTarget {
  uri: string;
  source: string;
  release: () => Promise<void>;
}

const MEMORY_SERVER_TIMEOUT_MS = 10_000;

/** A loopback port that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The URI with its database path replaced, keeping hosts and options (which may name several hosts). */
export function withDatabase(uri: string, database: string): string {
  const schemeEnd = uri.indexOf('://') + 3;
  const queryStart = uri.indexOf('?', schemeEnd);
  const beforeQuery = queryStart === -1 ? uri : uri.slice(0, queryStart);
  const query = queryStart === -1 ? '' : uri.slice(queryStart);
  const pathStart = beforeQuery.indexOf('/', schemeEnd);
  const hosts = pathStart === -1 ? beforeQuery : beforeQuery.slice(0, pathStart);
  return `${hosts}/${database}${query}`;
}

async function dropDatabase(uri: string): Promise<void> {
  const connection = await mongoose.createConnection().openUri(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}

async function startMemoryReplSet(): Promise<MongoMemoryReplSet> {
  // The library prints its own multi-line warnings on failure; the suite reports one line instead.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      MongoMemoryReplSet.create({ replSet: { count: 1 } }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`it did not start within ${MEMORY_SERVER_TIMEOUT_MS / 1000} s`)),
          MEMORY_SERVER_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    warn.mockRestore();
  }
}

/**
 * Finds a MongoDB for the suite: MONGODB_URI (a fresh database on it), else a one-member
 * mongodb-memory-server replica set when its binary can be had; otherwise says why not.
 */
export async function findMongo(): Promise<MongoTarget | { skipped: string }> {
  const database = `primo_test_${randomBytes(6).toString('hex')}`;
  const configured = process.env.MONGODB_URI?.trim();
  if (configured) {
    const uri = withDatabase(configured, database);
    return { uri, source: 'MONGODB_URI', release: () => dropDatabase(uri) };
  }
  try {
    const replSet = await startMemoryReplSet();
    return {
      uri: withDatabase(replSet.getUri(), database),
      source: 'mongodb-memory-server',
      release: async () => {
        await replSet.stop();
      },
    };
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
    return { skipped: `MONGODB_URI is not set and mongodb-memory-server could not start (${reason})` };
  }
}
