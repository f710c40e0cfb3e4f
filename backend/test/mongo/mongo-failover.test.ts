import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/observability/logger.js';
import { openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { findMongo } from './mongo-target.js';

// A step-down disturbs every other suite using the same replica set, so this drill runs on its own:
// CI runs it in a step of its own with MONGODB_FAILOVER=1 after the backend suites.
const wanted = process.env.MONGODB_FAILOVER === '1';
const target = wanted ? await findMongo() : { skipped: 'set MONGODB_FAILOVER=1 to run it alone against a replica set' };
const skipped = 'skipped' in target ? target.skipped : null;

describe.skipIf(skipped !== null)(
  skipped === null
    ? 'MongoDB replica-set failover'
    : `MongoDB replica-set failover (skipped here, runs in GitHub Actions: ${skipped})`,
  () => {
    it('when the primary steps down, then requests answer 503 (StoreUnavailableError) at once and succeed again once a primary is elected', async () => {
      if ('skipped' in target) return;
      const storage = await openMongoStorage({
        uri: target.uri,
        poolSize: 5,
        logger: createLogger({ level: 'silent', json: true }),
        autoIndex: true,
      });
      const admin = await mongoose.createConnection().openUri(target.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        const email = () => `failover-${Date.now()}-${Math.random()}@example.test`;
        const create = () => storage.users.create({ email: email(), name: 'F', passwordHash: 'h' }, new Date());
        expect(await create()).not.toBeNull();

        // A step-down closes the connections of the old primary; with one member the set is without a
        // primary until the step-down period ends and the member is elected again.
        await admin
          .getClient()
          .db('admin')
          .command({ replSetStepDown: 5, secondaryCatchUpPeriodSecs: 0, force: true })
          .catch(() => undefined);

        const during = Date.now();
        const outcome = await create().then(
          () => 'written',
          (error: unknown) => error,
        );
        // Either the write was retried onto the re-elected primary or it failed as unavailable, fast.
        if (outcome !== 'written') expect(outcome).toBeInstanceOf(StoreUnavailableError);
        expect(Date.now() - during).toBeLessThan(10_000);

        await expect
          .poll(
            async () =>
              create().then(
                () => 'written',
                (error: unknown) => (error instanceof StoreUnavailableError ? 'unavailable' : String(error)),
              ),
            { timeout: 45_000, interval: 1000 },
          )
          .toBe('written');
        expect(await storage.readiness()).toBe('up');
      } finally {
        await admin.close();
        await storage.close();
        await target.release();
      }
    }, 90_000);
  },
);
