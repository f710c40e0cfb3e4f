import { type Connection, type Model, type Query, Schema, type Types } from 'mongoose';
import { ONE_TIME_PURPOSES, type OneTimePurpose } from '../../auth/one-time-tokens.repository.js';
import { CHANGE_TYPES, type ChangeType, type FieldChange } from '../../changes/change.model.js';
import { INVITABLE_ROLES, PROJECT_ROLES, type InvitableRole, type ProjectRole } from '../../projects/project.model.js';
import {
  MAIL_STATES,
  NOTIFICATION_TYPES,
  type MailState,
  type NotificationType,
} from '../../notifications/notification.model.js';
import { RECURRENCE_FROM, type Recurrence } from '../../tasks/recurrence.js';
import { TASK_PRIORITIES, TASK_STATUSES, type TaskPriority, type TaskStatus } from '../../tasks/task.model.js';
import {
  ASSIGNED,
  ASSIGNEE_SORT_INDEXES,
  SEARCH_INDEX,
  SEARCH_INDEX_NAME,
  SORT_INDEXES,
  type SortDocument,
} from './task-query.mongo.js';

export interface UserDoc {
  _id: Types.ObjectId;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
  /** Absent on accounts from before verification existed: not verified. */
  emailVerified?: boolean;
  /**
   * The notification types this user turned off for email. A list, not an object keyed by type:
   * `member.added` holds a dot, which a field name used in queries and updates cannot.
   */
  emailOff?: NotificationType[];
}

/** A task as stored: the record's fields plus the derived keys that list queries sort and search on. */
export interface TaskDoc {
  _id: Types.ObjectId;
  project: Types.ObjectId;
  createdBy: Types.ObjectId;
  /** A member's user id, or null: unassigned tasks are kept out of the assignee indexes. */
  assignee: Types.ObjectId | null;
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
  /**
   * The column digit and the position (see board-order.ts); what the board sort orders by. Absent only
   * on a task written by a version before board order until the migration step gives it one.
   */
  boardKey: string;
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
  remindAt: Date | null;
  /** The reminder still to deliver: `remindAt` until it is delivered, cancelled or the task is done. */
  reminderDue: Date | null;
  recurrence: Recurrence | null;
  /** The task this one is the next occurrence of; absent on every other task. */
  previous?: Types.ObjectId;
}

