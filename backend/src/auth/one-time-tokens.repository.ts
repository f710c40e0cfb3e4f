/** What a single-use emailed link is for. */
export const ONE_TIME_PURPOSES = ['password-reset', 'email-verification'] as const;
export type OneTimePurpose = (typeof ONE_TIME_PURPOSES)[number];

export interface NewOneTimeToken {
  /** SHA-256 of the token sent; the token itself is never stored. */
  hash: string;
  userId: string;
  purpose: OneTimePurpose;
  createdAt: Date;
  expiresAt: Date;
}

/** Storage port for the tokens of password-reset and email-verification links. */
export interface OneTimeTokenRepository {
  create(token: NewOneTimeToken): Promise<void>;
  /**
   * Spends a live token of that purpose and answers its user; of two concurrent calls only one gets
   * it. Null when the token is unknown, spent, expired or meant for something else.
   */
  consume(hash: string, purpose: OneTimePurpose, now: Date): Promise<string | null>;
  /** Spends every live token of the user for the purpose (older links stop working). */
  spendAll(userId: string, purpose: OneTimePurpose, now: Date): Promise<void>;
  /** Deletes tokens that expired before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}
