import { Types } from 'mongoose';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import type { InvitationRecord } from '../../projects/project.model.js';
import type { AcceptOutcome, InvitationRepository, NewInvitation } from '../../projects/projects.repository.js';
import type { InvitationDoc, MembershipDoc, MongoModels } from './mongo-models.js';
import { memberChange } from '../../changes/change.model.js';
import { appendMongoChange } from './mongo-changes.repository.js';
import { lockMembers } from './mongo-projects.repository.js';
import type { StoreRunner } from './mongo-tasks.repository.js';
import { refuse, type Transact } from './mongo-transaction.js';
import { op, type FilterDocument } from './task-query.mongo.js';

type InvitationModels = Pick<
  MongoModels,
  'invitations' | 'memberships' | 'projects' | 'users' | 'changes' | 'counters'
>;

const NOT_FOUND = { kind: 'not_found' } as const;

/** What spends a pending invitation (accepted, revoked or replaced): it leaves the partial unique index. */
const SPENT = { $unset: { pending: 1 } } as const;

/** The invitation with this token hash while it can still be accepted, and only for the invited email. */
export function acceptableInvitation(tokenHash: string, email: string, now: Date): FilterDocument {
  return { tokenHash, pending: true, expiresAt: op({ $gt: now }), email: email.toLowerCase() };
}

/** The pending (not accepted, revoked, replaced or expired) invitations of a project. */
export function pendingInvitations(project: Types.ObjectId, now: Date): FilterDocument {
  return { project, pending: true, expiresAt: op({ $gt: now }) };
}

/** The stored document of a new invitation: pending until accepted, revoked or replaced. */
export function newInvitationDoc(input: NewInvitation): InvitationDoc {
  return {
    _id: new Types.ObjectId(newObjectId(input.createdAt.getTime())),
    project: new Types.ObjectId(input.projectId),
    email: input.email.toLowerCase(),
    role: input.role,
    invitedBy: new Types.ObjectId(input.invitedBy),
    tokenHash: input.tokenHash,
    createdAt: input.createdAt,
    expiresAt: input.expiresAt,
    acceptedAt: null,
    revokedAt: null,
    pending: true,
  };
}

export function toInvitationRecord(doc: InvitationDoc, inviterName: string): InvitationRecord {
  return {
    id: doc._id.toHexString(),
    projectId: doc.project.toHexString(),
    email: doc.email,
    role: doc.role,
    invitedBy: { id: doc.invitedBy.toHexString(), name: inviterName },
    createdAt: doc.createdAt,
    expiresAt: doc.expiresAt,
  };
}

/** The invitations port over `invitations` (unique token hash; one pending invitation per project and email). */
export function createMongoInvitationRepository(
  models: InvitationModels,
  run: StoreRunner,
  transact: Transact,
): InvitationRepository {
  const { invitations, memberships, projects, users } = models;

  /** The names of some users, by id, in one read (a missing user gets an empty name). */
  const namesOf = async (ids: readonly Types.ObjectId[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const found = await users
      .find({ _id: op({ $in: [...ids] }) }, { name: 1 })
      .lean<{ _id: Types.ObjectId; name: string }[]>();
    return new Map(found.map((user) => [user._id.toHexString(), user.name]));
  };

  return {
    async create(input) {
      const doc = newInvitationDoc(input);
      return run(async () => {
        // In one transaction, so that two concurrent invitations of one email conflict (one is
        // retried and replaces the other) rather than failing on the unique index.
        await transact(async (session) => {
          await invitations.updateMany(
            { project: doc.project, email: doc.email, pending: true },
            { $set: { revokedAt: doc.createdAt }, ...SPENT },
            { session },
          );
          await invitations.create([doc], { session });
        });
        const names = await namesOf([doc.invitedBy]);
        return toInvitationRecord(doc, names.get(doc.invitedBy.toHexString()) ?? '');
      });
    },

    async listPending(projectId, now) {
      if (!isObjectId(projectId)) return [];
      return run(async () => {
        const docs = await invitations
          .find(pendingInvitations(new Types.ObjectId(projectId), now))
          .sort({ createdAt: -1, _id: -1 })
          .lean<InvitationDoc[]>();
        const names = await namesOf([
          ...new Map(docs.map((doc) => [doc.invitedBy.toHexString(), doc.invitedBy])).values(),
        ]);
        return docs.map((doc) => toInvitationRecord(doc, names.get(doc.invitedBy.toHexString()) ?? ''));
      });
    },

    async revoke(projectId, invitationId, now) {
      if (!isObjectId(projectId) || !isObjectId(invitationId)) return false;
      return run(async () => {
        const { modifiedCount } = await invitations.updateOne(
          { _id: new Types.ObjectId(invitationId), ...pendingInvitations(new Types.ObjectId(projectId), now) },
          { $set: { revokedAt: now }, ...SPENT },
        );
        return modifiedCount > 0;
      });
    },

    async accept(tokenHash, user, now): Promise<AcceptOutcome> {
      if (!isObjectId(user.id)) return NOT_FOUND;
      const userId = new Types.ObjectId(user.id);
      return run(() =>
        transact(async (session): Promise<AcceptOutcome> => {
          // Spending the invitation is the transaction's first write: of two concurrent accepts of
          // one token, the second conflicts, is retried and then finds it spent.
          const invitation = await invitations
            .findOneAndUpdate(
              acceptableInvitation(tokenHash, user.email, now),
              { $set: { acceptedAt: now }, ...SPENT },
              { new: true, session },
            )
            .lean<InvitationDoc>();
          if (invitation === null) return refuse(session, NOT_FOUND);
          const projectId = invitation.project.toHexString();
          const existing = await memberships
            .findOne({ project: invitation.project, user: userId }, null, { session })
            .lean<MembershipDoc>();
          if (existing !== null) return { kind: 'ok', projectId, role: existing.role };
          const version = await lockMembers(projects, invitation.project, session);
          if (version === null) return refuse(session, NOT_FOUND);
          await memberships.create(
            [{ project: invitation.project, user: userId, role: invitation.role, joinedAt: now }],
            { session },
          );
          await appendMongoChange(
            models,
            memberChange.added(projectId, user.id, version, invitation.role, { now, actorId: user.id }),
            session,
          );
          return { kind: 'ok', projectId, role: invitation.role };
        }),
      );
    },
  };
}