/** The token of a password-reset or email-verification link, by its hash. */
export interface OneTimeTokenDoc {
  _id: string;
  user: Types.ObjectId;
  purpose: OneTimePurpose;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
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

/** A project; a personal one has its owner's user id as `_id`. */
export interface ProjectDoc {
  _id: Types.ObjectId;
  name: string;
  /** The name's sort key (lower-cased, see titleKeyOf): the list orders by it. */
  nameKey: string;
  description: string;
  color: string | null;
  personal: boolean;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /**
   * Grows with every change of the project's memberships. Each such change writes it inside its
   * transaction, so two concurrent changes of one project's members conflict and the later one is
   * retried on fresh data (a decision on counts read in a snapshot is safe only with that write).
   */
  membersVersion: number;
}

export interface MembershipDoc {
  _id: Types.ObjectId;
  project: Types.ObjectId;
  user: Types.ObjectId;
  role: ProjectRole;
  joinedAt: Date;
}

export interface InvitationDoc {
  _id: Types.ObjectId;
  project: Types.ObjectId;
  /** Lower-cased. */
  email: string;
  role: InvitableRole;
  invitedBy: Types.ObjectId;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  /** `true` until accepted, revoked or replaced, then absent: what the partial unique index keys on. */
  pending?: true;
}

/** One change of the log; `_id` is its position (see mongo-changes.repository.ts). */
export interface ChangeDoc {
  _id: number;
  project: Types.ObjectId;
  /** The project a task moved out of. */
  alsoProject?: Types.ObjectId;
  type: ChangeType;
  entity: Types.ObjectId;
  version: number;
  actor: Types.ObjectId;
  at: Date;
  fields: FieldChange[];
  /** Users who see the change without being members (a removed member, a deleted project's members). */
  recipients?: Types.ObjectId[];
}

/**
 * One idempotency key of one user (`_id` is `<userId>:<key>`): claimed by an attempt (`token`) until
 * `leaseUntil`, then `done` with the response its write kept (JSON) in the write's transaction.
 */
export interface IdempotencyDoc {
  _id: string;
  fingerprint: string;
  token: string;
  state: 'pending' | 'done';
  leaseUntil: Date;
  createdAt: Date;
  /** When the TTL monitor may delete it (createdAt + 24 h); claims treat it as gone from then on. */
  expiresAt: Date;
  response?: string;
}

/** A named counter, incremented inside the transaction that takes a value from it. */
export interface CounterDoc {
  _id: string;
  value: number;
}

/** One notification (see notification.model.ts); `key` is unique. */
export interface NotificationDoc {
  _id: Types.ObjectId;
  user: Types.ObjectId;
  type: NotificationType;
  key: string;
  actor: Types.ObjectId | null;
  task: { id: Types.ObjectId; title: string; project: Types.ObjectId } | null;
  project: { id: Types.ObjectId; name: string } | null;
  createdAt: Date;
  readAt: Date | null;
  mail: MailState;
}

/** Where one consumer of the change log stopped (`_id` is its name). */
export interface JobCursorDoc {
  _id: string;
  seq: number;
}

export interface MongoModels {
  users: Model<UserDoc>;
  tasks: Model<TaskDoc>;
  projects: Model<ProjectDoc>;
  memberships: Model<MembershipDoc>;
  invitations: Model<InvitationDoc>;
  refreshTokens: Model<RefreshTokenDoc>;
  oneTimeTokens: Model<OneTimeTokenDoc>;
  changes: Model<ChangeDoc>;
  counters: Model<CounterDoc>;
  idempotencyKeys: Model<IdempotencyDoc>;
  notifications: Model<NotificationDoc>;
  jobCursors: Model<JobCursorDoc>;
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

/**
 * Gives every read of the schema's model a server-side time limit unless the caller set one. Reads
 * inside a transaction get none: the transaction as a whole is bounded (the server aborts it after
 * `transactionLifetimeLimitSeconds`, the driver stops retrying it after 120 s).
 */
function boundReadTime(schema: Schema): void {
  schema.pre(BOUNDED_QUERIES, function (this: Query<unknown, unknown>) {
    const options = this.getOptions();
    if (options.maxTimeMS === undefined && options.session?.inTransaction() !== true) {
      this.maxTimeMS(READ_TIME_LIMIT_MS);
    }
  });
  schema.pre('aggregate', function () {
    if (this.options.maxTimeMS === undefined && this.options.session?.inTransaction() !== true) {
      this.option({ maxTimeMS: READ_TIME_LIMIT_MS });
    }
  });
}

const userSchema = new Schema<UserDoc>(
  {
    email: { type: String, required: true },
    name: { type: String, default: '' },
    passwordHash: { type: String, default: '' },
    createdAt: { type: Date, required: true },
    emailVerified: { type: Boolean, default: false },
    emailOff: { type: [{ type: String, enum: NOTIFICATION_TYPES }], default: undefined },
  },
  { ...SCHEMA_OPTIONS, collection: 'users' },
);
userSchema.index({ email: 1 }, { unique: true, name: 'email_unique' });

const nullableDate = { type: Date, default: null };

const taskSchema = new Schema<TaskDoc>(
  {
    project: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    assignee: { type: Schema.Types.ObjectId, default: null },
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
    boardKey: { type: String },
    titleKey: { type: String, default: '' },
    priorityRank: { type: Number, required: true },
    dueAsc: { type: Number, required: true },
    dueDesc: { type: Number, required: true },
    titleWords: { type: [String], default: [], select: false },
    descriptionWords: { type: [String], default: [], select: false },
    titleKeys: { type: [String], default: [], select: false },
    descriptionKeys: { type: [String], default: [], select: false },
    searchKeys: { type: [String], default: [], select: false },
    remindAt: nullableDate,
    reminderDue: nullableDate,
    recurrence: {
      type: new Schema<Recurrence>(
        { rule: { type: String, required: true }, from: { type: String, enum: RECURRENCE_FROM, required: true } },
        { _id: false },
      ),
      default: null,
    },
    previous: { type: Schema.Types.ObjectId },
  },
  { ...SCHEMA_OPTIONS, collection: 'tasks' },
);
// The filter indexes of the design (also what stats, project deletes and ad-hoc queries use)…
taskSchema.index({ project: 1, status: 1 }, { name: 'project_status' });
taskSchema.index({ project: 1, priority: 1 }, { name: 'project_priority' });
taskSchema.index({ project: 1, dueDate: 1 }, { name: 'project_dueDate' });
taskSchema.index({ project: 1, tags: 1 }, { name: 'project_tags' });
// …one index per sort, so every page is a bounded walk of one index per project (merged across
// projects), never an in-memory sort…
for (const keys of SORT_INDEXES) taskSchema.index(keys, { name: indexName(keys) });
// …the same per assignee, holding assigned tasks only, so "assigned to me" across projects walks
// that user's entries instead of every task of every project…
for (const keys of ASSIGNEE_SORT_INDEXES) {
  taskSchema.index(keys, { name: indexName(keys), partialFilterExpression: { assignee: ASSIGNED } });
}
// …and the search index: `project` then the short word prefixes of title and description
// (multikey, at most SEARCH_KEYS_MAX entries per task), so a search only reads the projects' candidates.
taskSchema.index(SEARCH_INDEX, { name: SEARCH_INDEX_NAME });
// Due reminders are one range of this index (dates sort after the nulls of tasks without one).
taskSchema.index({ reminderDue: 1, _id: 1 }, { name: 'reminderDue' });
// At most one next occurrence per repeating task, whoever rolls it over and however often.
taskSchema.index(
  { previous: 1 },
  { name: 'previous_unique', unique: true, partialFilterExpression: { previous: { $exists: true } } },
);

const projectSchema = new Schema<ProjectDoc>(
  {
    name: { type: String, required: true },
    nameKey: { type: String, required: true },
    description: { type: String, default: '' },
    color: { type: String, default: null },
    personal: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    membersVersion: { type: Number, default: 0 },
  },
  { ...SCHEMA_OPTIONS, collection: 'projects' },
);
// Projects are read by `_id` only (a member's ids come from `memberships`).

const membershipSchema = new Schema<MembershipDoc>(
  {
    project: { type: Schema.Types.ObjectId, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: PROJECT_ROLES, required: true },
    joinedAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'memberships' },
);
// One membership per user and project; a project's members in one range…
membershipSchema.index({ project: 1, user: 1 }, { unique: true, name: 'project_user_unique' });
// …and a user's memberships with their roles in the index itself, so the access check on every
// request and the list of a user's projects read no document.
export const MEMBERSHIP_BY_USER_INDEX: SortDocument = { user: 1, project: 1, role: 1 };
membershipSchema.index(MEMBERSHIP_BY_USER_INDEX, { name: 'user_project_role' });

/** How long an invitation is kept after it expired (accepted, revoked or not), then MongoDB deletes it. */
export const INVITATION_RETENTION_S = 30 * 24 * 60 * 60;

const invitationSchema = new Schema<InvitationDoc>(
  {
    project: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    role: { type: String, enum: INVITABLE_ROLES, required: true },
    invitedBy: { type: Schema.Types.ObjectId, required: true },
    tokenHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    acceptedAt: nullableDate,
    revokedAt: nullableDate,
    pending: { type: Boolean },
  },
  { ...SCHEMA_OPTIONS, collection: 'invitations' },
);
invitationSchema.index({ tokenHash: 1 }, { unique: true, name: 'tokenHash_unique' });
// A project's invitations newest first (the pending list, and deleting them with the project)…
invitationSchema.index({ project: 1, createdAt: -1 }, { name: 'project_createdAt_desc' });
// …at most one pending invitation per project and email (inviting again replaces it)…
invitationSchema.index(
  { project: 1, email: 1 },
  { unique: true, name: 'project_email_pending_unique', partialFilterExpression: { pending: true } },
);
// …and spent or expired ones leave after a while (expiry itself is checked on every read).
invitationSchema.index({ expiresAt: 1 }, { expireAfterSeconds: INVITATION_RETENTION_S, name: 'expiresAt_ttl' });

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
// Every session of a user, ended together by a password reset.
refreshTokenSchema.index({ user: 1 }, { name: 'user' });
// MongoDB's TTL monitor deletes a token about a minute after it expires; purgeExpired stays exact.
refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });

