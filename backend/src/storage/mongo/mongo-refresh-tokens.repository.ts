import { Types, type Model } from 'mongoose';
import type { RefreshTokenRecord, RefreshTokenRepository } from '../../auth/refresh-tokens.repository.js';
import { type ConsumeOutcome, refusalOf } from '../../auth/refresh-tokens.repository.js';
import type { RefreshTokenDoc } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';
import { op } from './task-query.mongo.js';

function toToken(doc: RefreshTokenDoc): RefreshTokenRecord {
  return {
    hash: doc.hash,
    userId: doc.user.toHexString(),
    familyId: doc.familyId,
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
    usedAt: doc.usedAt ?? null,
    revokedAt: doc.revokedAt ?? null,
  };
}

/** The refresh-token port over `refresh_tokens` (unique `hash`, TTL index on `expiresAt`). */
export function createMongoRefreshTokenRepository(
  tokens: Model<RefreshTokenDoc>,
  run: StoreRunner,
): RefreshTokenRepository {
  return {
    async create(token) {
      await run(() =>
        tokens.create({
          hash: token.hash,
          user: new Types.ObjectId(token.userId),
          familyId: token.familyId,
          createdAt: token.createdAt,
          expiresAt: token.expiresAt,
          usedAt: null,
          revokedAt: null,
        }),
      );
    },

    async consume(hash, now) {
      return run(async (): Promise<ConsumeOutcome> => {
        // One conditional write: of two concurrent calls only one can still see usedAt null.
        const consumed = await tokens
          .findOneAndUpdate(
            { hash, usedAt: null, revokedAt: null, expiresAt: op({ $gt: now }) },
            { $set: { usedAt: now } },
            { new: true },
          )
          .lean<RefreshTokenDoc>();
        if (consumed !== null) return { kind: 'consumed', token: toToken(consumed) };
        const doc = await tokens.findOne({ hash }).lean<RefreshTokenDoc>();
        return doc === null ? { kind: 'unknown' } : refusalOf(toToken(doc));
      });
    },

    async revokeFamily(familyId, now) {
      await run(() => tokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } }));
    },

    async revokeAllForUser(userId, now) {
      await run(() =>
        tokens.updateMany({ user: new Types.ObjectId(userId), revokedAt: null }, { $set: { revokedAt: now } }),
      );
    },

    async purgeExpired(now) {
      return run(async () => (await tokens.deleteMany({ expiresAt: op({ $lt: now }) })).deletedCount);
    },
  };
}
