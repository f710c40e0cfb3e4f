import { Types, type Model } from 'mongoose';
import type { OneTimeTokenRepository } from '../../auth/one-time-tokens.repository.js';
import { isObjectId } from '../../domain/ids.js';
import type { OneTimeTokenDoc } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';
import { op } from './task-query.mongo.js';

/** The one-time-token port over `one_time_tokens` (by hash; TTL index on `expiresAt`). */
export function createMongoOneTimeTokenRepository(
  tokens: Model<OneTimeTokenDoc>,
  run: StoreRunner,
): OneTimeTokenRepository {
  return {
    async create(token) {
      await run(() =>
        tokens.create({
          _id: token.hash,
          user: new Types.ObjectId(token.userId),
          purpose: token.purpose,
          createdAt: token.createdAt,
          expiresAt: token.expiresAt,
          usedAt: null,
        }),
      );
    },

    async consume(hash, purpose, now) {
      return run(async () => {
        // One conditional write: of two concurrent calls only one can still see usedAt null.
        const spent = await tokens
          .findOneAndUpdate(
            { _id: hash, purpose, usedAt: null, expiresAt: op({ $gt: now }) },
            { $set: { usedAt: now } },
            { new: true, projection: { user: 1 } },
          )
          .lean<Pick<OneTimeTokenDoc, 'user'>>();
        return spent === null ? null : spent.user.toHexString();
      });
    },

    async spendAll(userId, purpose, now) {
      if (!isObjectId(userId)) return;
      await run(() =>
        tokens.updateMany({ user: new Types.ObjectId(userId), purpose, usedAt: null }, { $set: { usedAt: now } }),
      );
    },

    async purgeExpired(now) {
      return run(async () => (await tokens.deleteMany({ expiresAt: op({ $lt: now }) })).deletedCount);
    },
  };
}