const oneTimeTokenSchema = new Schema<OneTimeTokenDoc>(
  {
    _id: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, required: true },
    purpose: { type: String, enum: ONE_TIME_PURPOSES, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: nullableDate,
  },
  { ...SCHEMA_OPTIONS, collection: 'one_time_tokens' },
);
// A user's links of one purpose, spent together when a newer one is used.
oneTimeTokenSchema.index({ user: 1, purpose: 1 }, { name: 'user_purpose' });
oneTimeTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });

const changeSchema = new Schema<ChangeDoc>(
  {
    _id: { type: Number, required: true },
    project: { type: Schema.Types.ObjectId, required: true },
    alsoProject: { type: Schema.Types.ObjectId },
    type: { type: String, enum: CHANGE_TYPES, required: true },
    entity: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    actor: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    fields: { type: Schema.Types.Mixed, default: () => [] },
    recipients: { type: [Schema.Types.ObjectId], default: undefined },
  },
  { ...SCHEMA_OPTIONS, collection: 'changes' },
);
// A project's changes in order (catch-up walks one range per project from the cursor)…
changeSchema.index({ project: 1, _id: 1 }, { name: 'project_seq' });
// …those of tasks that moved out of a project, and those addressed to former members…
changeSchema.index(
  { alsoProject: 1, _id: 1 },
  { name: 'alsoProject_seq', partialFilterExpression: { alsoProject: { $exists: true } } },
);
changeSchema.index(
  { recipients: 1, _id: 1 },
  { name: 'recipients_seq', partialFilterExpression: { recipients: { $exists: true } } },
);
// …and one task's history, newest first.
changeSchema.index({ entity: 1, _id: -1 }, { name: 'entity_seq_desc' });

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, value: { type: Number, required: true } },
  { ...SCHEMA_OPTIONS, collection: 'counters' },
);

