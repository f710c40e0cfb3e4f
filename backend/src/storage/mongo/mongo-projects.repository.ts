import { Types, type ClientSession, type Model } from 'mongoose';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import {
  PERSONAL_PROJECT_NAME,
  personalProjectId,
  projectCursorOf,
  type MemberRecord,
  type ProjectRecord,
  type ProjectRole,
  type ProjectView,
} from '../../projects/project.model.js';
import type {
  MemberChangeOutcome,
  ProjectDeleteOutcome,
  ProjectRepository,
  ProjectWriteOutcome,
} from '../../projects/projects.repository.js';
import { slicePage } from '../../tasks/task.model.js';
import { isDuplicateKey } from './mongo-errors.js';
import { memberChange, projectChange, taskChange } from '../../changes/change.model.js';
import { appendMongoChange } from './mongo-changes.repository.js';
import { recordMongoResponse } from './mongo-idempotency.repository.js';
import {
  MEMBERSHIP_BY_USER_INDEX,
  type MembershipDoc,
  type MongoModels,
  type ProjectDoc,
  type TaskDoc,
} from './mongo-models.js';
import type { StoreRunner } from './mongo-tasks.repository.js';
import { refuse, type Transact } from './mongo-transaction.js';
import {
  compareMembers,
  newProjectDoc,
  projectListFind,
  projectUpdateSet,
  toProjectRecord,
} from './project-query.mongo.js';
import { assigneeCondition, op } from './task-query.mongo.js';
import { OPEN_STATUSES } from './task-stats.mongo.js';

type ProjectModels = Pick<
  MongoModels,
  'projects' | 'memberships' | 'users' | 'tasks' | 'invitations' | 'changes' | 'counters' | 'idempotencyKeys'
>;

const NOT_FOUND = { kind: 'not_found' } as const;
const OK = { kind: 'ok' } as const;
const LAST_OWNER = { kind: 'last_owner' } as const;

const oid = (id: string) => new Types.ObjectId(id);

/**
 * The first write of every membership change: it bumps the project's `membersVersion`, so that a
 * concurrent change of the same project's members conflicts with this transaction (one of them is
 * retried, then sees the other's result) instead of both deciding on the same snapshot. (Only a
 * write that changes the document takes the lock: MongoDB's "in-progress transactions and stale
 * reads".) Answers the new `membersVersion`, which the change of the membership carries, or null
 * when the project does not exist.
 */
export async function lockMembers(
  projects: MongoModels['projects'],
  projectId: Types.ObjectId,
  session: ClientSession,
): Promise<number | null> {
  const locked = await projects
    .findOneAndUpdate(
      { _id: projectId },
      { $inc: { membersVersion: 1 } },
      { new: true, session, projection: { membersVersion: 1 } },
    )
    .lean<Pick<ProjectDoc, 'membersVersion'>>();
  return locked?.membersVersion ?? null;
}

