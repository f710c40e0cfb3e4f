import type { ClaimOutcome, ClaimRequest, IdempotencyClaim, StoredResponse } from './idempotency.model.js';

/**
 * Storage port for idempotency keys. `claim` is atomic across instances (a unique record per user and
 * key). Writes complete their own claim inside their transaction (see IdempotentWrite); `settle`
 * completes a claim whose request wrote nothing (an error answer), and `release` gives up one whose
 * request failed on the server, so a retry runs it again.
 */
export interface IdempotencyRepository {
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** Keeps `response` for the claim unless it is already complete or no longer this attempt's. */
  settle(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Drops the claim when it is still this attempt's and incomplete. */
  release(claim: IdempotencyClaim): Promise<void>;
  /** Deletes the records past their retention at `now`; returns how many. */
  prune(now: Date): Promise<number>;
}
