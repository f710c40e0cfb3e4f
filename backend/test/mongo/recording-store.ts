import { aggregate, find as mingoFind, updateOne as mingoUpdateOne } from 'mingo';
import mongoose, { mongo, Types } from 'mongoose';
import { createModels, type MongoModels } from '../../src/storage/mongo/mongo-models.js';
import type { StoreRunner } from '../../src/storage/mongo/mongo-tasks.repository.js';
import type { Transact } from '../../src/storage/mongo/mongo-transaction.js';
import { plain, plainObject } from './mingo-helpers.js';

/*
 * What mongoose sends to the driver, without a server. Mongoose's collection wrapper calls
 * `collection[method](...args)` on the driver's Collection with the filter, update and options it
 * built (cast, sanitized, with session, hint and maxTimeMS); the models here get a stand-in for that
 * Collection which records each call and answers it from documents held in memory, evaluated by
 * mingo. A hint must name an index the schema declares (and, for a partial index, the filter must
 * repeat its partial filter, as the queries do on purpose); declared unique indexes are enforced;
 * a transaction's writes are undone when it aborts or throws.
 */

export interface SentCall {
  collection: string;
  method: string;
  args: unknown[];
  /** Whether the call carried a session that was inside a transaction when the call was made. */
  inTransaction: boolean;
  /** Modifiers chained on a returned cursor (sort, limit, hint), as the migration uses them. */
  cursor: Record<string, unknown>;
}

type Doc = Record<string, unknown>;

/** Fields holding ObjectIds, per collection: documents are kept plain (hex strings) for mingo and revived on the way out. */
const OBJECT_ID_FIELDS: Record<string, readonly string[]> = {
  users: ['_id'],
  tasks: ['_id', 'project', 'createdBy', 'assignee', 'user'],
  projects: ['_id'],
  memberships: ['_id', 'project', 'user'],
  invitations: ['_id', 'project', 'invitedBy'],
  refresh_tokens: ['_id', 'user'],
  one_time_tokens: ['user'],
  changes: ['project', 'alsoProject', 'entity', 'actor', 'recipients'],
  notifications: ['_id', 'user', 'actor', 'task.id', 'task.project', 'project.id'],
};
const HEX_ID = /^[0-9a-f]{24}$/;

function revive(collection: string, doc: Doc): Doc {
  const out: Doc = { ...doc };
  for (const path of OBJECT_ID_FIELDS[collection] ?? ['_id']) {
    // A dotted path names a field of a subdocument, revived in a copy of it.
    const [head, field] = path.includes('.') ? (path.split('.') as [string, string]) : [null, path];
    let holder = out;
    if (head !== null) {
      const sub = out[head];
      if (sub === null || typeof sub !== 'object') continue;
      holder = { ...(sub as Doc) };
      out[head] = holder;
    }
    const value = holder[field];
    if (typeof value === 'string' && HEX_ID.test(value)) holder[field] = new Types.ObjectId(value);
    if (Array.isArray(value)) {
      holder[field] = value.map((item: unknown) =>
        typeof item === 'string' && HEX_ID.test(item) ? new Types.ObjectId(item) : item,
      );
    }
  }
  return out;
}

/** mingo knows no ObjectId type; held documents keep ObjectIds as 24 hex digits, which `$type: 'objectId'` then means. */
function forMingo(filter: unknown): unknown {
  if (Array.isArray(filter)) return filter.map(forMingo);
  if (filter === null || typeof filter !== 'object' || filter instanceof Date) return filter;
  return Object.fromEntries(
    Object.entries(filter).map(([key, value]) =>
      key === '$type' && value === 'objectId' ? ['$regex', HEX_ID.source] : [key, forMingo(value)],
    ),
  );
}

function sessionOf(args: unknown[]): mongo.ClientSession | undefined {
  for (const arg of args) {
    if (arg !== null && typeof arg === 'object' && 'session' in arg) {
      return (arg as { session?: mongo.ClientSession }).session;
    }
  }
  return undefined;
}

class FakeServerError extends mongo.MongoServerError {
  constructor(code: number, codeName: string, errmsg: string) {
    super({ ok: 0, code, codeName, errmsg });
  }
}

