import type Database from 'better-sqlite3';
import type {
  NewRefreshToken,
  RefreshTokenRecord,
  RefreshTokenRepository,
} from '../../auth/refresh-tokens.repository.js';
import { type ConsumeOutcome, refusalOf } from '../../auth/refresh-tokens.repository.js';
import type { StoreRunner } from './sqlite-errors.js';

interface RefreshTokenRow {
  hash: string;
  user_id: string;
  family_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

const TOKEN_COLUMNS = 'hash, user_id, family_id, created_at, expires_at, used_at, revoked_at';

function toToken(row: RefreshTokenRow): RefreshTokenRecord {
  return {
    hash: row.hash,
    userId: row.user_id,
    familyId: row.family_id,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

/** The refresh-token port over the `refresh_tokens` table. */
export function createSqliteRefreshTokenRepository(db: Database.Database, run: StoreRunner): RefreshTokenRepository {
  const insert = db.prepare<[RefreshTokenRow]>(
    `INSERT INTO refresh_tokens (${TOKEN_COLUMNS})
     VALUES (@hash, @user_id, @family_id, @created_at, @expires_at, @used_at, @revoked_at)`,
  );
  const consumeLive = db.prepare<[{ hash: string; now: number }], RefreshTokenRow>(
    `UPDATE refresh_tokens SET used_at = @now
     WHERE hash = @hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now
     RETURNING ${TOKEN_COLUMNS}`,
  );
  const byHash = db.prepare<[string], RefreshTokenRow>(`SELECT ${TOKEN_COLUMNS} FROM refresh_tokens WHERE hash = ?`);
  const revokeFamily = db.prepare<[{ familyId: string; now: number }]>(
    'UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @familyId AND revoked_at IS NULL',
  );
  const revokeUser = db.prepare<[{ userId: string; now: number }]>(
    'UPDATE refresh_tokens SET revoked_at = @now WHERE user_id = @userId AND revoked_at IS NULL',
  );
  const purgeExpired = db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at < ?');

  return {
    async create(token: NewRefreshToken) {
      await run(() =>
        insert.run({
          hash: token.hash,
          user_id: token.userId,
          family_id: token.familyId,
          created_at: token.createdAt.getTime(),
          expires_at: token.expiresAt.getTime(),
          used_at: null,
          revoked_at: null,
        }),
      );
    },
    async consume(hash: string, now: Date) {
      return run((): ConsumeOutcome => {
        const consumed = consumeLive.get({ hash, now: now.getTime() });
        if (consumed !== undefined) return { kind: 'consumed', token: toToken(consumed) };
        const row = byHash.get(hash);
        return row === undefined ? { kind: 'unknown' } : refusalOf(toToken(row));
      });
    },
    async revokeFamily(familyId: string, now: Date) {
      await run(() => revokeFamily.run({ familyId, now: now.getTime() }));
    },
    async revokeAllForUser(userId: string, now: Date) {
      await run(() => revokeUser.run({ userId, now: now.getTime() }));
    },
    async purgeExpired(now: Date) {
      return run(() => purgeExpired.run(now.getTime()).changes);
    },
  };
}
