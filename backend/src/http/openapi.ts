import { z } from 'zod';
import {
  acceptedSchema,
  authResponseSchema,
  loginBody,
  meResponseSchema,
  passwordResetBody,
  passwordResetConfirmBody,
  refreshBody,
  registerBody,
  verifyEmailBody,
} from '../auth/auth.schemas.js';
import {
  createTaskBody,
  listTasksQuery,
  moveTaskBody,
  taskListSchema,
  taskSchema,
  taskStatsSchema,
  updateTaskBody,
  statsQuery,
} from '../tasks/tasks.schemas.js';
import {
  acceptInvitationBody,
  createdInvitationSchema,
  createInvitationBody,
  createProjectBody,
  invitationListSchema,
  listProjectsQuery,
  memberListSchema,
  memberSchema,
  projectListSchema,
  projectSchema,
  updateMemberBody,
  updateProjectBody,
} from '../projects/projects.schemas.js';

import {
  listNotificationsQuery,
  markReadBody,
  notificationPreferencesSchema,
  preferencesPatchBody,
  notificationListSchema,
} from '../notifications/notifications.schemas.js';
import { activityListSchema, activityQuery, changeListSchema, listChangesQuery } from '../changes/changes.schemas.js';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return rest;
};

const problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'requestId'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const json = (schema: JsonSchema | { $ref: string }, description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

const body = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: jsonSchema(schema, 'input') } },
});

const errors = (...statuses: number[]) => {
  const text: Record<number, string> = {
    400: 'Validation failed or malformed JSON',
    401: 'Missing, invalid or expired token',
    403: 'A member whose role does not allow this action',
    404: 'Not found, or in a project the caller is not a member of',
    409: 'Conflicts with the current state (email registered, last owner, personal project, already a member, Idempotency-Key in flight)',
    422: 'Idempotency-Key reused with a different request',
    412: 'If-Match does not match the current ETag',
    413: 'Body too large',
    415: 'Body is not application/json',
    429: 'Rate limited (Retry-After, RateLimit headers)',
    503: 'A dependency is down (Retry-After)',
  };
  return Object.fromEntries(statuses.map((status) => [String(status), problemResponse(text[status] ?? 'Error')]));
};

const queryParameters = (schema: z.ZodObject) =>
  Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: jsonSchema(field as z.ZodType, 'input'),
  }));

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{24}$' } };
const ifMatch = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } };
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'A repeat with the same key, method, path and body within 24 h replays the first answer (Idempotent-Replayed: true) and performs nothing; 409 while the first runs, 422 for another request.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};
const ifNoneMatch = { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } };
const bearer = [{ bearerAuth: [] }];
// Explicitly public: no token is read (or, for refresh and logout, the refresh token travels in the body or cookie).
const publicAccess: never[] = [];
const taskRef = { $ref: '#/components/schemas/Task' };
const projectRef = { $ref: '#/components/schemas/Project' };
const memberUserParameter = {
  name: 'userId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[0-9a-f]{24}$' },
};
const invitationIdParameter = {
  name: 'invitationId',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[0-9a-f]{24}$' },
};
const etagHeader = { ETag: { schema: { type: 'string' } } };

