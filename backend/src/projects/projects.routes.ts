import { Router, type RequestHandler } from 'express';
import { requireAuth, userIdOf } from '../auth/auth.middleware.js';
import { ProjectNotFound } from '../domain/errors.js';
import { isObjectId } from '../domain/ids.js';
import type { CachedJson } from '../http/cached-json.js';
import { parseIfMatch } from '../http/if-match.js';
import { parseInput } from '../http/validate.js';
import type { StoredResponse } from '../idempotency/idempotency.model.js';
import { idempotentWrite, sendStored } from '../idempotency/idempotency.middleware.js';
import type { ProjectView } from './project.model.js';
import {
  acceptInvitationBody,
  createInvitationBody,
  createProjectBody,
  invitationParams,
  listProjectsQuery,
  memberParams,
  projectIdParam,
  updateMemberBody,
  updateProjectBody,
} from './projects.schemas.js';
import { InvitationNotFound, MemberNotFound, type ProjectsService } from './projects.service.js';
import {
  decodeProjectCursor,
  projectEtag,
  toCreatedInvitation,
  toInvitation,
  toMember,
  toProject,
  toProjectList,
} from './projects.wire.js';

export const PROJECTS_BASE_PATH = '/api/v1/projects';
export const INVITATIONS_BASE_PATH = '/api/v1/invitations';

/** A malformed id names no project: 404, exactly like a project the caller is not in. */
function projectIdOf(raw: string): string {
  if (!isObjectId(raw)) throw new ProjectNotFound();
  return raw;
}

export interface ProjectsRoutesOptions {
  service: ProjectsService;
  reads: CachedJson;
  /** `Idempotency-Key` handling for project creation (see idempotency.middleware.ts). */
  idempotent: RequestHandler;
}

/** The answer to a project creation, built once for the client and for the key's record. */
const created = (project: ProjectView): StoredResponse => ({
  status: 201,
  headers: {
    'Content-Type': 'application/json; charset=utf-8',
    Location: `${PROJECTS_BASE_PATH}/${project.id}`,
    ETag: projectEtag(project),
  },
  body: toProject(project),
});

/** Routes of /api/v1/projects: projects, their members and their invitations. */
export function projectsRoutes({ service, reads, idempotent }: ProjectsRoutesOptions): Router {
  const router = Router();
  router.use(requireAuth());

  const list: RequestHandler = async (req, res) => {
    const query = parseInput(listProjectsQuery, req.query, 'query');
    const after = query.cursor === undefined ? undefined : decodeProjectCursor(query.cursor);
    const userId = userIdOf(req);
    await reads.send(req, res, userId, async () => ({
      body: toProjectList(await service.list(userId, { limit: query.limit, ...(after ? { after } : {}) })),
    }));
  };

  const create: RequestHandler = async (req, res) => {
    const body = parseInput(createProjectBody, req.body, 'body');
    const input = { name: body.name, description: body.description ?? '', color: body.color ?? null };
    const project = await service.create(userIdOf(req), input, idempotentWrite(req, created));
    sendStored(res, created(project));
  };

  const getOne: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    const userId = userIdOf(req);
    await reads.send(req, res, userId, async () => {
      const project = await service.get(userId, id);
      return { body: toProject(project), etag: projectEtag(project) };
    });
  };

  const update: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    const changes = parseInput(updateProjectBody, req.body, 'body');
    const project = await service.update(userIdOf(req), id, changes, parseIfMatch(req.get('if-match'), id));
    res.setHeader('ETag', projectEtag(project)).json(toProject(project));
  };

  const remove: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    await service.delete(userIdOf(req), id, parseIfMatch(req.get('if-match'), id));
    res.status(204).end();
  };

  const members: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    const userId = userIdOf(req);
    await reads.send(req, res, userId, async () => ({
      body: { data: (await service.members(userId, id)).map(toMember) },
    }));
  };

  const memberOf = (params: unknown) => {
    const { id, userId } = parseInput(memberParams, params, 'params');
    const projectId = projectIdOf(id);
    if (!isObjectId(userId)) throw new MemberNotFound();
    return { projectId, memberId: userId };
  };

  const setRole: RequestHandler = async (req, res) => {
    const { projectId, memberId } = memberOf(req.params);
    const { role } = parseInput(updateMemberBody, req.body, 'body');
    res.json(toMember(await service.setRole(userIdOf(req), projectId, memberId, role)));
  };

  const removeMember: RequestHandler = async (req, res) => {
    const { projectId, memberId } = memberOf(req.params);
    await service.removeMember(userIdOf(req), projectId, memberId);
    res.status(204).end();
  };

  const invite: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    const body = parseInput(createInvitationBody, req.body, 'body');
    const invitation = await service.invite(userIdOf(req), id, body);
    res
      .status(201)
      .setHeader('Location', `${PROJECTS_BASE_PATH}/${id}/invitations/${invitation.id}`)
      .setHeader('Cache-Control', 'no-store')
      .json(toCreatedInvitation(invitation));
  };

  const invitations: RequestHandler = async (req, res) => {
    const id = projectIdOf(parseInput(projectIdParam, req.params, 'params').id);
    const pending = await service.invitations(userIdOf(req), id);
    res.setHeader('Cache-Control', 'private, no-cache').json({ data: pending.map(toInvitation) });
  };

  const revoke: RequestHandler = async (req, res) => {
    const { id, invitationId } = parseInput(invitationParams, req.params, 'params');
    const projectId = projectIdOf(id);
    if (!isObjectId(invitationId)) throw new InvitationNotFound();
    await service.revokeInvitation(userIdOf(req), projectId, invitationId);
    res.status(204).end();
  };

  router.get('/', list);
  router.post('/', idempotent, create);
  router.get('/:id', getOne);
  router.patch('/:id', update);
  router.delete('/:id', remove);
  router.get('/:id/members', members);
  router.patch('/:id/members/:userId', setRole);
  router.delete('/:id/members/:userId', removeMember);
  router.post('/:id/invitations', invite);
  router.get('/:id/invitations', invitations);
  router.delete('/:id/invitations/:invitationId', revoke);
  return router;
}

/** Routes of /api/v1/invitations: accepting one with its token. */
export function invitationsRoutes({ service }: Pick<ProjectsRoutesOptions, 'service'>): Router {
  const router = Router();
  router.use(requireAuth());
  router.post('/accept', async (req, res) => {
    const { token } = parseInput(acceptInvitationBody, req.body, 'body');
    const project = await service.accept(userIdOf(req), token);
    res.setHeader('ETag', projectEtag(project)).json(toProject(project));
  });
  return router;
}
