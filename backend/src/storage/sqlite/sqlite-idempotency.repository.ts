import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
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
import type { StoreRunner } from './sqlite-errors.js';

interface KeyRow {
  fingerprint: string;
  token: string;
  state: 'pending' | 'done';
  lease_until: number;
  created_at: number;
  response: string | null;
}

type ClaimParams = { user: string; key: string; token: string };

/** Keeps a response for a claim that is still this attempt's and incomplete (changes 0 rows otherwise). */
const COMPLETE_CLAIM = `UPDATE idempotency_keys SET state = 'done', response = @response
  WHERE user_id = @user AND key = @key AND token = @token AND state = 'pending'`;

/**
 * Keeps a write's response for its claim; called by the writes inside their own transactions, so
 * the response commits exactly when the write does. A claim taken over by a later attempt throws
 * ClaimLost, which rolls the write back.
 */
export type ResponseRecorder = <T>(write: IdempotentWrite<T> | undefined, result: T) => void;

export function createResponseRecorder(db: Database.Database): ResponseRecorder {
  const complete = db.prepare<[ClaimParams & { response: string }]>(COMPLETE_CLAIM);
  return (write, result) => {
    if (write === undefined) return;
    const { claim } = write;
    const response = JSON.stringify(write.respond(result));
    if (complete.run({ user: claim.userId, key: claim.key, token: claim.token, response }).changes === 0) {
      throw new ClaimLost();
    }
  };
}

export function createSqliteIdempotencyRepository(db: Database.Database, run: StoreRunner): IdempotencyRepository {
  const find = db.prepare<[{ user: string; key: string }], KeyRow>(
    `SELECT fingerprint, token, state, lease_until, created_at, response FROM idempotency_keys
     WHERE user_id = @user AND key = @key`,
  );
  const put = db.prepare<[ClaimParams & { fingerprint: string; leaseUntil: number; now: number }]>(
    `INSERT OR REPLACE INTO idempotency_keys (user_id, key, fingerprint, token, state, lease_until, created_at, response)
     VALUES (@user, @key, @fingerprint, @token, 'pending', @leaseUntil, @now, NULL)`,
  );
  const takeOver = db.prepare<[ClaimParams & { leaseUntil: number }]>(
    `UPDATE idempotency_keys SET token = @token, lease_until = @leaseUntil WHERE user_id = @user AND key = @key`,
  );
  const settle = db.prepare<[ClaimParams & { response: string }]>(COMPLETE_CLAIM);
  const release = db.prepare<[ClaimParams]>(
    `DELETE FROM idempotency_keys WHERE user_id = @user AND key = @key AND token = @token AND state = 'pending'`,
  );
  const prune = db.prepare<[number]>('DELETE FROM idempotency_keys WHERE created_at <= ?');

  const claim = db.transaction((request: ClaimRequest): ClaimOutcome => {
    const now = request.now.getTime();
    const params = { user: request.userId, key: request.key, token: randomUUID() };
    const claimed: ClaimOutcome = {
      kind: 'claimed',
      claim: { userId: request.userId, key: request.key, token: params.token },
    };
    const row = find.get(params);
    if (row === undefined || row.created_at <= now - IDEMPOTENCY_RETENTION_MS) {
      put.run({ ...params, fingerprint: request.fingerprint, leaseUntil: now + request.leaseMs, now });
      return claimed;
    }
    if (row.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
    if (row.state === 'done' && row.response !== null) {
      return { kind: 'replay', response: JSON.parse(row.response) as StoredResponse };
    }
    if (row.lease_until > now) return { kind: 'in_flight', retryAfterMs: row.lease_until - now };
    // The attempt that held the key is gone without committing (it would have completed the claim).
    takeOver.run({ ...params, leaseUntil: now + request.leaseMs });
    return claimed;
  });

  const paramsOf = (c: IdempotencyClaim): ClaimParams => ({ user: c.userId, key: c.key, token: c.token });

  return {
    async claim(request) {
      return run(() => claim.immediate(request));
    },
    async settle(c, response) {
      await run(() => settle.run({ ...paramsOf(c), response: JSON.stringify(response) }));
    },
    async release(c) {
      await run(() => release.run(paramsOf(c)));
    },
    async prune(now) {
      return run(() => prune.run(now.getTime() - IDEMPOTENCY_RETENTION_MS).changes);
    },
  };
}
