/**
 * Idempotent writes as the domain knows them. A request that carries an `Idempotency-Key` first
 * claims the key (a unique record per user and key); the write it runs then records its response
 * in the write's own transaction, so a write commits exactly when its answer is kept. A retry finds
 * either the kept answer (a replay), the claim still held (409), or, when the first attempt died
 * before committing, a claim whose lease ran out, which it takes over.
 */
import { Conflict } from '../domain/errors.js';

/** What is kept of a response: enough to send it again byte for byte where it matters. */
export interface StoredResponse {
  status: number;
  /** `ETag`, `Location` and `Content-Type`, when the response had them. */
  headers: Record<string, string>;
  /** The JSON body, or null for a response without one (204). */
  body: unknown;
}

/** A claim held by one attempt: `token` tells it apart from a later attempt that took the key over. */
export interface IdempotencyClaim {
  userId: string;
  key: string;
  token: string;
}

/** What a write is given so that it records its answer in its own transaction. */
export interface IdempotentWrite<T> {
  claim: IdempotencyClaim;
  /** The response to keep, built from what the write produced (the task, the project, or nothing). */
  respond(result: T): StoredResponse;
}

export type ClaimOutcome =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  /** Another attempt holds the key and its lease has not run out. */
  | { kind: 'in_flight'; retryAfterMs: number }
  /** The key answered a different request. */
  | { kind: 'mismatch' }
  | { kind: 'replay'; response: StoredResponse };

export interface ClaimRequest {
  userId: string;
  key: string;
  /** A digest of the method, path and body: the same key with another fingerprint is a misuse. */
  fingerprint: string;
  now: Date;
  /** How long the claim holds before a retry may take the key over (the first attempt is presumed dead). */
  leaseMs: number;
}

/** How long a kept response answers retries. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Thrown inside a write's transaction when its claim was taken over by a later attempt (its lease
 * ran out while it ran): the write rolls back, and the attempt that holds the key does the work.
 */
export class ClaimLost extends Conflict {
  override name = 'ClaimLost';
  constructor() {
    super(
      'idempotency-key-in-use',
      'A retry with the same Idempotency-Key took this request over; its answer is the one kept.',
    );
  }
}
