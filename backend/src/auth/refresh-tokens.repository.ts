export interface RefreshTokenRecord {
  /** SHA-256 of the opaque token; the token itself is never stored. */
  hash: string;
  userId: string;
  /** Every token rotated from one login shares its family. */
  familyId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export type NewRefreshToken = Pick<RefreshTokenRecord, 'hash' | 'userId' | 'familyId' | 'createdAt' | 'expiresAt'>;

export type ConsumeOutcome =
  | { kind: 'consumed'; token: RefreshTokenRecord }
  | { kind: 'reused'; token: RefreshTokenRecord }
  | { kind: 'revoked'; token: RefreshTokenRecord }
  | { kind: 'expired'; token: RefreshTokenRecord }
  | { kind: 'unknown' };

/** Storage port for refresh tokens. */
export interface RefreshTokenRepository {
  create(token: NewRefreshToken): Promise<void>;
  /**
   * Atomically marks a live token used and returns it as `consumed`; of two concurrent
   * calls with the same hash exactly one sees `consumed`, the other `reused`.
   */
  consume(hash: string, now: Date): Promise<ConsumeOutcome>;
  /** Revokes every token of the family that is not revoked yet. */
  revokeFamily(familyId: string, now: Date): Promise<void>;
  /** Revokes every token of the user that is not revoked yet: every session ends. */
  revokeAllForUser(userId: string, now: Date): Promise<void>;
  /** Deletes tokens that expired before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

/**
 * Why a token that could not be consumed was refused. Revocation wins over reuse (the family is
 * already dead), and reuse wins over expiry (a spent token presented again is a theft signal).
 * Adapters call this so every store classifies the same way.
 */
export function refusalOf(token: RefreshTokenRecord): ConsumeOutcome {
  if (token.revokedAt !== null) return { kind: 'revoked', token };
  if (token.usedAt !== null) return { kind: 'reused', token };
  return { kind: 'expired', token };
}
