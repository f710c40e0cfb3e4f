import { z } from 'zod';
import { RECURRENCE_FROM } from '../tasks/recurrence.js';
import { CHANGE_LIST_LIMIT_DEFAULT, CHANGE_LIST_LIMIT_MAX, CHANGE_TYPES, parseSeq } from './change.model.js';

const limit = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(CHANGE_LIST_LIMIT_MAX, `must be at most ${CHANGE_LIST_LIMIT_MAX}`))
  .default(CHANGE_LIST_LIMIT_DEFAULT);
/** A position as this API hands it out (`seq`, `nextCursor`). */
const position = z
  .string()
  .refine((value) => parseSeq(value) !== null, 'must be a position this API returned (seq or nextCursor)')
  .transform((value) => parseSeq(value) ?? 0);

export const listChangesQuery = z.strictObject({ since: position.optional(), limit });
export const activityQuery = z.strictObject({ cursor: position.optional(), limit });

const fieldValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string()),
  z.object({ rule: z.string(), from: z.enum(RECURRENCE_FROM) }),
]);

export const changeSchema = z.object({
  seq: z.string(),
  projectId: z.string(),
  type: z.enum(CHANGE_TYPES),
  entityId: z.string(),
  version: z.number().int(),
  actor: z.object({ id: z.string(), name: z.string() }),
  at: z.string(),
  fields: z.array(z.object({ field: z.string(), from: fieldValue, to: fieldValue })),
});
export const changeListSchema = z.object({ data: z.array(changeSchema), nextCursor: z.string() });
export const activityListSchema = z.object({ data: z.array(changeSchema), nextCursor: z.string().nullable() });

export type Change = z.infer<typeof changeSchema>;
export type ChangeList = z.infer<typeof changeListSchema>;
export type ActivityList = z.infer<typeof activityListSchema>;
