import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Storage } from './storage.js';

/** The one place that picks the store: MongoDB when MONGODB_URI is set, else the SQLite file in DATA_DIR. */
export async function openStorage(config: Config, logger: Logger): Promise<Storage> {
  if (config.mongo.uri !== undefined) {
    const { openMongoStorage } = await import('./mongo/mongo-storage.js');
    return openMongoStorage({
      uri: config.mongo.uri,
      poolSize: config.mongo.poolSize,
      logger,
      autoIndex: config.env !== 'production',
    });
  }
  const { openSqliteStorage } = await import('./sqlite/sqlite-storage.js');
  return openSqliteStorage({ file: path.join(config.dataDir, 'primo.db'), logger });
}
