import { type Connection, type Model, type Query, Schema, type Types } from 'mongoose';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../../tasks/task.model.js';
import { SEARCH_INDEX, SEARCH_INDEX_NAME, SORT_INDEXES, type SortDocument } from './task-query.mongo.js';

export interface UserDoc {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
}

/** A task as stored: the record's fields plus the derived keys that list queries sort and search on. */
export interface TaskDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: Date | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  version: number;
  /** See titleKeyOf. */
  titleKey: string;
  priorityRank: number;
  /** See dueKeysOf. */
  dueAsc: number;
  dueDesc: number;
  /** See SearchFields; never read back. */
  titleWords: string[];
  descriptionWords: string[];
  titleKeys: string[];
  descriptionKeys: string[];
  searchKeys: string[];
}

export interface RefreshTokenDoc {
  _id: Types.ObjectId;
  hash: string;
  user: Types.ObjectId;
  familyId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface MongoModels {
  users: Model<UserDoc>;
  tasks: Model<TaskDoc>;
  refreshTokens: Model<RefreshTokenDoc>;
}

// `strictQuery` drops filter paths the schema does not declare; versionKey is off because tasks
// carry their own `version` and the other collections are never updated by whole document.
const SCHEMA_OPTIONS = { strict: true, strictQuery: true, versionKey: false, autoIndex: false } as const;

/** The name every sort index gets (readable in explain output). */
export const indexName = (keys: SortDocument): string =>
  Object.entries(keys)
    .map(([field, direction]) => (direction === 1 ? field : `${field}_desc`))
    .join('_');

/**
 * Longest a read (or a find-and-modify) may run on the server before it gives up (`maxTimeMS`), so a
 * slow or leaderless replica set answers 503 within seconds instead of holding the request.
 */
export const READ_TIME_LIMIT_MS = 5000;

const BOUNDED_QUERIES: ('find' | 'findOne' | 'findOneAndUpdate' | 'countDocuments')[] = [
  'find',
  'findOne',
  'findOneAndUpdate',
  'countDocuments',
];

/** Gives every read of the schema's model a server-side time limit unless the caller set one. */
function boundReadTime(schema: Schema): void {
  schema.pre(BOUNDED_QUERIES, function (this: Query<unknown, unknown>) {
    if (this.getOptions().maxTimeMS === undefined) this.maxTimeMS(READ_TIME_LIMIT_MS);
  });
  schema.pre('aggregate', function () {
    if (this.options.maxTimeMS === undefined) this.option({ maxTimeMS: READ_TIME_LIMIT_MS });
  });
}

const userSchema = new Schema<UserDoc>(
  {
    email: { type: String, required: true },
    name: { type: String, default: '' },
    passwordHash: { type: String, default: '' },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'users' },
);
userSchema.index({ email: 1 }, { unique: true, name: 'email_unique' });

const nullableDate = { type: Date, default: null };

const taskSchema = new Schema<TaskDoc>(
  {
    user: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, default: '' },
    description: { type: String, default: '' },
    status: { type: String, enum: TASK_STATUSES, required: true },
    priority: { type: String, enum: TASK_PRIORITIES, required: true },
    dueDate: nullableDate,
    tags: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    completedAt: nullableDate,
    version: { type: Number, required: true },
    titleKey: { type: String, default: '' },
    priorityRank: { type: Number, required: true },
    dueAsc: { type: Number, required: true },
    dueDesc: { type: Number, required: true },
    titleWords: { type: [String], default: [], select: false },
    descriptionWords: { type: [String], default: [], select: false },
    titleKeys: { type: [String], default: [], select: false },
    descriptionKeys: { type: [String], default: [], select: false },
    searchKeys: { type: [String], default: [], select: false },
  },
  { ...SCHEMA_OPTIONS, collection: 'tasks' },
);
// The filter indexes of the design (also what stats and ad-hoc queries use)…
taskSchema.index({ user: 1, status: 1 }, { name: 'user_status' });
taskSchema.index({ user: 1, priority: 1 }, { name: 'user_priority' });
taskSchema.index({ user: 1, dueDate: 1 }, { name: 'user_dueDate' });
taskSchema.index({ user: 1, tags: 1 }, { name: 'user_tags' });
// …one index per sort, so every page is a bounded walk of one index, never an in-memory sort…
for (const keys of SORT_INDEXES) taskSchema.index(keys, { name: indexName(keys) });
// …and the search index: `user` then the short word prefixes of title and description (multikey,
// at most SEARCH_KEYS_MAX entries per task), so a search only reads the caller's candidates.
taskSchema.index(SEARCH_INDEX, { name: SEARCH_INDEX_NAME });

const refreshTokenSchema = new Schema<RefreshTokenDoc>(
  {
    hash: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    familyId: { type: String, default: '' },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: nullableDate,
    revokedAt: nullableDate,
  },
  { ...SCHEMA_OPTIONS, collection: 'refresh_tokens' },
);
refreshTokenSchema.index({ hash: 1 }, { unique: true, name: 'hash_unique' });
refreshTokenSchema.index({ familyId: 1 }, { name: 'familyId' });
// MongoDB's TTL monitor deletes a token about a minute after it expires; purgeExpired stays exact.
refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });

for (const schema of [userSchema, taskSchema, refreshTokenSchema]) boundReadTime(schema);

/** The three models bound to one connection (each connection gets its own, so tests can open several). */
export function createModels(connection: Connection): MongoModels {
  return {
    users: connection.model<UserDoc>('User', userSchema),
    tasks: connection.model<TaskDoc>('Task', taskSchema),
    refreshTokens: connection.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema),
  };
}

/** What index management needs of a model, whatever its document type. */
export type IndexedModel = Pick<
  Model<unknown>,
  'modelName' | 'collection' | 'createIndexes' | 'syncIndexes' | 'diffIndexes'
>;

export function modelList(models: MongoModels): IndexedModel[] {
  return [models.users, models.tasks, models.refreshTokens];
}

/**
 * The indexes the schemas declare that the database lacks, as `collection.indexName`: every list
 * query names its index in a hint (a hint to a missing index fails), search needs the text index and
 * registration the unique email index, so an instance serves nothing until this is empty.
 */
export async function missingIndexes(models: readonly IndexedModel[]): Promise<string[]> {
  const missing: string[] = [];
  for (const model of models) {
    const { toCreate } = await model.diffIndexes({ indexOptionsToCreate: true });
    for (const entry of toCreate as unknown[]) {
      missing.push(`${model.collection.collectionName}.${declaredIndexName(entry)}`);
    }
  }
  return missing;
}

/** The name of an index as `diffIndexes` lists it (`[keys, options]` with indexOptionsToCreate). */
function declaredIndexName(entry: unknown): string {
  const [keys, options] = Array.isArray(entry) ? (entry as [object, { name?: string }]) : [entry as object, {}];
  return (
    options.name ??
    Object.entries(keys)
      .map(([field, kind]) => `${field}_${String(kind)}`)
      .join('_')
  );
}
