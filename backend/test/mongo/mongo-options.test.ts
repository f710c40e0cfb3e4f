import mongoose, { mongo } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { createModels, missingIndexes, modelList, READ_TIME_LIMIT_MS } from '../../src/storage/mongo/mongo-models.js';
import { driverOptions, WRITE_CONCERN_TIMEOUT_MS } from '../../src/storage/mongo/mongo-storage.js';

// What the driver would use, without a server: MongoClient resolves the URI and the options passed
// in code when it is constructed, and mongoose runs query middleware before it touches the network.

/** The options the driver ends up with for this URI and Primo's code defaults. */
function resolved(uri: string): mongo.MongoOptions {
  return new mongo.MongoClient(uri, driverOptions(uri, 5)).options;
}

describe('MongoDB connection options', () => {
  it('when the URI names nothing, then writes wait for a majority with a time limit, retry once, and reads go to the primary', () => {
    const options = resolved('mongodb://db-1:27017,db-2:27017/primo?replicaSet=rs0');
    expect(options.retryWrites).toBe(true);
    expect(options.writeConcern?.w).toBe('majority');
    expect(options.writeConcern?.wtimeoutMS).toBe(WRITE_CONCERN_TIMEOUT_MS);
    expect(options.readPreference.mode).toBe('primary');
    expect(options.maxPoolSize).toBe(5);
  });

  it('when the URI sets retryWrites, w and readPreference, then the URI wins', () => {
    const options = resolved(
      'mongodb://db:27017/primo?tls=true&retryWrites=false&w=1&readPreference=secondaryPreferred',
    );
    expect(options.retryWrites).toBe(false);
    expect(options.writeConcern?.w).toBe(1);
    // What the URI does not name keeps the code default.
    expect(options.writeConcern?.wtimeoutMS).toBe(WRITE_CONCERN_TIMEOUT_MS);
    expect(options.readPreference.mode).toBe('secondaryPreferred');
  });

  it('when option names in the URI use another case, then they still win', () => {
    const options = resolved(
      'mongodb://db:27017/primo?RETRYWRITES=false&WTimeoutMS=1500&serverSelectionTimeoutMS=9000',
    );
    expect(options.retryWrites).toBe(false);
    expect(options.writeConcern?.wtimeoutMS).toBe(1500);
    expect(options.serverSelectionTimeoutMS).toBe(9000);
  });
});

describe('MongoDB read time limits', () => {
  // A connection to a closed port with nothing buffered: each query fails after its middleware ran,
  // before anything is sent.
  const connection = mongoose.createConnection('mongodb://127.0.0.1:9/primo', {
    bufferCommands: false,
    serverSelectionTimeoutMS: 100,
  });
  connection.asPromise().catch(() => undefined);
  const models = createModels(connection);
  afterAll(() => connection.close());

  it('when a model reads, then the command carries maxTimeMS unless the caller set one', async () => {
    const queries = [
      models.tasks.find({}),
      models.tasks.findOne({}),
      models.users.findOne({ email: 'a@example.test' }),
      models.refreshTokens.findOneAndUpdate({ hash: 'h' }, { $set: { usedAt: new Date() } }),
      models.tasks.countDocuments({}),
    ];
    for (const query of queries) {
      await query.exec().catch(() => undefined);
      expect(query.getOptions().maxTimeMS).toBe(READ_TIME_LIMIT_MS);
    }
    const own = models.tasks.find({}).maxTimeMS(50);
    await own.exec().catch(() => undefined);
    expect(own.getOptions().maxTimeMS).toBe(50);
  });

  it('when a model reads inside a transaction, then no maxTimeMS is set (the transaction as a whole is bounded)', async () => {
    const client = new mongo.MongoClient('mongodb://127.0.0.1:9/primo');
    const session = client.startSession();
    try {
      session.startTransaction();
      const inside = models.memberships.findOne({}, null, { session });
      await inside.exec().catch(() => undefined);
      expect(inside.getOptions().maxTimeMS).toBeUndefined();
      const aggregate = models.memberships.aggregate([{ $match: {} }]).session(session);
      await aggregate.exec().catch(() => undefined);
      expect(aggregate.options.maxTimeMS).toBeUndefined();
      await session.abortTransaction();
      const after = models.memberships.findOne({}, null, { session });
      await after.exec().catch(() => undefined);
      expect(after.getOptions().maxTimeMS).toBe(READ_TIME_LIMIT_MS);
    } finally {
      await session.endSession();
      await client.close();
    }
  });

  it('when a model aggregates, then the pipeline carries maxTimeMS', async () => {
    const aggregate = models.tasks.aggregate([{ $match: {} }]);
    await aggregate.exec().catch(() => undefined);
    expect(aggregate.options.maxTimeMS).toBe(READ_TIME_LIMIT_MS);
  });
});

