import type { z } from 'zod';
import { HttpError, type FieldError } from './problem.js';

type Location = 'body' | 'query' | 'params';

/** Parses one part of the request with its endpoint schema; a mismatch is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}), { reportInput: true });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      return { path: issue.path.join('.') || location, message: `unknown field(s) ${keys}` };
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) {
      return { path: location, message: location === 'body' ? 'must be a JSON object' : 'is not valid' };
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return { path: issue.path.join('.'), message: 'is required' };
    }
    return { path: issue.path.join('.') || location, message: issue.message };
  });
  throw HttpError.validation(errors);
}
