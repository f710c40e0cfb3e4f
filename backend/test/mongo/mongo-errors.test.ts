import mongoose, { mongo } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isCastError, isDuplicateKey, isMongoUnavailable, toStoreError } from '../../src/storage/mongo/mongo-errors.js';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import { closedPort } from './mongo-target.js';

const serverError = (code: number, codeName: string) =>
  new mongo.MongoServerError({ ok: 0, code, codeName, errmsg: `${codeName} happened` });

describe('MongoDB error mapping', () => {
  it('when the driver cannot select a server or loses the network, then the error maps to StoreUnavailableError', async () => {
    const port = await closedPort();
    // A real server-selection failure: the driver against a loopback port nothing listens on.
    const client = new mongo.MongoClient(`mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=200`);
    const selection = await client.connect().then(
      () => null,
      (error: unknown) => error,
    );
    await client.close();
    expect(selection).toBeInstanceOf(mongo.MongoServerSelectionError);
    const outages = [
      selection,
      new mongo.MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'),
      new mongo.MongoNetworkTimeoutError('connection timed out'),
      new mongo.MongoNotConnectedError('client must be connected'),
      new mongo.MongoTopologyClosedError(),
    ];
    for (const outage of outages) {
      const mapped = toStoreError(outage);
      expect(mapped, String(outage)).toBeInstanceOf(StoreUnavailableError);
      expect((mapped as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
      expect((mapped as StoreUnavailableError).cause).toBe(outage);
    }
  });

  it('when the server answers that it is not (or no longer) the primary, then the error maps to StoreUnavailableError', () => {
    for (const [code, name] of [
      [10107, 'NotWritablePrimary'],
      [13435, 'NotPrimaryNoSecondaryOk'],
      [11602, 'InterruptedDueToReplStateChange'],
      [189, 'PrimarySteppedDown'],
      [91, 'ShutdownInProgress'],
    ] as const) {
      expect(toStoreError(serverError(code, name)), name).toBeInstanceOf(StoreUnavailableError);
    }
    const labelled = serverError(262, 'ExceededTimeLimit');
    labelled.addErrorLabel(mongo.MongoErrorLabel.RetryableWriteError);
    expect(isMongoUnavailable(labelled)).toBe(true);
  });

  it('when the request itself is wrong, then the error is passed on unchanged', () => {
    const duplicate = serverError(11000, 'DuplicateKey');
    const badQuery = serverError(2, 'BadValue');
    const cast = new mongoose.Error.CastError('ObjectId', 'nope', '_id');
    for (const error of [duplicate, badQuery, cast, new TypeError('bug')]) {
      expect(toStoreError(error)).toBe(error);
    }
    expect(isDuplicateKey(duplicate)).toBe(true);
    expect(isDuplicateKey(badQuery)).toBe(false);
    expect(isCastError(cast)).toBe(true);
    expect(isCastError(duplicate)).toBe(false);
  });
});
