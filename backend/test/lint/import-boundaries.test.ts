import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot });

/** The import-boundary messages ESLint reports for `code` as if it were the file at `path`. */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${path}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((message) => message.message);
}

describe('backend import direction (lint)', () => {
  it.each([
    [
      'a service importing an adapter',
      'backend/src/tasks/tasks.service.ts',
      "import { x } from '../storage/sqlite/sqlite-storage.js';",
    ],
    [
      'a service importing HTTP helpers',
      'backend/src/tasks/tasks.service.ts',
      "import { HttpError } from '../http/problem.js';",
    ],
    ['a service importing express', 'backend/src/auth/auth.service.ts', "import type { Request } from 'express';"],
    [
      'an adapter importing a zod schema module',
      'backend/src/storage/sqlite/sqlite-tasks.repository.ts',
      "import { createTaskBody } from '../../tasks/tasks.schemas.js';",
    ],
    [
      'an adapter importing HTTP errors',
      'backend/src/storage/mongo/mongo-errors.ts',
      "import { HttpError } from '../../http/problem.js';",
    ],
    [
      'a route importing from storage',
      'backend/src/tasks/tasks.routes.ts',
      "import { newObjectId } from '../storage/sqlite/sqlite-users.repository.js';",
    ],
    ['a route importing mongoose', 'backend/src/tasks/tasks.routes.ts', "import mongoose from 'mongoose';"],
    [
      'a route importing the storage port',
      'backend/src/observability/health.routes.ts',
      "import type { Storage } from '../storage/storage.js';",
    ],
    ['the domain model importing zod', 'backend/src/tasks/task.model.ts', "import { z } from 'zod';"],
    [
      'a port importing the wire mapper',
      'backend/src/tasks/tasks.repository.ts',
      "import { toTask } from './tasks.wire.js';",
    ],
    ['the response cache importing ioredis', 'backend/src/cache/response-cache.ts', "import { Redis } from 'ioredis';"],
    [
      'the wire contract importing a schema value',
      'backend/src/contract/wire.ts',
      "import { taskSchema } from '../tasks/tasks.schemas.js';",
    ],
  ])('when %s, then lint fails', async (_name, path, code) => {
    expect(
      await boundaryErrors(path, `${code}\nexport const used = [${code.includes('{ x }') ? 'x' : '0'}];\n`),
    ).not.toEqual([]);
  });

  it.each([
    [
      'a service importing its port and domain errors',
      'backend/src/tasks/tasks.service.ts',
      "import type { TaskRepository } from './tasks.repository.js';\nimport { TaskNotFound } from '../domain/errors.js';",
    ],
    [
      'an adapter importing the domain model',
      'backend/src/storage/sqlite/sqlite-tasks.repository.ts',
      "import { PRIORITY_RANK } from '../../tasks/task.model.js';\nimport Database from 'better-sqlite3';",
    ],
    [
      'a route importing its schemas and wire mapper',
      'backend/src/tasks/tasks.routes.ts',
      "import { createTaskBody } from './tasks.schemas.js';\nimport { toTask } from './tasks.wire.js';",
    ],
    [
      'the Redis connection importing ioredis',
      'backend/src/cache/redis-connection.ts',
      "import { Redis } from 'ioredis';",
    ],
    [
      'the wire contract re-exporting schema types',
      'backend/src/contract/wire.ts',
      "import type { Task } from '../tasks/tasks.schemas.js';",
    ],
    [
      'the composition root importing an adapter',
      'backend/src/runtime.ts',
      "import { openStorage } from './storage/open-storage.js';",
    ],
  ])('when %s, then lint passes', async (_name, path, code) => {
    expect(await boundaryErrors(path, code)).toEqual([]);
  });
});
