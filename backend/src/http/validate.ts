import type { z } from 'zod';
import type { FieldError } from '../domain/errors.js';
import { HttpError } from './problem.js';

type Location = 'body' | 'query' | 'params';

/** Parses one part of the request with its endpoint schema; a mismatch is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}), { reportInput: true });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.flatMap((issue): FieldError | FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      // Each unknown field under its own path, like any other bad field.
      return issue.keys.map((key) => ({ path: [...issue.path, key].join('.'), message: 'unknown field' }));
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
