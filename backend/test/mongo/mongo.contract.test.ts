import { describe, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { describeRepositoryContract } from '../contract/repository-contract.js';
import { findMongo } from './mongo-target.js';

const target = await findMongo();

if ('skipped' in target) {
  console.log(`MongoDB suite skipped: ${target.skipped}`);
  describe.skipIf(true)(`repository contract (mongo): needs a MongoDB (${target.skipped})`, () => {
    it('runs against MongoDB', () => undefined);
  });
} else {
  describeRepositoryContract(`mongo via ${target.source}`, async () => {
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
}
