import { z } from 'zod';
import { emailSchema } from '../auth/auth.schemas.js';
import {
  INVITABLE_ROLES,
  PROJECT_DESCRIPTION_MAX,
  PROJECT_LIST_LIMIT_DEFAULT,
  PROJECT_LIST_LIMIT_MAX,
  PROJECT_NAME_MAX,
  PROJECT_ROLES,
} from './project.model.js';

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(PROJECT_NAME_MAX, `must be at most ${PROJECT_NAME_MAX} characters`);
const description = z
  .string({ error: 'must be a string' })
  .max(PROJECT_DESCRIPTION_MAX, `must be at most ${PROJECT_DESCRIPTION_MAX} characters`);
const color = z
  .string({ error: 'must be a string' })
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb')
  .transform((value) => value.toLowerCase())
  .nullable();
const role = z.enum(PROJECT_ROLES, { error: `must be one of ${PROJECT_ROLES.join(', ')}` });
const invitableRole = z.enum(INVITABLE_ROLES, { error: `must be one of ${INVITABLE_ROLES.join(', ')}` });

/** Body of POST /api/v1/projects. */
export const createProjectBody = z.strictObject({
  name,
  description: description.optional(),
  color: color.optional(),
});

/** Body of PATCH /api/v1/projects/:id: any non-empty subset. */
export const updateProjectBody = z
  .strictObject({ name: name.optional(), description: description.optional(), color: color.optional() })
  .refine((body) => Object.keys(body).length > 0, 'must change at least one field');

export const listProjectsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z.number().min(1, 'must be at least 1').max(PROJECT_LIST_LIMIT_MAX, `must be at most ${PROJECT_LIST_LIMIT_MAX}`),
    )
    .default(PROJECT_LIST_LIMIT_DEFAULT),
  cursor: z.string().min(1).max(512).optional(),
});

export const projectIdParam = z.strictObject({ id: z.string() });
export const memberParams = z.strictObject({ id: z.string(), userId: z.string() });
export const invitationParams = z.strictObject({ id: z.string(), invitationId: z.string() });

/** Body of PATCH /api/v1/projects/:id/members/:userId. */
export const updateMemberBody = z.strictObject({ role });

/** Body of POST /api/v1/projects/:id/invitations. */
export const createInvitationBody = z.strictObject({
  email: emailSchema,
  role: invitableRole,
});

/** Body of POST /api/v1/invitations/accept. */
export const acceptInvitationBody = z.strictObject({
  token: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  color: z.string().nullable(),
  personal: z.boolean(),
  role,
  memberCount: z.number().int().min(1),
  openTaskCount: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int().min(1),
});

export const projectListSchema = z.object({ data: z.array(projectSchema), nextCursor: z.string().nullable() });

export const memberSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  role,
  joinedAt: z.string(),
});

export const memberListSchema = z.object({ data: z.array(memberSchema) });

export const invitationSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  email: z.string(),
  role: invitableRole,
  invitedBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const createdInvitationSchema = invitationSchema.extend({ token: z.string() });
export const invitationListSchema = z.object({ data: z.array(invitationSchema) });

export type Project = z.infer<typeof projectSchema>;
export type ProjectList = z.infer<typeof projectListSchema>;
export type Member = z.infer<typeof memberSchema>;
export type MemberList = z.infer<typeof memberListSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;
export type CreateProjectInput = z.input<typeof createProjectBody>;
export type UpdateProjectInput = z.input<typeof updateProjectBody>;
export type CreateInvitationInput = z.input<typeof createInvitationBody>;
