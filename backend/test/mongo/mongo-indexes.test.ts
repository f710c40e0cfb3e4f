import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { backfillSearchFields, migrateToProjects, migrationStep } from '../../src/storage/mongo/mongo-migrations.js';
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
    it('when a production instance starts on a database without indexes, then it is not ready and answers 503 until db:indexes ran (and moved the old tasks into projects)', async () => {
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
        const list = storage.tasks.list([OTHER], {
          filter: {},
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 10,
        });
        await expect(list).rejects.toBeInstanceOf(StoreUnavailableError);

        const indexing = await openIndexConnection(target.uri);
        try {
          // A user and a task stored before projects (the task keyed by `user`) and before word-prefix
          // search (without its search fields): the db:indexes steps, in its order, move and fill them.
          await indexing.models.users.collection.insertOne({
            _id: new Types.ObjectId(USER),
            email: 'legacy@example.test',
            name: 'Legacy',
            passwordHash: 'h',
            createdAt: new Date(),
          });
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
          // The previous version's per-user indexes: syncIndexes drops them (no schema declares them now).
          await indexing.models.tasks.collection.createIndex(
            { user: 1, createdAt: -1, _id: -1 },
            { name: 'user_createdAt_desc__id_desc' },
          );
          await indexing.models.tasks.collection.createIndex({ user: 1, searchKeys: 1 }, { name: 'user_searchKeys' });
          // Before the roll: the new indexes are built, the old ones stay for the instances still running.
          const lines: string[] = [];
          await migrationStep(indexing.models, 'before-roll', (line) => lines.push(line));
          const names = async () =>
            (await indexing.models.tasks.collection.listIndexes().toArray()).map((index) => index.name);
          expect(await names()).toEqual(
            expect.arrayContaining([
              'user_createdAt_desc__id_desc',
              'user_searchKeys',
              'assignee_project_createdAt_desc__id_desc',
            ]),
          );
          expect(lines).toContain(
            'projects: 1 personal project(s) and 1 owner membership(s) created; 1 task(s) moved into projects',
          );
          expect(lines).toContain('tasks: 1 task(s) given search fields');
          // …and a board position at the end of its column (the index walk is checked in mongo-explain).
          expect(lines).toContain('tasks: 1 task(s) given a board position');
          // The moved task keeps the field the previous version reads.
          expect(await indexing.models.tasks.collection.countDocuments({ user: new Types.ObjectId(USER) })).toBe(1);
          expect(await migrateToProjects(indexing.models)).toEqual({
            personalProjects: 0,
            ownerMemberships: 0,
            tasks: 0,
          });
          expect(await backfillSearchFields(indexing.models.tasks)).toBe(0);
        } finally {
          await indexing.close();
        }
        // The instance looks again at most every few seconds.
        await expect.poll(() => storage.readiness(), { timeout: 15_000, interval: 500 }).toBe('up');
        await expect(
          storage.tasks.list([OTHER], {
            filter: {},
            sort: { field: 'createdAt', direction: 'desc' },
            limit: 10,
          }),
        ).resolves.toEqual({ items: [], next: null });
        const found = await storage.tasks.list([USER], {
          filter: { q: 'quart rep' },
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 10,
        });
        expect(found.items.map((task) => task.title)).toEqual(['Legacy quarterly report']);
        expect(found.items[0]).toMatchObject({ projectId: USER, createdBy: USER, assigneeId: null });

        // After the roll: the previous version's indexes and owner field go; the instance stays ready.
        const finishing = await openIndexConnection(target.uri);
        try {
          await migrationStep(finishing.models, 'after-roll', () => undefined);
          const names = (await finishing.models.tasks.collection.listIndexes().toArray()).map((index) => index.name);
          expect(names).not.toContain('user_createdAt_desc__id_desc');
          expect(names).not.toContain('user_searchKeys');
          expect(await finishing.models.tasks.collection.countDocuments({ user: { $exists: true } })).toBe(0);
        } finally {
          await finishing.close();
        }
        expect(await storage.readiness()).toBe('up');
        expect(await storage.projects.findForMember(USER, USER)).toMatchObject({
          name: 'Inbox',
          personal: true,
          role: 'owner',
          memberCount: 1,
        });
      } finally {
        await storage.close();
        await target.release();
      }
    }, 60_000);
  },
);