/** The OpenAPI 3.1 document, derived from the same zod schemas that validate requests. */
export function buildOpenApiDocument(version: string): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Primo API',
      version,
      license: { name: 'MIT', identifier: 'MIT' },
      description: 'Multi-user task manager. Errors are RFC 9457 problem+json; every response carries X-Request-Id.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: problem,
        Task: jsonSchema(taskSchema, 'output'),
        TaskList: jsonSchema(taskListSchema, 'output'),
        TaskStats: jsonSchema(taskStatsSchema, 'output'),
        AuthResponse: jsonSchema(authResponseSchema, 'output'),
        MeResponse: jsonSchema(meResponseSchema, 'output'),
        Project: jsonSchema(projectSchema, 'output'),
        ProjectList: jsonSchema(projectListSchema, 'output'),
        Member: jsonSchema(memberSchema, 'output'),
        MemberList: jsonSchema(memberListSchema, 'output'),
        Invitation: jsonSchema(createdInvitationSchema, 'output'),
        InvitationList: jsonSchema(invitationListSchema, 'output'),
      },
    },
    paths: {
      '/api/v1/auth/register': {
        post: {
          operationId: 'register',
          summary: 'Create an account and start a session',
          security: publicAccess,
          requestBody: body(registerBody),
          responses: {
            '201': json({ $ref: '#/components/schemas/AuthResponse' }, 'Registered'),
            ...errors(400, 409, 413, 415, 429),
          },
        },
      },
      '/api/v1/auth/login': {
        post: {
          operationId: 'login',
          summary: 'Start a session',
          security: publicAccess,
          requestBody: body(loginBody),
          responses: {
            '200': json({ $ref: '#/components/schemas/AuthResponse' }, 'Signed in'),
            ...errors(400, 401, 415, 429),
          },
        },
      },
      '/api/v1/auth/refresh': {
        post: {
          operationId: 'refreshSession',
          summary: 'Rotate the refresh token (from the body or the refresh cookie); a spent token revokes its family',
          security: publicAccess,
          requestBody: { ...body(refreshBody), required: false },
          responses: {
            '200': json({ $ref: '#/components/schemas/AuthResponse' }, 'New token pair'),
            ...errors(400, 401, 415, 429),
          },
        },
      },
      '/api/v1/auth/logout': {
        post: {
          operationId: 'logout',
          summary: 'Revoke the refresh token’s whole family',
          security: publicAccess,
          requestBody: { ...body(refreshBody), required: false },
          responses: { '204': { description: 'Signed out' }, ...errors(400, 415, 429) },
        },
      },
      '/api/v1/auth/me': {
        get: {
          operationId: 'getCurrentUser',
          summary: 'The current user',
          security: bearer,
          responses: { '200': json({ $ref: '#/components/schemas/MeResponse' }, 'The user'), ...errors(401, 429) },
        },
      },
      '/api/v1/auth/password-reset': {
        post: {
          operationId: 'requestPasswordReset',
          summary:
            'Mail a single-use link to choose a new password (valid 1 hour) if the address has an account; the same answer for every address',
          security: publicAccess,
          requestBody: body(passwordResetBody),
          responses: {
            '202': json(jsonSchema(acceptedSchema, 'output'), 'Accepted'),
            ...errors(400, 415, 429),
          },
        },
      },
      '/api/v1/auth/password-reset/confirm': {
        post: {
          operationId: 'confirmPasswordReset',
          summary: 'Set a new password with the token of a reset link; every session of the account ends',
          security: publicAccess,
          requestBody: body(passwordResetConfirmBody),
          responses: { '204': { description: 'Password changed' }, ...errors(400, 415, 429) },
        },
      },
      '/api/v1/auth/verify-email': {
        post: {
          operationId: 'verifyEmail',
          summary: 'Confirm the address with the token of a verification link',
          security: publicAccess,
          requestBody: body(verifyEmailBody),
          responses: { '204': { description: 'Address verified' }, ...errors(400, 415, 429) },
        },
      },
      '/api/v1/auth/verify-email/resend': {
        post: {
          operationId: 'resendVerification',
          summary: 'Mail a new verification link unless the address is verified already',
          security: bearer,
          responses: {
            '202': json({ $ref: '#/components/schemas/MeResponse' }, 'Accepted'),
            ...errors(401, 429),
          },
        },
      },
      '/api/v1/tasks': {
        get: {
          operationId: 'listTasks',
          summary:
            'List the tasks of every project the caller is a member of, or of the named ones (keyset pagination through nextCursor); sort=position (board order: column by column, then position, ties by id) needs projectId naming exactly one project',
          security: bearer,
          parameters: [...queryParameters(listTasksQuery), ifNoneMatch],
          responses: {
            '200': json({ $ref: '#/components/schemas/TaskList' }, 'One page', {
              ETag: { schema: { type: 'string' } },
              'X-Cache': { schema: { type: 'string' } },
            }),
            '304': { description: 'Not modified' },
            ...errors(400, 401, 404, 429, 503),
          },
        },
        post: {
          operationId: 'createTask',
          summary: 'Create a task',
          security: bearer,
          parameters: [idempotencyKey],
          requestBody: body(createTaskBody),
          responses: {
            '201': json(taskRef, 'Created', {
              Location: { schema: { type: 'string' } },
              ETag: { schema: { type: 'string' } },
            }),
            ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      '/api/v1/tasks/stats': {
        get: {
          operationId: 'getTaskStats',
          summary: 'Counts by status and priority, overdue, due today, completions over the last 14 UTC days',
          security: bearer,
          parameters: [...queryParameters(statsQuery), ifNoneMatch],
          responses: {
            '200': json({ $ref: '#/components/schemas/TaskStats' }, 'Statistics'),
            '304': { description: 'Not modified' },
            ...errors(400, 401, 404, 429, 503),
          },
        },
      },
      '/api/v1/tasks/{id}': {
        parameters: [idParameter],
        get: {
          operationId: 'getTask',
          summary: 'One task',
          security: bearer,
          parameters: [ifNoneMatch],
          responses: {
            '200': json(taskRef, 'The task', { ETag: { schema: { type: 'string' } } }),
            '304': { description: 'Not modified' },
            ...errors(401, 404, 429, 503),
          },
        },
        patch: {
          operationId: 'updateTask',
          summary: 'Change any subset of the writable fields',
          security: bearer,
          parameters: [ifMatch, idempotencyKey],
          requestBody: body(updateTaskBody),
          responses: {
            '200': json(taskRef, 'Updated', { ETag: { schema: { type: 'string' } } }),
            ...errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503),
          },
        },
        delete: {
          operationId: 'deleteTask',
          summary: 'Delete a task',
          security: bearer,
          parameters: [ifMatch, idempotencyKey],
          responses: { '204': { description: 'Deleted' }, ...errors(401, 403, 404, 409, 412, 422, 429, 503) },
        },
      },
      '/api/v1/tasks/{id}/move': {
        parameters: [idParameter],
        post: {
          operationId: 'moveTask',
          summary:
            'Place the task on its project board (editors and owners): in the column for status (default: its own), right after afterId and/or right before beforeId, or at the end; only the moved task is written',
          description:
            'afterId and beforeId must be tasks of the same project in the target column, afterId before beforeId (else 400 naming the field). A move is a PATCH of status and position: If-Match guards it the same way.',
          security: bearer,
          parameters: [ifMatch],
          requestBody: body(moveTaskBody),
          responses: {
            '200': json(taskRef, 'Moved', { ETag: { schema: { type: 'string' } } }),
            ...errors(400, 401, 403, 404, 412, 413, 415, 429, 503),
          },
        },
      },
      '/api/v1/projects': {
        get: {
          operationId: 'listProjects',
          summary: 'The caller’s projects: personal first, then by name (keyset pagination through nextCursor)',
          security: bearer,
          parameters: [...queryParameters(listProjectsQuery), ifNoneMatch],
          responses: {
            '200': json({ $ref: '#/components/schemas/ProjectList' }, 'One page', etagHeader),
            '304': { description: 'Not modified' },
            ...errors(400, 401, 429, 503),
          },
        },
        post: {
          operationId: 'createProject',
          summary: 'Create a project; the caller is its owner',
          security: bearer,
          parameters: [idempotencyKey],
          requestBody: body(createProjectBody),
          responses: {
            '201': json(projectRef, 'Created', { Location: { schema: { type: 'string' } }, ...etagHeader }),
            ...errors(400, 401, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      '/api/v1/projects/{id}': {
        parameters: [idParameter],
        get: {
          operationId: 'getProject',
          summary: 'One project, with the caller’s role (members)',
          security: bearer,
          parameters: [ifNoneMatch],
          responses: {
            '200': json(projectRef, 'The project', etagHeader),
            '304': { description: 'Not modified' },
            ...errors(401, 404, 429, 503),
          },
        },
        patch: {
          operationId: 'updateProject',
          summary: 'Rename, describe or colour a project (owners and editors)',
          security: bearer,
          parameters: [ifMatch],
          requestBody: body(updateProjectBody),
          responses: {
            '200': json(projectRef, 'Updated', etagHeader),
            ...errors(400, 401, 403, 404, 412, 413, 415, 429, 503),
          },
        },
        delete: {
          operationId: 'deleteProject',
          summary: 'Delete a project with its tasks, members and invitations (owners; not the personal project)',
          security: bearer,
          parameters: [ifMatch],
          responses: { '204': { description: 'Deleted' }, ...errors(401, 403, 404, 409, 412, 429, 503) },
        },
      },
      '/api/v1/projects/{id}/members': {
        parameters: [idParameter],
        get: {
          operationId: 'listMembers',
          summary: 'Members with their roles, owners first (members)',
          security: bearer,
          parameters: [ifNoneMatch],
          responses: {
            '200': json({ $ref: '#/components/schemas/MemberList' }, 'The members'),
            '304': { description: 'Not modified' },
            ...errors(401, 404, 429, 503),
          },
        },
      },
      '/api/v1/projects/{id}/members/{userId}': {
        parameters: [idParameter, memberUserParameter],
        patch: {
          operationId: 'updateMember',
          summary: 'Change a member’s role (owners); demoting the last owner is a 409',
          security: bearer,
          requestBody: body(updateMemberBody),
          responses: {
            '200': json({ $ref: '#/components/schemas/Member' }, 'The member'),
            ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503),
          },
        },
        delete: {
          operationId: 'removeMember',
          summary:
            'Remove a member (owners) or leave (any member, with their own id); their assigned tasks become unassigned',
          security: bearer,
          responses: { '204': { description: 'Removed' }, ...errors(401, 403, 404, 409, 429, 503) },
        },
      },
      '/api/v1/projects/{id}/invitations': {
        parameters: [idParameter],
        post: {
          operationId: 'createInvitation',
          summary: 'Invite an email address (owners); the token is in this answer only',
          security: bearer,
          requestBody: body(createInvitationBody),
          responses: {
            '201': json({ $ref: '#/components/schemas/Invitation' }, 'Invited', {
              Location: { schema: { type: 'string' } },
            }),
            ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503),
          },
        },
        get: {
          operationId: 'listInvitations',
          summary: 'Pending invitations, without tokens (owners)',
          security: bearer,
          responses: {
            '200': json({ $ref: '#/components/schemas/InvitationList' }, 'Pending invitations'),
            ...errors(401, 403, 404, 429, 503),
          },
        },
      },
      '/api/v1/projects/{id}/invitations/{invitationId}': {
        parameters: [idParameter, invitationIdParameter],
        delete: {
          operationId: 'revokeInvitation',
          summary: 'Revoke a pending invitation (owners)',
          security: bearer,
          responses: { '204': { description: 'Revoked' }, ...errors(401, 403, 404, 429, 503) },
        },
      },
      '/api/v1/invitations/accept': {
        post: {
          operationId: 'acceptInvitation',
          summary: 'Join the project an invitation token was sent for (the invited email’s account)',
          security: bearer,
          requestBody: body(acceptInvitationBody),
          responses: {
            '200': json(projectRef, 'Joined: the project', etagHeader),
            ...errors(400, 401, 404, 413, 415, 429, 503),
          },
        },
      },
      '/api/v1/tasks/{id}/activity': {
        parameters: [idParameter],
        get: {
          operationId: 'getTaskActivity',
          summary: 'The task’s changes, newest first (keyset pagination through nextCursor)',
          security: bearer,
          parameters: queryParameters(activityQuery),
          responses: {
            '200': json(jsonSchema(activityListSchema, 'output'), 'One page of changes'),
            ...errors(400, 401, 404, 429, 503),
          },
        },
      },
      '/api/v1/changes': {
        get: {
          operationId: 'listChanges',
          summary:
            'Changes in the caller’s current projects after `since`, oldest first; without `since`, an empty page whose nextCursor is the current position',
          security: bearer,
          parameters: queryParameters(listChangesQuery),
          responses: {
            '200': json(jsonSchema(changeListSchema, 'output'), 'One page of changes; poll again with nextCursor'),
            '410': problemResponse('`since` is older than the kept history (or not a position of this server)'),
            ...errors(400, 401, 429, 503),
          },
        },
      },
      '/api/v1/notifications': {
        get: {
          operationId: 'listNotifications',
          summary:
            'The caller’s notifications, newest first (keyset pagination through nextCursor), with the unread count',
          security: bearer,
          parameters: queryParameters(listNotificationsQuery),
          responses: {
            '200': json(jsonSchema(notificationListSchema, 'output'), 'One page of notifications'),
            ...errors(400, 401, 429, 503),
          },
        },
      },
      '/api/v1/notifications/read': {
        post: {
          operationId: 'markNotificationsRead',
          summary: 'Marks the named notifications of the caller read, or all of them; other ids are ignored',
          security: bearer,
          requestBody: body(markReadBody),
          responses: { '204': { description: 'Marked read' }, ...errors(400, 401, 413, 415, 429, 503) },
        },
      },
      '/api/v1/notifications/preferences': {
        get: {
          operationId: 'getNotificationPreferences',
          summary: 'Which notification types the caller also gets by email',
          security: bearer,
          responses: {
            '200': json(jsonSchema(notificationPreferencesSchema, 'output'), 'The switches'),
            ...errors(401, 429, 503),
          },
        },
        patch: {
          operationId: 'changeNotificationPreferences',
          summary: 'Turn email for the named notification types on or off; the others stay as they are',
          security: bearer,
          requestBody: body(preferencesPatchBody),
          responses: {
            '200': json(jsonSchema(notificationPreferencesSchema, 'output'), 'The switches now'),
            ...errors(400, 401, 413, 415, 429, 503),
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: publicAccess,
          responses: { '200': json({ type: 'object' }, 'The OpenAPI 3.1 document'), ...errors(429) },
        },
      },
      '/health': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness (the same answer as /health/live)',
          security: publicAccess,
          responses: { '200': { description: 'The process runs' } },
        },
      },
      '/health/live': {
        get: {
          operationId: 'getLiveness',
          summary: 'Liveness',
          security: publicAccess,
          responses: { '200': { description: 'The process runs' } },
        },
      },
      '/health/ready': {
        get: {
          operationId: 'getReadiness',
          summary: 'Readiness',
          security: publicAccess,
          responses: {
            '200': { description: 'Ready' },
            '503': { description: 'A required dependency is down or the process is draining' },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set)',
          security: publicAccess,
          responses: {
            '200': { description: 'Text exposition format' },
            '401': { description: 'METRICS_TOKEN is set and the request did not present it' },
          },
        },
      },
    },
  };
}
