import { type Connection, type Model, Schema, type Types } from 'mongoose';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../../tasks/tasks.schemas.js';
import { SORT_INDEXES, TEXT_INDEX_NAME, type SortDocument } from './task-query.mongo.js';

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
  /** See searchTermsOf; never read back. */
  titleTerms: string;
  descriptionTerms: string;
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
    titleTerms: { type: String, default: '', select: false },
    descriptionTerms: { type: String, default: '', select: false },
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
// …and the text index, prefixed by `user` so a search only ever touches the caller's entries.
// Language "none": no stemming and no stop words, words match as the embedded store matches them.
taskSchema.index(
  { user: 1, titleTerms: 'text', descriptionTerms: 'text' },
  { name: TEXT_INDEX_NAME, default_language: 'none', language_override: 'searchLanguage' },
);

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

/** The three models bound to one connection (each connection gets its own, so tests can open several). */
export function createModels(connection: Connection): MongoModels {
  return {
    users: connection.model<UserDoc>('User', userSchema),
    tasks: connection.model<TaskDoc>('Task', taskSchema),
    refreshTokens: connection.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema),
  };
}

/** What index management needs of a model, whatever its document type. */
export type IndexedModel = Pick<Model<unknown>, 'modelName' | 'createIndexes' | 'syncIndexes' | 'diffIndexes'>;

export function modelList(models: MongoModels): IndexedModel[] {
  return [models.users, models.tasks, models.refreshTokens];
}
