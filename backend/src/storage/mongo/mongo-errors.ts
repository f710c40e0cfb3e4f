import mongoose, { mongo } from 'mongoose';
import { StoreUnavailableError } from '../../domain/errors.js';

/**
 * Server error codes that mean "no primary can take this right now" (elections, step-downs,
 * shutdowns, network trouble between members), all of which pass once the set recovers.
 */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  64, // WriteConcernFailed (majority not reached in time)
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const UNAVAILABLE_CLASSES = [
  mongo.MongoServerSelectionError,
  mongo.MongoNetworkError,
  mongo.MongoNotConnectedError,
  mongo.MongoTopologyClosedError,
  mongo.MongoServerClosedError,
  mongo.MongoOperationTimeoutError,
];

/** True when the error says MongoDB (or its primary) cannot be reached now, rather than that the request is wrong. */
export function isMongoUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (UNAVAILABLE_CLASSES.some((errorClass) => error instanceof errorClass)) return true;
  // Mongoose wraps a failed initial server selection in its own error class.
  if (error instanceof mongoose.Error && error.name === 'MongooseServerSelectionError') return true;
  if (error instanceof mongo.MongoError) {
    if (typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code)) return true;
    if (error.hasErrorLabel(mongo.MongoErrorLabel.RetryableWriteError)) return true;
  }
  return false;
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof mongo.MongoServerError && error.code === 11000;
}

export function isCastError(error: unknown): boolean {
  return error instanceof mongoose.Error.CastError;
}

/** The error to throw for a failed store call: StoreUnavailableError (503) for outages, the error itself otherwise. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isMongoUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`MongoDB is unavailable: ${reason}`, undefined, { cause: error });
}