describe('MongoDB required indexes', () => {
  const connection = mongoose.createConnection();
  const models = createModels(connection);
  afterAll(() => connection.close());

  /** Makes each model's listIndexes answer as a database holding `present(model)` would. */
  function stubIndexes(present: (schema: mongoose.Schema) => Record<string, unknown>[]): void {
    for (const model of Object.values(models)) {
      Object.assign(model, {
        listIndexes: async () => [{ name: '_id_', key: { _id: 1 }, v: 2 }, ...present(model.schema)],
      });
    }
  }

  it('when the database is empty, then every declared index is missing, by collection and name', async () => {
    stubIndexes(() => []);
    const missing = await missingIndexes(modelList(models));
    expect(missing).toEqual(
      expect.arrayContaining([
        'users.email_unique',
        'tasks.project_createdAt_desc__id_desc',
        'tasks.assignee_project_createdAt_desc__id_desc',
        'memberships.project_user_unique',
        'memberships.user_project_role',
        'invitations.tokenHash_unique',
        'invitations.project_email_pending_unique',
        'refresh_tokens.expiresAt_ttl',
      ]),
    );
    expect(missing).toContain('tasks.project_searchKeys');
    const declared = modelList(models).reduce(
      (n, model) => n + (model as unknown as mongoose.Model<unknown>).schema.indexes().length,
      0,
    );
    expect(missing).toHaveLength(declared);
  });

  it('when an index exists with another partial filter than declared, then it counts as missing (a hint to it would be refused)', async () => {
    stubIndexes((schema) =>
      schema.indexes().map(([key, options]) => {
        const { name, ...rest } = options as { name: string } & Record<string, unknown>;
        return rest.partialFilterExpression === undefined
          ? { v: 2, key, name, ...rest }
          : { v: 2, key, name, ...rest, partialFilterExpression: { other: true } };
      }),
    );
    const missing = await missingIndexes(modelList(models));
    expect(missing).toContain('tasks.assignee_project_createdAt_desc__id_desc');
    expect(missing).toContain('invitations.project_email_pending_unique');
    expect(missing).not.toContain('tasks.project_createdAt_desc__id_desc');
  });

  it('when every declared index exists, then nothing is missing', async () => {
    stubIndexes((schema) =>
      schema.indexes().map(([key, options]) => {
        const { name, ...rest } = options as { name: string } & Record<string, unknown>;
        const textKeys = Object.entries(key).filter(([, kind]) => kind === 'text');
        if (textKeys.length === 0) return { v: 2, key, name, ...rest };
        // The server stores a text index as _fts/_ftsx keys with the weights of each field.
        const plainKeys = Object.fromEntries(Object.entries(key).filter(([, kind]) => kind !== 'text'));
        const weights = Object.fromEntries(textKeys.map(([field]) => [field, 1]));
        return { v: 2, key: { ...plainKeys, _fts: 'text', _ftsx: 1 }, name, weights, textIndexVersion: 3, ...rest };
      }),
    );
    expect(await missingIndexes(modelList(models))).toEqual([]);
  });
});
