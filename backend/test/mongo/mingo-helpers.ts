import { Types } from 'mongoose';

/**
 * Replaces ObjectIds by their hex strings, deeply. The in-memory MongoDB query engine (mingo) used
 * by the unit tests compares plain values; fixed-length lower-case hex sorts exactly as ObjectId bytes.
 */
export function plain(value: unknown): unknown {
  if (value instanceof Types.ObjectId) return value.toHexString();
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
}

export function plainObject(value: object): Record<string, unknown> {
  return plain(value) as Record<string, unknown>;
}
