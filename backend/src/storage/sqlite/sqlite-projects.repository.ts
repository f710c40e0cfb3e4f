import type Database from 'better-sqlite3';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import {
  PERSONAL_PROJECT_NAME,
  personalProjectId,
  projectNameKey,
  type InvitableRole,
  type InvitationRecord,
  type MemberRecord,
  type ProjectChanges,
  type ProjectRecord,
  type ProjectRole,
  type ProjectView,
} from '../../projects/project.model.js';
import type {
  InvitationRepository,
  MemberChangeOutcome,
  ProjectRepository,
  ProjectWriteOutcome,
} from '../../projects/projects.repository.js';
import { memberChange, projectChange, taskChange, type WriteOptions } from '../../changes/change.model.js';
import type { ChangeAppender } from './sqlite-changes.repository.js';
import { createResponseRecorder, type ResponseRecorder } from './sqlite-idempotency.repository.js';
import type { IdempotentWrite } from '../../idempotency/idempotency.model.js';
import type { StoreRunner } from './sqlite-errors.js';

interface ProjectRow {
  id: string;
  name: string;
  description: string;
  color: string | null;
  personal: 0 | 1;
  created_at: number;
  updated_at: number;
  version: number;
}

interface ProjectViewRow extends ProjectRow {
  role: ProjectRole;
  member_count: number;
  open_tasks: number;
}

const PROJECT_COLUMNS = 'p.id, p.name, p.description, p.color, p.personal, p.created_at, p.updated_at, p.version';
/** A project with the caller's role and its member count, for the member `@userId`. */
const PROJECT_VIEW = `SELECT ${PROJECT_COLUMNS}, m.role,
    (SELECT count(*) FROM memberships AS c WHERE c.project_id = p.id) AS member_count,
    (SELECT coalesce(sum(n), 0) FROM task_counts AS k WHERE k.project_id = p.id AND k.status <> 'done') AS open_tasks
  FROM memberships AS m JOIN projects AS p ON p.id = m.project_id`;

/** The membership lookups every request makes, indexed both ways (their query plans are tested). */
export const MEMBERSHIP_SQL = {
  roleOf: 'SELECT role FROM memberships WHERE project_id = @projectId AND user_id = @userId',
  membershipsOf: 'SELECT project_id, role FROM memberships WHERE user_id = ?',
  memberIdsOf: 'SELECT user_id FROM memberships WHERE project_id = ?',
} as const;

function toProject(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    color: row.color,
    personal: row.personal === 1,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    version: row.version,
  };
}

function toView(row: ProjectViewRow): ProjectView {
  return { ...toProject(row), role: row.role, memberCount: row.member_count, openTaskCount: row.open_tasks };
}

/** Bumps a project's members version inside a membership change; its change carries the new value. */
function membersVersionBumper(db: Database.Database): (projectId: string) => number {
  const bump = db
    .prepare<[string], number>(
      'UPDATE projects SET members_version = members_version + 1 WHERE id = ? RETURNING members_version',
    )
    .pluck();
  return (projectId) => bump.get(projectId) ?? 0;
}