const idempotencySchema = new Schema<IdempotencyDoc>(
  {
    _id: { type: String, required: true },
    fingerprint: { type: String, required: true },
    token: { type: String, required: true },
    state: { type: String, enum: ['pending', 'done'], required: true },
    leaseUntil: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    response: { type: String },
  },
  { ...SCHEMA_OPTIONS, collection: 'idempotencyKeys' },
);
// Kept responses expire with their retention; claims never rely on the monitor's timing (see claim()).
idempotencySchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });

const notificationSchema = new Schema<NotificationDoc>(
  {
    user: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: NOTIFICATION_TYPES, required: true },
    key: { type: String, required: true },
    actor: { type: Schema.Types.ObjectId, default: null },
    task: {
      type: new Schema(
        {
          id: { type: Schema.Types.ObjectId, required: true },
          title: { type: String, default: '' },
          project: { type: Schema.Types.ObjectId, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
    project: {
      type: new Schema(
        { id: { type: Schema.Types.ObjectId, required: true }, name: { type: String, default: '' } },
        { _id: false },
      ),
      default: null,
    },
    createdAt: { type: Date, required: true },
    readAt: nullableDate,
    mail: { type: String, enum: MAIL_STATES, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'notifications' },
);
// One notification per event and recipient, however often it is delivered.
notificationSchema.index({ key: 1 }, { unique: true, name: 'key_unique' });
// A user's notifications newest first, and their unread count.
notificationSchema.index({ user: 1, _id: -1 }, { name: 'user_id_desc' });
notificationSchema.index({ user: 1, readAt: 1, _id: -1 }, { name: 'user_readAt_id_desc' });
// The mailer's queue: pending ones, oldest first.
notificationSchema.index({ mail: 1, _id: 1 }, { name: 'mail_id' });

const jobCursorSchema = new Schema<JobCursorDoc>(
  { _id: { type: String, required: true }, seq: { type: Number, required: true } },
  { ...SCHEMA_OPTIONS, collection: 'jobCursors' },
);

for (const schema of [
  notificationSchema,
  jobCursorSchema,
  userSchema,
  taskSchema,
  projectSchema,
  membershipSchema,
  invitationSchema,
  refreshTokenSchema,
  oneTimeTokenSchema,
  changeSchema,
  idempotencySchema,
]) {
  boundReadTime(schema);
}

/** The models bound to one connection (each connection gets its own, so tests can open several). */
export function createModels(connection: Connection): MongoModels {
  return {
    users: connection.model<UserDoc>('User', userSchema),
    tasks: connection.model<TaskDoc>('Task', taskSchema),
    projects: connection.model<ProjectDoc>('Project', projectSchema),
    memberships: connection.model<MembershipDoc>('Membership', membershipSchema),
    invitations: connection.model<InvitationDoc>('Invitation', invitationSchema),
    refreshTokens: connection.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema),
    oneTimeTokens: connection.model<OneTimeTokenDoc>('OneTimeToken', oneTimeTokenSchema),
    changes: connection.model<ChangeDoc>('Change', changeSchema),
    counters: connection.model<CounterDoc>('Counter', counterSchema),
    idempotencyKeys: connection.model<IdempotencyDoc>('IdempotencyKey', idempotencySchema),
    notifications: connection.model<NotificationDoc>('Notification', notificationSchema),
    jobCursors: connection.model<JobCursorDoc>('JobCursor', jobCursorSchema),
  };
}

/** What index management needs of a model, whatever its document type. */
export type IndexedModel = Pick<
  Model<unknown>,
  'modelName' | 'collection' | 'createIndexes' | 'syncIndexes' | 'diffIndexes'
>;

export function modelList(models: MongoModels): IndexedModel[] {
  return [
    models.users,
    models.tasks,
    models.projects,
    models.memberships,
    models.invitations,
    models.refreshTokens,
    models.oneTimeTokens,
    models.changes,
    models.idempotencyKeys,
    models.notifications,
  ];
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