/** The projects port over `projects` and `memberships` (tasks and invitations go with a deleted project). */
export function createMongoProjectRepository(
  models: ProjectModels,
  run: StoreRunner,
  transact: Transact,
): ProjectRepository {
  const { projects, memberships, users, tasks, invitations } = models;

  /**
   * The number of documents of each project among those `match` selects, in one aggregation over a
   * `project`-led index (`{ project, user }` for members, `{ project, status }` for open tasks).
   */
  const countsByProject = async (
    model: Pick<Model<unknown>, 'aggregate'>,
    projectIds: readonly Types.ObjectId[],
    match: Record<string, unknown> = {},
  ): Promise<Map<string, number>> => {
    const counts = await model.aggregate<{ _id: Types.ObjectId; n: number }>([
      { $match: { project: { $in: [...projectIds] }, ...match } },
      { $group: { _id: '$project', n: { $sum: 1 } } },
    ]);
    return new Map(counts.map((count) => [count._id.toHexString(), count.n]));
  };

  /** The projects as `roles` says their member sees them, with member and open-task counts. */
  const viewsOf = async (docs: readonly ProjectDoc[], roles: ReadonlyMap<string, ProjectRole>) => {
    const ids = docs.map((doc) => doc._id);
    const [members, open] = await Promise.all([
      countsByProject(memberships, ids),
      countsByProject(tasks, ids, { status: { $in: OPEN_STATUSES } }),
    ]);
    return docs.map((doc): ProjectView => {
      const id = doc._id.toHexString();
      return {
        ...toProjectRecord(doc),
        role: roles.get(id) as ProjectRole,
        memberCount: members.get(id) ?? 0,
        openTaskCount: open.get(id) ?? 0,
      };
    });
  };

  const roleOf = async (userId: string, projectId: string): Promise<ProjectRole | null> => {
    const membership = await memberships
      .findOne({ user: oid(userId), project: oid(projectId) }, { role: 1, _id: 0 })
      .hint(MEMBERSHIP_BY_USER_INDEX)
      .lean<Pick<MembershipDoc, 'role'>>();
    return membership?.role ?? null;
  };

  const membershipsOf = async (userId: string) => {
    const docs = await memberships
      .find({ user: oid(userId) }, { project: 1, role: 1, _id: 0 })
      .hint(MEMBERSHIP_BY_USER_INDEX)
      .lean<Pick<MembershipDoc, 'project' | 'role'>[]>();
    return docs.map((doc) => ({ projectId: doc.project.toHexString(), role: doc.role }));
  };

  const findRecord = async (projectId: Types.ObjectId, session?: ClientSession) => {
    const doc = await projects.findById(projectId, null, { session }).lean<ProjectDoc>();
    return doc === null ? null : toProjectRecord(doc);
  };

  /** The project as this transaction sees it, or why a write guarded by `expectedVersion` is refused. */
  const writable = async (
    project: Types.ObjectId,
    expectedVersion: number | undefined,
    session: ClientSession,
  ): Promise<{ project: ProjectRecord } | { refusal: ProjectWriteOutcome & ProjectDeleteOutcome }> => {
    const current = await findRecord(project, session);
    if (current === null) return { refusal: NOT_FOUND };
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      return { refusal: { kind: 'version_mismatch', current } };
    }
    return { project: current };
  };

  /** The member's membership and whether removing their ownership would leave the project without an owner. */
  const memberState = async (projectId: Types.ObjectId, userId: Types.ObjectId, session: ClientSession) => {
    const membership = await memberships
      .findOne({ project: projectId, user: userId }, null, { session })
      .lean<MembershipDoc>();
    if (membership === null || membership.role !== 'owner') return { membership, lastOwner: false };
    const owners = await memberships.countDocuments({ project: projectId, role: 'owner' }, { session });
    return { membership, lastOwner: owners <= 1 };
  };

  return {
    async ensurePersonal(userId, now) {
      if (!isObjectId(userId)) return;
      const id = oid(personalProjectId(userId));
      const { _id, ...project } = newProjectDoc(
        id.toHexString(),
        { name: PERSONAL_PROJECT_NAME, description: '', color: null },
        true,
        now,
      );
      await run(async () => {
        try {
          // Upserts keyed by `_id` and by the unique `{ project, user }`: a second call, or one that
          // finds only half of the pair (an interrupted migration), changes nothing that exists.
          await transact(async (session) => {
            const { upsertedCount } = await projects.updateOne(
              { _id },
              { $setOnInsert: project },
              { upsert: true, session },
            );
            if (upsertedCount > 0) {
              await appendMongoChange(models, projectChange.created(id.toHexString(), userId, now), session);
            }
            await memberships.updateOne(
              { project: id, user: id },
              { $setOnInsert: { role: 'owner', joinedAt: now } },
              { upsert: true, session },
            );
          });
        } catch (error) {
          // A concurrent call inserted them first (both in one transaction): nothing left to do.
          if (!isDuplicateKey(error)) throw error;
        }
      });
    },

    async create(ownerId, input, now, idempotent) {
      const doc = newProjectDoc(newObjectId(now.getTime()), input, false, now);
      const membership = { project: doc._id, user: oid(ownerId), role: 'owner' as const, joinedAt: now };
      const project: ProjectView = { ...toProjectRecord(doc), role: 'owner', memberCount: 1, openTaskCount: 0 };
      await run(() =>
        transact(async (session) => {
          await projects.create([doc], { session });
          await memberships.create([membership], { session });
          await appendMongoChange(models, projectChange.created(doc._id.toHexString(), ownerId, now), session);
          await recordMongoResponse(models, idempotent, project, session);
        }),
      );
      return project;
    },

    async findForMember(userId, projectId) {
      if (!isObjectId(userId) || !isObjectId(projectId)) return null;
      return run(async () => {
        const role = await roleOf(userId, projectId);
        if (role === null) return null;
        const doc = await projects.findById(oid(projectId)).lean<ProjectDoc>();
        if (doc === null) return null;
        const [found] = await viewsOf([doc], new Map([[projectId, role]]));
        return found ?? null;
      });
    },

    async listForMember(userId, { limit, after }) {
      if (!isObjectId(userId)) return { items: [], next: null };
      return run(async () => {
        const roles = new Map((await membershipsOf(userId)).map((m) => [m.projectId, m.role]));
        if (roles.size === 0) return { items: [], next: null };
        const find = projectListFind([...roles.keys()].map(oid), after === undefined ? { limit } : { limit, after });
        const docs = await projects.find(find.filter).sort(find.sort).limit(find.limit).lean<ProjectDoc[]>();
        return slicePage(await viewsOf(docs, roles), limit, projectCursorOf);
      });
    },

    async update(projectId, changes, { expectedVersion, now, actorId }): Promise<ProjectWriteOutcome> {
      if (!isObjectId(projectId)) return NOT_FOUND;
      const project = oid(projectId);
      return run(() =>
        transact(async (session): Promise<ProjectWriteOutcome> => {
          const before = await writable(project, expectedVersion, session);
          if ('refusal' in before) return refuse(session, before.refusal);
          const updated = await projects
            .findOneAndUpdate(
              { _id: project, version: before.project.version },
              { $set: projectUpdateSet(changes, now), $inc: { version: 1 } },
              { new: true, session },
            )
            .lean<ProjectDoc>();
          if (updated === null) throw new Error('the project changed inside its own write transaction');
          const after = toProjectRecord(updated);
          await appendMongoChange(models, projectChange.updated(before.project, after, { now, actorId }), session);
          return { kind: 'ok', project: after };
        }),
      );
    },

    async delete(projectId, { expectedVersion, now, actorId }): Promise<ProjectDeleteOutcome> {
      if (!isObjectId(projectId)) return NOT_FOUND;
      const project = oid(projectId);
      return run(() =>
        transact(async (session): Promise<ProjectDeleteOutcome> => {
          const before = await writable(project, expectedVersion, session);
          if ('refusal' in before) return refuse(session, before.refusal);
          const members = await memberships
            .find({ project }, { user: 1, _id: 0 }, { session })
            .lean<Pick<MembershipDoc, 'user'>[]>();
          await projects.deleteOne({ _id: project, version: before.project.version }, { session });
          await tasks.deleteMany({ project }, { session });
          await memberships.deleteMany({ project }, { session });
          await invitations.deleteMany({ project }, { session });
          const memberIds = members.map((member) => member.user.toHexString());
          await appendMongoChange(models, projectChange.deleted(before.project, memberIds, { now, actorId }), session);
          return OK;
        }),
      );
    },

    async roleOf(userId, projectId) {
      if (!isObjectId(userId) || !isObjectId(projectId)) return null;
      return run(() => roleOf(userId, projectId));
    },

    async membershipsOf(userId) {
      if (!isObjectId(userId)) return [];
      return run(() => membershipsOf(userId));
    },

    async members(projectId) {
      if (!isObjectId(projectId)) return [];
      return run(async () => {
        const docs = await memberships.find({ project: oid(projectId) }).lean<MembershipDoc[]>();
        if (docs.length === 0) return [];
        const found = await users
          .find({ _id: op({ $in: docs.map((doc) => doc.user) }) }, { email: 1, name: 1 })
          .lean<{ _id: Types.ObjectId; email: string; name: string }[]>();
        const byId = new Map(found.map((user) => [user._id.toHexString(), user]));
        const members: MemberRecord[] = [];
        for (const doc of docs) {
          const user = byId.get(doc.user.toHexString());
          if (user === undefined) continue;
          members.push({
            user: { id: user._id.toHexString(), email: user.email, name: user.name },
            role: doc.role,
            joinedAt: doc.joinedAt,
          });
        }
        return members.sort(compareMembers);
      });
    },

    async memberIds(projectId) {
      if (!isObjectId(projectId)) return [];
      return run(async () => {
        const docs = await memberships
          .find({ project: oid(projectId) }, { user: 1, _id: 0 })
          .lean<Pick<MembershipDoc, 'user'>[]>();
        return docs.map((doc) => doc.user.toHexString());
      });
    },

    async setRole(projectId, userId, role, options): Promise<MemberChangeOutcome> {
      if (!isObjectId(projectId) || !isObjectId(userId)) return NOT_FOUND;
      const [project, user] = [oid(projectId), oid(userId)];
      return run(() =>
        transact(async (session): Promise<MemberChangeOutcome> => {
          const version = await lockMembers(projects, project, session);
          if (version === null) return refuse(session, NOT_FOUND);
          const { membership, lastOwner } = await memberState(project, user, session);
          if (membership === null) return refuse(session, NOT_FOUND);
          if (membership.role === role) return refuse(session, OK);
          if (lastOwner) return refuse(session, LAST_OWNER);
          await memberships.updateOne({ _id: membership._id }, { $set: { role } }, { session });
          await appendMongoChange(
            models,
            memberChange.updated(projectId, userId, version, membership.role, role, options),
            session,
          );
          return OK;
        }),
      );
    },

    async removeMember(projectId, userId, options): Promise<MemberChangeOutcome> {
      if (!isObjectId(projectId) || !isObjectId(userId)) return NOT_FOUND;
      const [project, user] = [oid(projectId), oid(userId)];
      return run(() =>
        transact(async (session): Promise<MemberChangeOutcome> => {
          const version = await lockMembers(projects, project, session);
          if (version === null) return refuse(session, NOT_FOUND);
          const { membership, lastOwner } = await memberState(project, user, session);
          if (membership === null) return refuse(session, NOT_FOUND);
          if (lastOwner) return refuse(session, LAST_OWNER);
          await memberships.deleteOne({ _id: membership._id }, { session });
          await appendMongoChange(models, memberChange.removed(projectId, userId, version, options), session);
          // Their tasks become unassigned, each with its change: read in this transaction's snapshot,
          // then written under it (a concurrent write to one of them conflicts and is retried).
          const assigned = { project, assignee: assigneeCondition(userId) };
          const unassigned = await tasks
            .find(assigned, { _id: 1, version: 1 }, { session })
            .lean<Pick<TaskDoc, '_id' | 'version'>[]>();
          await tasks.updateMany(
            assigned,
            { $set: { assignee: null, updatedAt: options.now }, $inc: { version: 1 } },
            { session },
          );
          for (const task of unassigned) {
            const after = { id: task._id.toHexString(), version: task.version + 1 };
            await appendMongoChange(models, taskChange.unassigned(projectId, after, userId, options), session);
          }
          return OK;
        }),
      );
    },
  };
}