export interface RecordingStore {
  models: MongoModels;
  /** Every call mongoose made, in order. */
  sent: SentCall[];
  /** The documents held, per collection name, as stored (ObjectIds as hex strings). */
  data: Record<string, Doc[]>;
  /** Stores documents (given as the application writes them, with ObjectIds). */
  insert(collection: string, ...docs: object[]): void;
  run: StoreRunner;
  transact: Transact;
  /** How each transaction ended, in order. */
  transactions: ('committed' | 'aborted' | 'threw')[];
  /** The calls to one collection (and method). */
  calls(collection: string, method?: string): SentCall[];
  /**
   * Runs `work` once, just before the next `method` call on `collection` is answered: another
   * writer's work landing between two steps of the code under test, at exactly that point.
   */
  beforeNext(collection: string, method: string, work: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export function recordingStore(): RecordingStore {
  const connection = mongoose.createConnection();
  connection.config.bufferCommands = false;
  const models = createModels(connection);
  const data: Record<string, Doc[]> = {};
  const sent: SentCall[] = [];
  const hooks = new Map<string, () => Promise<unknown>>();
  const transactions: RecordingStore['transactions'] = [];
  const client = new mongo.MongoClient('mongodb://127.0.0.1:9/never-connected');
  const byCollection = new Map(Object.values(models).map((model) => [model.collection.collectionName, model]));

  const docsOf = (name: string) => (data[name] ??= []);

  const indexesOf = (name: string) =>
    (byCollection.get(name)?.schema.indexes() ?? []) as [Record<string, unknown>, Record<string, unknown>][];

  const checkHint = (name: string, hint: unknown, filter: Doc) => {
    if (hint === undefined || hint === null) return;
    const wanted = JSON.stringify(hint);
    const index =
      wanted === '{"_id":1}' ? [{ _id: 1 }, {}] : indexesOf(name).find(([keys]) => JSON.stringify(keys) === wanted);
    if (index === undefined) {
      throw new FakeServerError(2, 'BadValue', `hint provided does not correspond to an existing index: ${wanted}`);
    }
    const partial = (index[1] as { partialFilterExpression?: Doc }).partialFilterExpression;
    for (const [field, condition] of Object.entries(partial ?? {})) {
      const given = filter[field];
      const repeated =
        given !== null &&
        typeof given === 'object' &&
        Object.entries(plainObject(condition as object)).every(
          ([op, value]) => JSON.stringify(plain((given as Doc)[op])) === JSON.stringify(value),
        );
      if (!repeated) {
        throw new FakeServerError(
          2,
          'BadValue',
          `the filter does not repeat the partial filter of ${wanted} on ${field}`,
        );
      }
    }
  };

  const checkUnique = (name: string, candidate: Doc, others: Doc[]) => {
    for (const [keys, options] of indexesOf(name)) {
      if (options.unique !== true) continue;
      const partial = options.partialFilterExpression as Doc | undefined;
      const covered = (doc: Doc) => partial === undefined || mingoFind([doc], plainObject(partial)).all().length === 1;
      if (!covered(candidate)) continue;
      const key = (doc: Doc) => JSON.stringify(Object.keys(keys).map((field) => doc[field] ?? null));
      if (others.some((other) => other !== candidate && covered(other) && key(other) === key(candidate))) {
        throw new FakeServerError(
          11000,
          'DuplicateKey',
          `E11000 duplicate key error collection: ${name} index: ${String(options.name)}`,
        );
      }
    }
    if (others.some((other) => other !== candidate && other._id === candidate._id)) {
      throw new FakeServerError(11000, 'DuplicateKey', `E11000 duplicate key error collection: ${name} index: _id_`);
    }
  };

  const matching = (name: string, filter: unknown) =>
    mingoFind(docsOf(name), forMingo(plainObject((filter ?? {}) as object)) as Doc).all() as Doc[];

  const updateMatched = (name: string, filter: Doc, update: unknown, upsert: boolean, many: boolean) => {
    const docs = docsOf(name);
    const targets = matching(name, filter);
    const chosen = many ? targets : targets.slice(0, 1);
    let modifiedCount = 0;
    for (const target of chosen) {
      const before = JSON.stringify(target);
      // An update pipeline (an array of stages) or operators, less $setOnInsert (which only inserts use).
      const { $setOnInsert: _onInsert, ...operators } = Array.isArray(update) ? {} : plainObject(update as object);
      // mingo edits operator updates in place but puts a pipeline's result in the array it was given.
      const holder = [target];
      mingoUpdateOne(holder, { _id: target._id }, (Array.isArray(update) ? plain(update) : operators) as never);
      const updated = holder[0] as Doc;
      if (updated !== target) {
        for (const key of Object.keys(target)) delete target[key];
        Object.assign(target, updated);
      }
      checkUnique(name, target, docs);
      if (JSON.stringify(target) !== before) modifiedCount += 1;
    }
    if (chosen.length === 0 && upsert) {
      const { $setOnInsert, $set, $inc, $max, ...rest } = plainObject(update as object) as Record<
        string,
        Doc | undefined
      >;
      if (Object.keys(rest).some((op) => op !== '$unset')) throw new Error('unsupported upsert');
      const equalities = Object.fromEntries(
        Object.entries(plainObject(filter)).filter(
          ([, value]) => value === null || typeof value !== 'object' || value instanceof Date,
        ),
      );
      // As the server does: an upsert's $inc sets the field to the increment, its $max to the value.
      const inserted: Doc = { ...equalities, ...$setOnInsert, ...$set, ...$inc, ...$max };
      inserted._id ??= new Types.ObjectId().toHexString();
      docs.push(inserted);
      checkUnique(name, inserted, docs);
      return {
        acknowledged: true,
        matchedCount: 0,
        modifiedCount: 0,
        upsertedCount: 1,
        upsertedId: inserted._id,
        docs: [inserted],
      };
    }
    return {
      acknowledged: true,
      matchedCount: chosen.length,
      modifiedCount,
      upsertedCount: 0,
      upsertedId: null,
      docs: chosen,
    };
  };

  const cursorOver = (name: string, call: SentCall, rows: () => Doc[]) => {
    const cursor = {
      sort: (sort: unknown) => ((call.cursor.sort = sort), cursor),
      limit: (limit: number) => ((call.cursor.limit = limit), cursor),
      hint: (hint: unknown) => ((call.cursor.hint = hint), cursor),
      project: (projection: unknown) => ((call.cursor.projection = projection), cursor),
      close: async () => undefined,
      toArray: async () => {
        const options = (call.args[1] ?? {}) as Doc;
        checkHint(name, call.cursor.hint ?? options.hint, plainObject((call.args[0] ?? {}) as object));
        let found = mingoFind(rows(), {});
        const sort = call.cursor.sort ?? options.sort;
        if (sort !== undefined) found = found.sort(sort as never);
        const limit = call.cursor.limit ?? options.limit;
        if (typeof limit === 'number' && limit > 0) found = found.limit(limit);
        return (found.all() as Doc[]).map((doc) => revive(name, doc));
      },
    };
    return cursor;
  };

  const answer = (name: string, call: SentCall): unknown => {
    const [first, second, third] = call.args as [unknown, unknown, Doc | undefined];
    const docs = docsOf(name);
    switch (call.method) {
      case 'find':
        return cursorOver(name, call, () => matching(name, first));
      case 'aggregate':
        return cursorOver(name, call, () =>
          aggregate(docs, plain(first) as Doc[]).map((row) =>
            typeof row._id === 'string' && HEX_ID.test(row._id) ? { ...row, _id: new Types.ObjectId(row._id) } : row,
          ),
        );
      case 'findOne': {
        const options = second as Doc | undefined;
        checkHint(name, options?.hint, plainObject((first ?? {}) as object));
        // A sorted findOne answers the first document in that order (board neighbours are read so).
        const found = matching(name, first);
        const [doc] =
          options?.sort === undefined
            ? found
            : (mingoFind(found, {})
                .sort(options.sort as never)
                .all() as Doc[]);
        return Promise.resolve(doc === undefined ? null : revive(name, doc));
      }
      case 'countDocuments':
        return Promise.resolve(matching(name, first).length);
      case 'insertOne': {
        const doc = plainObject(first as object);
        checkUnique(name, doc, [...docs, doc]);
        docs.push(doc);
        return Promise.resolve({ acknowledged: true, insertedId: doc._id });
      }
      case 'updateOne':
      case 'updateMany': {
        const { docs: _docs, ...result } = updateMatched(
          name,
          first as Doc,
          second,
          third?.upsert === true,
          call.method === 'updateMany',
        );
        return Promise.resolve(result);
      }
      case 'replaceOne': {
        const [doc] = matching(name, first);
        if (doc === undefined) return Promise.resolve({ acknowledged: true, matchedCount: 0, modifiedCount: 0 });
        const replacement = { ...plainObject(second as object), _id: doc._id };
        data[name] = docs.map((held) => (held === doc ? replacement : held));
        return Promise.resolve({ acknowledged: true, matchedCount: 1, modifiedCount: 1 });
      }
      case 'findOneAndUpdate': {
        const { docs: changed } = updateMatched(name, first as Doc, second, third?.upsert === true, false);
        const [doc] = changed;
        return Promise.resolve(doc === undefined ? null : revive(name, doc));
      }
      case 'deleteOne':
      case 'deleteMany': {
        const gone = matching(name, first).slice(0, call.method === 'deleteOne' ? 1 : undefined);
        data[name] = docs.filter((doc) => !gone.includes(doc));
        return Promise.resolve({ acknowledged: true, deletedCount: gone.length });
      }
      case 'bulkWrite': {
        let upsertedCount = 0;
        let modifiedCount = 0;
        let matchedCount = 0;
        for (const operation of first as { updateOne: { filter: Doc; update: unknown; upsert?: boolean } }[]) {
          const { filter, update, upsert } = operation.updateOne;
          const result = updateMatched(name, filter, update, upsert === true, false);
          upsertedCount += result.upsertedCount;
          modifiedCount += result.modifiedCount;
          matchedCount += result.matchedCount;
        }
        return Promise.resolve({ upsertedCount, modifiedCount, matchedCount });
      }
      default:
        throw new Error(`the recording store does not answer ${name}.${call.method}`);
    }
  };

  for (const [name, model] of byCollection) {
    const driverCollection = new Proxy(
      {},
      {
        get: (_target, method: string) => {
          if (method === 'collectionName') return name;
          return (...args: unknown[]) => {
            const call: SentCall = {
              collection: name,
              method,
              args,
              inTransaction: sessionOf(args)?.inTransaction() === true,
              cursor: {},
            };
            sent.push(call);
            const hook = hooks.get(`${name}.${method}`);
            if (hook === undefined) return answer(name, call);
            hooks.delete(`${name}.${method}`);
            return hook().then(() => answer(name, call));
          };
        },
      },
    );
    (model.collection as unknown as { collection: unknown }).collection = driverCollection;
  }

  const snapshot = () =>
    Object.fromEntries(Object.entries(data).map(([name, docs]) => [name, docs.map((doc) => structuredClone(doc))]));

  const transact: Transact = async (work) => {
    const session = client.startSession();
    const before = snapshot();
    const restore = () => {
      for (const key of Object.keys(data)) delete data[key];
      Object.assign(data, before);
    };
    session.startTransaction();
    try {
      const result = await work(session);
      if (session.inTransaction()) {
        // Nothing reached a server, so the driver ends the transaction without a command.
        await session.commitTransaction();
        transactions.push('committed');
      } else {
        restore();
        transactions.push('aborted');
      }
      return result;
    } catch (error) {
      if (session.inTransaction()) await session.abortTransaction();
      restore();
      transactions.push('threw');
      throw error;
    } finally {
      await session.endSession();
    }
  };

  return {
    models,
    sent,
    data,
    insert(collection, ...docs) {
      docsOf(collection).push(...docs.map((doc) => plainObject(doc)));
    },
    run: (work) => work(),
    transact,
    transactions,
    calls: (collection, method) =>
      sent.filter((call) => call.collection === collection && (method === undefined || call.method === method)),
    beforeNext(collection, method, work) {
      hooks.set(`${collection}.${method}`, work);
    },
    async close() {
      await client.close();
      await connection.close();
    },
  };
}