/** The projects-and-memberships port over `projects` and `memberships`. */
export function createSqliteProjectRepository(
  db: Database.Database,
  run: StoreRunner,
  appendChange: ChangeAppender,
  recordResponse: ResponseRecorder = createResponseRecorder(db),
): ProjectRepository {
  const insertProject = db.prepare<[ProjectRow & { name_key: string }]>(
    `INSERT INTO projects (id, name, name_key, description, color, personal, created_at, updated_at, version)
     VALUES (@id, @name, @name_key, @description, @color, @personal, @created_at, @updated_at, @version)
     ON CONFLICT (id) DO NOTHING`,
  );
  const insertMember = db.prepare<[{ projectId: string; userId: string; role: ProjectRole; at: number }]>(
    `INSERT INTO memberships (project_id, user_id, role, joined_at) VALUES (@projectId, @userId, @role, @at)
     ON CONFLICT (project_id, user_id) DO NOTHING`,
  );
  const viewOne = db.prepare<[{ userId: string; projectId: string }], ProjectViewRow>(
    `${PROJECT_VIEW} WHERE m.user_id = @userId AND m.project_id = @projectId`,
  );
  // A user is a member of a handful to a few hundred projects: their memberships are read from the
  // (user_id, …) index and ordered in memory.
  const viewAll = db.prepare<
    [{ userId: string; personal: number; nameKey: string; id: string; limit: number }],
    ProjectViewRow
  >(
    `${PROJECT_VIEW} WHERE m.user_id = @userId
       AND (1 - p.personal, p.name_key, p.id) > (1 - @personal, @nameKey, @id)
     ORDER BY 1 - p.personal, p.name_key, p.id LIMIT @limit`,
  );
  const findProject = db.prepare<[string], ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects AS p WHERE p.id = ?`);
  const roleOf = db.prepare<[{ userId: string; projectId: string }], { role: ProjectRole }>(MEMBERSHIP_SQL.roleOf);
  const membershipsOf = db.prepare<[string], { project_id: string; role: ProjectRole }>(MEMBERSHIP_SQL.membershipsOf);
  const membersOf = db.prepare<
    [string],
    { id: string; email: string; name: string; role: ProjectRole; joined_at: number }
  >(
    `SELECT u.id, u.email, u.name, m.role, m.joined_at FROM memberships AS m JOIN users AS u ON u.id = m.user_id
     WHERE m.project_id = ?
     ORDER BY m.role = 'owner' DESC, lower(u.name), u.id`,
  );
  const memberIdsOf = db.prepare<[string], string>(MEMBERSHIP_SQL.memberIdsOf).pluck();
  const ownerCount = db
    .prepare<[string], number>("SELECT count(*) FROM memberships WHERE project_id = ? AND role = 'owner'")
    .pluck();
  const updateRole = db.prepare<[{ projectId: string; userId: string; role: ProjectRole }]>(
    'UPDATE memberships SET role = @role WHERE project_id = @projectId AND user_id = @userId',
  );
  const deleteMember = db.prepare<[{ projectId: string; userId: string }]>(
    'DELETE FROM memberships WHERE project_id = @projectId AND user_id = @userId',
  );
  const unassign = db.prepare<[{ projectId: string; userId: string; now: number }], { id: string; version: number }>(
    `UPDATE tasks SET assignee_id = NULL, updated_at = @now, version = version + 1
     WHERE assignee_id = @userId AND project_id = @projectId RETURNING id, version`,
  );
  const bumpMembers = membersVersionBumper(db);
  const updateProject = db.prepare<
    [
      {
        id: string;
        name: string | null;
        description: string | null;
        setColor: 0 | 1;
        color: string | null;
        expectedVersion: number | null;
        now: number;
      },
    ],
    ProjectRow
  >(
    `UPDATE projects AS p SET
       name = coalesce(@name, name), name_key = coalesce(lower(@name), name_key),
       description = coalesce(@description, description),
       color = CASE WHEN @setColor = 1 THEN @color ELSE color END,
       updated_at = @now, version = version + 1
     WHERE id = @id AND (@expectedVersion IS NULL OR version = @expectedVersion)
     RETURNING ${PROJECT_COLUMNS.replaceAll('p.', '')}`,
  );
  const deleteProject = db.prepare<[{ id: string; expectedVersion: number | null }]>(
    'DELETE FROM projects WHERE id = @id AND (@expectedVersion IS NULL OR version = @expectedVersion)',
  );
  const deleteCounts = [
    db.prepare<[string]>('DELETE FROM task_counts WHERE project_id = ?'),
    db.prepare<[string]>('DELETE FROM task_due_days WHERE project_id = ?'),
    db.prepare<[string]>('DELETE FROM task_due_blocks WHERE project_id = ?'),
    db.prepare<[string]>('DELETE FROM task_due_totals WHERE project_id = ?'),
    db.prepare<[string]>('DELETE FROM task_done_weeks WHERE project_id = ?'),
  ];

  const ensurePersonal = db.transaction((userId: string, now: Date) => {
    const id = personalProjectId(userId);
    const at = now.getTime();
    const { changes } = insertProject.run({
      id,
      name: PERSONAL_PROJECT_NAME,
      name_key: projectNameKey(PERSONAL_PROJECT_NAME),
      description: '',
      color: null,
      personal: 1,
      created_at: at,
      updated_at: at,
      version: 1,
    });
    insertMember.run({ projectId: id, userId, role: 'owner', at });
    if (changes > 0) appendChange(projectChange.created(id, userId, now));
  });

  const create = db.transaction((ownerId: string, row: ProjectRow, idempotent?: IdempotentWrite<ProjectView>) => {
    insertProject.run({ ...row, name_key: projectNameKey(row.name) });
    insertMember.run({ projectId: row.id, userId: ownerId, role: 'owner', at: row.created_at });
    appendChange(projectChange.created(row.id, ownerId, new Date(row.created_at)));
    const view = viewOne.get({ userId: ownerId, projectId: row.id });
    if (view === undefined) throw new Error('the new project was not found after its insert');
    const project = toView(view);
    recordResponse(idempotent, project);
    return project;
  });

  const setRole = db.transaction(
    (projectId: string, userId: string, role: ProjectRole, options: WriteOptions): MemberChangeOutcome => {
      const current = roleOf.get({ projectId, userId });
      if (current === undefined) return { kind: 'not_found' };
      if (current.role === 'owner' && role !== 'owner' && ownerCount.get(projectId) === 1) {
        return { kind: 'last_owner' };
      }
      updateRole.run({ projectId, userId, role });
      const version = bumpMembers(projectId);
      appendChange(memberChange.updated(projectId, userId, version, current.role, role, options));
      return { kind: 'ok' };
    },
  );

  const removeMember = db.transaction(
    (projectId: string, userId: string, options: WriteOptions): MemberChangeOutcome => {
      const current = roleOf.get({ projectId, userId });
      if (current === undefined) return { kind: 'not_found' };
      if (current.role === 'owner' && ownerCount.get(projectId) === 1) return { kind: 'last_owner' };
      deleteMember.run({ projectId, userId });
      const version = bumpMembers(projectId);
      appendChange(memberChange.removed(projectId, userId, version, options));
      for (const task of unassign.all({ projectId, userId, now: options.now.getTime() })) {
        appendChange(taskChange.unassigned(projectId, task, userId, options));
      }
      return { kind: 'ok' };
    },
  );

  const update = db.transaction(
    (
      id: string,
      changes: ProjectChanges,
      options: WriteOptions & { expectedVersion?: number },
    ): ProjectWriteOutcome => {
      const before = findProject.get(id);
      if (before === undefined) return { kind: 'not_found' };
      const expectedVersion = options.expectedVersion ?? null;
      if (expectedVersion !== null && before.version !== expectedVersion) {
        return { kind: 'version_mismatch', current: toProject(before) };
      }
      const row = updateProject.get({
        id,
        name: changes.name ?? null,
        description: changes.description ?? null,
        setColor: changes.color === undefined ? 0 : 1,
        color: changes.color ?? null,
        expectedVersion,
        now: options.now.getTime(),
      });
      if (row === undefined) throw new Error('the project changed inside its own write transaction');
      const project = toProject(row);
      appendChange(projectChange.updated(toProject(before), project, options));
      return { kind: 'ok', project };
    },
  );

  // The project row cascades to its memberships, invitations and tasks (and the tasks to their
  // tags and full-text rows); the kept stats counts are removed with it. Its change goes to every
  // member it had, who are members no more.
  const remove = db.transaction((id: string, expectedVersion: number | null, options: WriteOptions) => {
    const before = findProject.get(id);
    if (before === undefined) return { kind: 'not_found' as const };
    if (expectedVersion !== null && before.version !== expectedVersion) {
      return { kind: 'version_mismatch' as const, current: toProject(before) };
    }
    const members = memberIdsOf.all(id);
    deleteProject.run({ id, expectedVersion });
    for (const statement of deleteCounts) statement.run(id);
    appendChange(projectChange.deleted(toProject(before), members, options));
    return { kind: 'ok' as const };
  });

  return {
    async ensurePersonal(userId, now) {
      await run(() => ensurePersonal.immediate(userId, now));
    },

    async create(ownerId, input, now, idempotent) {
      const at = now.getTime();
      const row: ProjectRow = {
        id: newObjectId(at),
        name: input.name,
        description: input.description,
        color: input.color,
        personal: 0,
        created_at: at,
        updated_at: at,
        version: 1,
      };
      return run(() => create.immediate(ownerId, row, idempotent));
    },

    async findForMember(userId, projectId) {
      if (!isObjectId(projectId)) return null;
      return run(() => {
        const row = viewOne.get({ userId, projectId });
        return row === undefined ? null : toView(row);
      });
    },

    async listForMember(userId, { limit, after }) {
      return run(() => {
        const rows = viewAll.all({
          userId,
          // Before every real position: personal first, the empty name key, the smallest id.
          personal: after === undefined ? 1 : after.personal ? 1 : 0,
          nameKey: after?.nameKey ?? '',
          id: after?.id ?? '',
          limit: limit + 1,
        });
        const items = rows.slice(0, limit).map(toView);
        const last = items.at(-1);
        const next =
          rows.length > limit && last !== undefined
            ? { personal: last.personal, nameKey: projectNameKey(last.name), id: last.id }
            : null;
        return { items, next };
      });
    },

    async update(projectId, changes, options) {
      if (!isObjectId(projectId)) return { kind: 'not_found' };
      return run(() => update.immediate(projectId, changes, options));
    },

    async delete(projectId, options) {
      if (!isObjectId(projectId)) return { kind: 'not_found' };
      return run(() => remove.immediate(projectId, options.expectedVersion ?? null, options));
    },

    async roleOf(userId, projectId) {
      if (!isObjectId(projectId)) return null;
      return run(() => roleOf.get({ userId, projectId })?.role ?? null);
    },

    async membershipsOf(userId) {
      return run(() => membershipsOf.all(userId).map((row) => ({ projectId: row.project_id, role: row.role })));
    },

    async members(projectId) {
      return run(() =>
        membersOf.all(projectId).map((row): MemberRecord => ({
          user: { id: row.id, email: row.email, name: row.name },
          role: row.role,
          joinedAt: new Date(row.joined_at),
        })),
      );
    },

    async memberIds(projectId) {
      return run(() => memberIdsOf.all(projectId));
    },

    async setRole(projectId, userId, role, options) {
      if (!isObjectId(userId)) return { kind: 'not_found' };
      return run(() => setRole.immediate(projectId, userId, role, options));
    },

    async removeMember(projectId, userId, options) {
      if (!isObjectId(userId)) return { kind: 'not_found' };
      return run(() => removeMember.immediate(projectId, userId, options));
    },
  };
}

interface InvitationRow {
  id: string;
  project_id: string;
  email: string;
  role: InvitableRole;
  invited_by: string;
  inviter_name: string | null;
  created_at: number;
  expires_at: number;
}

function toInvitation(row: InvitationRow): InvitationRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    email: row.email,
    role: row.role,
    invitedBy: { id: row.invited_by, name: row.inviter_name ?? '' },
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  };
}

const INVITATION_SELECT = `SELECT i.id, i.project_id, i.email, i.role, i.invited_by, u.name AS inviter_name,
    i.created_at, i.expires_at
  FROM invitations AS i LEFT JOIN users AS u ON u.id = i.invited_by`;
const PENDING = 'i.accepted_at IS NULL AND i.revoked_at IS NULL';

/** The invitations port over `invitations`; accepting writes the membership in the same transaction. */
export function createSqliteInvitationRepository(
  db: Database.Database,
  run: StoreRunner,
  appendChange: ChangeAppender,
): InvitationRepository {
  const revokePendingFor = db.prepare<[{ projectId: string; email: string; now: number }]>(
    `UPDATE invitations SET revoked_at = @now
     WHERE project_id = @projectId AND email = @email AND accepted_at IS NULL AND revoked_at IS NULL`,
  );
  const insert = db.prepare<
    [
      {
        id: string;
        projectId: string;
        email: string;
        role: InvitableRole;
        invitedBy: string;
        tokenHash: string;
        createdAt: number;
        expiresAt: number;
      },
    ]
  >(
    `INSERT INTO invitations (id, project_id, email, role, invited_by, token_hash, created_at, expires_at)
     VALUES (@id, @projectId, @email, @role, @invitedBy, @tokenHash, @createdAt, @expiresAt)`,
  );
  const byId = db.prepare<[string], InvitationRow>(`${INVITATION_SELECT} WHERE i.id = ?`);
  const pending = db.prepare<[{ projectId: string; now: number }], InvitationRow>(
    `${INVITATION_SELECT} WHERE i.project_id = @projectId AND ${PENDING} AND i.expires_at > @now
     ORDER BY i.created_at DESC, i.id DESC`,
  );
  const revoke = db.prepare<[{ projectId: string; id: string; now: number }]>(
    `UPDATE invitations SET revoked_at = @now
     WHERE id = @id AND project_id = @projectId AND accepted_at IS NULL AND revoked_at IS NULL`,
  );
  const byToken = db.prepare<
    [{ tokenHash: string; email: string; now: number }],
    { id: string; project_id: string; role: InvitableRole }
  >(
    `SELECT i.id, i.project_id, i.role FROM invitations AS i
     WHERE i.token_hash = @tokenHash AND i.email = @email AND ${PENDING} AND i.expires_at > @now`,
  );
  const markAccepted = db.prepare<[{ id: string; now: number }]>(
    'UPDATE invitations SET accepted_at = @now WHERE id = @id',
  );
  const roleOf = db.prepare<[{ projectId: string; userId: string }], { role: ProjectRole }>(MEMBERSHIP_SQL.roleOf);
  const insertMember = db.prepare<[{ projectId: string; userId: string; role: ProjectRole; at: number }]>(
    'INSERT INTO memberships (project_id, user_id, role, joined_at) VALUES (@projectId, @userId, @role, @at)',
  );

  const bumpMembers = membersVersionBumper(db);

  const create = db.transaction((row: Parameters<typeof insert.run>[0]) => {
    revokePendingFor.run({ projectId: row.projectId, email: row.email, now: row.createdAt });
    insert.run(row);
    const stored = byId.get(row.id);
    if (stored === undefined) throw new Error('the new invitation was not found after its insert');
    return toInvitation(stored);
  });

  const accept = db.transaction((tokenHash: string, user: { id: string; email: string }, now: number) => {
    const invitation = byToken.get({ tokenHash, email: user.email.toLowerCase(), now });
    if (invitation === undefined) return { kind: 'not_found' as const };
    markAccepted.run({ id: invitation.id, now });
    const existing = roleOf.get({ projectId: invitation.project_id, userId: user.id });
    if (existing !== undefined) return { kind: 'ok' as const, projectId: invitation.project_id, role: existing.role };
    insertMember.run({ projectId: invitation.project_id, userId: user.id, role: invitation.role, at: now });
    const version = bumpMembers(invitation.project_id);
    appendChange(
      memberChange.added(invitation.project_id, user.id, version, invitation.role, {
        actorId: user.id,
        now: new Date(now),
      }),
    );
    return { kind: 'ok' as const, projectId: invitation.project_id, role: invitation.role };
  });

  return {
    async create(input) {
      const createdAt = input.createdAt.getTime();
      return run(() =>
        create.immediate({
          id: newObjectId(createdAt),
          projectId: input.projectId,
          email: input.email.toLowerCase(),
          role: input.role,
          invitedBy: input.invitedBy,
          tokenHash: input.tokenHash,
          createdAt,
          expiresAt: input.expiresAt.getTime(),
        }),
      );
    },

    async listPending(projectId, now) {
      return run(() => pending.all({ projectId, now: now.getTime() }).map(toInvitation));
    },

    async revoke(projectId, invitationId, now) {
      if (!isObjectId(invitationId)) return false;
      return run(() => revoke.run({ projectId, id: invitationId, now: now.getTime() }).changes > 0);
    },

    async accept(tokenHash, user, now) {
      return run(() => accept.immediate(tokenHash, user, now.getTime()));
    },
  };
}
