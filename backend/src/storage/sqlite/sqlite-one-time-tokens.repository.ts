import type Database from 'better-sqlite3';
import type { NewOneTimeToken, OneTimePurpose, OneTimeTokenRepository } from '../../auth/one-time-tokens.repository.js';
import type { StoreRunner } from './sqlite-errors.js';

interface Params {
  hash: string;
  purpose: OneTimePurpose;
  now: number;
}

/** The one-time-token port over `one_time_tokens`. */
export function createSqliteOneTimeTokenRepository(db: Database.Database, run: StoreRunner): OneTimeTokenRepository {
  const insert = db.prepare<[Record<string, string | number>]>(
    `INSERT INTO one_time_tokens (hash, user_id, purpose, created_at, expires_at, used_at)
     VALUES (@hash, @user_id, @purpose, @created_at, @expires_at, NULL)`,
  );
  // One conditional write: of two concurrent calls only the first still finds used_at null.
  const consume = db.prepare<[Params], { user_id: string }>(
    `UPDATE one_time_tokens SET used_at = @now
     WHERE hash = @hash AND purpose = @purpose AND used_at IS NULL AND expires_at > @now
     RETURNING user_id`,
  );
  const spendAll = db.prepare<[{ userId: string; purpose: OneTimePurpose; now: number }]>(
    `UPDATE one_time_tokens SET used_at = @now WHERE user_id = @userId AND purpose = @purpose AND used_at IS NULL`,
  );
  const purge = db.prepare<[number]>('DELETE FROM one_time_tokens WHERE expires_at < ?');

  return {
    async create(token: NewOneTimeToken) {
      await run(() =>
        insert.run({
          hash: token.hash,
          user_id: token.userId,
          purpose: token.purpose,
          created_at: token.createdAt.getTime(),
          expires_at: token.expiresAt.getTime(),
        }),
      );
    },
    async consume(hash, purpose, now) {
      return run(() => consume.get({ hash, purpose, now: now.getTime() })?.user_id ?? null);
    },
    async spendAll(userId, purpose, now) {
      await run(() => spendAll.run({ userId, purpose, now: now.getTime() }));
    },
    async purgeExpired(now) {
      return run(() => purge.run(now.getTime()).changes);
    },
  };
}
