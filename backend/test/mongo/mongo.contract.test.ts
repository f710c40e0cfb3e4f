import { describe } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { describeRepositoryContract } from '../contract/repository-contract.js';
import { findMongo } from './mongo-target.js';

const target = await findMongo();
const skipped = 'skipped' in target ? target.skipped : null;

describe.skipIf(skipped !== null)(
  skipped === null ? 'MongoDB contract' : `MongoDB contract (skipped: ${skipped})`,
  () => {
    describeRepositoryContract(`mongo via ${'source' in target ? target.source : 'none'}`, async () => {
      if ('skipped' in target) throw new Error(`MongoDB contract opened without a MongoDB: ${target.skipped}`);
      const storage = await openMongoStorage({
        uri: target.uri,
        poolSize: 10,
        logger: createLogger({ level: 'silent', json: true }),
        autoIndex: true,
      });
      if (!(await storage.ping())) throw new Error(`MongoDB at ${target.source} did not answer a ping`);
      return {
        storage,
        cleanup: async () => {
          await storage.close();
          await target.release();
        },
      };
    });
  },
);
