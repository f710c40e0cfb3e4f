import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { backfillSearchFields } from '../../src/storage/mongo/mongo-migrations.js';
import { modelList } from '../../src/storage/mongo/mongo-models.js';
import { openIndexConnection, openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { findMongo } from './mongo-target.js';

const USER = '65f0a0b0c0d0e0f001020304';
const OTHER = '65f0a0b0c0d0e0f0010203aa';
const target = await findMongo();
const skipped = 'skipped' in target ? target.skipped : null;

describe.skipIf(skipped !== null)(
  skipped === null
    ? 'MongoDB indexes in production'
    : `MongoDB indexes in production (skipped here, runs in GitHub Actions: ${skipped})`,
  () => {
    it('when a production instance starts on a database without indexes, then it is not ready and answers 503 until db:indexes ran', async () => {
      if ('skipped' in target) return;
      const storage = await openMongoStorage({
        uri: target.uri,
        poolSize: 5,
        logger: createLogger({ level: 'silent', json: true }),
        autoIndex: false,
      });
      try {
        expect(await storage.ping()).toBe(true);
        expect(await storage.readiness()).toBe('indexes missing');
        const list = storage.tasks.list(OTHER, {
          filter: {},
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 10,
        });
        await expect(list).rejects.toBeInstanceOf(StoreUnavailableError);

        const indexing = await openIndexConnection(target.uri);
        try {
          for (const model of modelList(indexing.models)) await model.syncIndexes();
          // A task stored before word-prefix search, without its search fields: the migration adds them.
          await indexing.models.tasks.collection.insertOne({
            user: new Types.ObjectId(USER),
            title: 'Legacy quarterly report',
            description: '',
            status: 'todo',
            priority: 'medium',
            dueDate: null,
            tags: [],
            createdAt: new Date(),
            updatedAt: new Date(),
            completedAt: null,
            version: 1,
            titleKey: 'legacy quarterly report',
            priorityRank: 1,
            dueAsc: Number.POSITIVE_INFINITY,
            dueDesc: Number.POSITIVE_INFINITY,
            titleTerms: 'l le leg',
            descriptionTerms: '',
          });
          expect(await backfillSearchFields(indexing.models.tasks)).toBe(1);
          expect(await backfillSearchFields(indexing.models.tasks)).toBe(0);
        } finally {
          await indexing.close();
        }
        // The instance looks again at most every few seconds.
        await expect.poll(() => storage.readiness(), { timeout: 15_000, interval: 500 }).toBe('up');
        await expect(
          storage.tasks.list(OTHER, {
            filter: {},
            sort: { field: 'createdAt', direction: 'desc' },
            limit: 10,
          }),
        ).resolves.toEqual({ items: [], next: null });
        const found = await storage.tasks.list(USER, {
          filter: { q: 'quart rep' },
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 10,
        });
        expect(found.items.map((task) => task.title)).toEqual(['Legacy quarterly report']);
      } finally {
        await storage.close();
        await target.release();
      }
    }, 60_000);
  },
);
