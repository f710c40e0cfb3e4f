import { randomUUID } from 'node:crypto';
import type { ClientSession, Model } from 'mongoose';
import {
  ClaimLost,
  IDEMPOTENCY_RETENTION_MS,
  type ClaimOutcome,
  type ClaimRequest,
  type IdempotencyClaim,
  type IdempotentWrite,
  type StoredResponse,
} from '../../idempotency/idempotency.model.js';
import type { IdempotencyRepository } from '../../idempotency/idempotency.repository.js';
import { isDuplicateKey } from './mongo-errors.js';
import type { IdempotencyDoc, MongoModels } from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';

/** A user id is 24 hex digits, so `<userId>:<key>` names one key of one user whatever the key holds. */
const idOf = (userId: string, key: string) => `${userId}:${key}`;

/** Claims race only with each other; a claim that keeps losing is reported as in flight. */
const CLAIM_ATTEMPTS = 3;

/**
 * Keeps a write's response for its claim inside the write's transaction (`session`), so the
 * response commits exactly when the write does. A claim taken over by a later attempt throws
 * ClaimLost, which aborts the transaction. A takeover that races the transaction is a write conflict
 * on this document: the driver runs the transaction again, which then finds the claim lost.
 */
export async function recordMongoResponse<T>(
  models: Pick<MongoModels, 'idempotencyKeys'>,
  write: IdempotentWrite<T> | undefined,
  result: T,
  session: ClientSession,
): Promise<void> {
  if (write === undefined) return;
  const { claim } = write;
  const response = JSON.stringify(write.respond(result));
  const { matchedCount } = await models.idempotencyKeys.updateOne(
    { _id: idOf(claim.userId, claim.key), token: claim.token, state: 'pending' },
    { $set: { state: 'done', response } },
    { session },
  );
  if (matchedCount === 0) throw new ClaimLost();
}

async function claimOnce(keys: Model<IdempotencyDoc>, request: ClaimRequest): Promise<ClaimOutcome | null> {
  const _id = idOf(request.userId, request.key);
  const now = request.now;
  const token = randomUUID();
  const leaseUntil = new Date(now.getTime() + request.leaseMs);
  const claimed: ClaimOutcome = { kind: 'claimed', claim: { userId: request.userId, key: request.key, token } };
  const fresh = {
    fingerprint: request.fingerprint,
    token,
    state: 'pending' as const,
    leaseUntil,
    createdAt: now,
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_RETENTION_MS),
  };
  try {
    await keys.create([{ _id, ...fresh }]);
    return claimed;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const found = await keys.findById(_id).lean<IdempotencyDoc>();
  if (found === null) return null; // deleted meanwhile: insert again
  if (found.expiresAt.getTime() <= now.getTime()) {
    // Past its retention but not yet removed by the TTL monitor: a new request may use the key.
    const replaced = await keys.replaceOne({ _id, token: found.token, expiresAt: found.expiresAt }, fresh);
    return replaced.modifiedCount === 1 ? claimed : null;
  }
  if (found.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
  if (found.state === 'done' && found.response !== undefined) {
    return { kind: 'replay', response: JSON.parse(found.response) as StoredResponse };
  }
  const remaining = found.leaseUntil.getTime() - now.getTime();
  if (remaining > 0) return { kind: 'in_flight', retryAfterMs: remaining };
  // The attempt that held the key is gone without committing (it would have completed the claim).
  const taken = await keys.updateOne({ _id, token: found.token, state: 'pending' }, { $set: { token, leaseUntil } });
  return taken.modifiedCount === 1 ? claimed : null;
}

export function createMongoIdempotencyRepository(models: MongoModels, run: StoreRunner): IdempotencyRepository {
  const keys = models.idempotencyKeys;
  const mine = (claim: IdempotencyClaim) => ({
    _id: idOf(claim.userId, claim.key),
    token: claim.token,
    state: 'pending' as const,
  });
  return {
    async claim(request) {
      return run(async () => {
        for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
          const outcome = await claimOnce(keys, request);
          if (outcome !== null) return outcome;
        }
        return { kind: 'in_flight', retryAfterMs: 1000 };
      });
    },
    async settle(claim, response) {
      await run(() => keys.updateOne(mine(claim), { $set: { state: 'done', response: JSON.stringify(response) } }));
    },
    async release(claim) {
      await run(() => keys.deleteOne(mine(claim)));
    },
    async prune(now) {
      const { deletedCount } = await run(() => keys.deleteMany({ expiresAt: { $lte: now } }));
      return deletedCount;
    },
  };
}
