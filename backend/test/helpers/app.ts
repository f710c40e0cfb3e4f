import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Storage } from '../../src/storage/storage.js';

export interface TestApp {
  app: Express;
  runtime: Runtime;
  dataDir: string;
  close(): Promise<void>;
}

/** Environment for a quiet, fast test instance; callers override any variable. */
export function testEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    DATA_DIR: dataDir,
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    STATIC_DIR: path.join(dataDir, 'no-spa'),
    // Background work runs where a test asks for it (JOBS_IN_PROCESS=true), not beside every other test.
    JOBS_IN_PROCESS: 'false',
    ...env,
  };
}

/** A full app (auth, tasks, cache, limiters) on a fresh SQLite file, or on a shared `storage`; `clock` pins the time. */
export async function createTestApp(
  options: { env?: Record<string, string>; storage?: Storage; clock?: Clock } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'primo-test-'));
  const config = loadConfig(testEnv(dataDir, options.env), '1.0.0-test');
  const logger = createLogger({ level: config.log.level, json: true, filePath: config.log.filePath });
  const runtime = await createRuntime(config, logger, {
    storage: options.storage,
    processMetrics: false,
    clock: options.clock,
  });
  return {
    app: runtime.app,
    runtime,
    dataDir,
    close: async () => {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let userCounter = 0;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

/** Registers a fresh user through the API and returns its tokens. */
export async function registerUser(app: Express, overrides: { email?: string; name?: string } = {}): Promise<TestUser> {
  userCounter += 1;
  const email = overrides.email ?? `user${userCounter}-${process.pid}-${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const res = await request(app)
    .post('/api/v1/auth/register')
    .send({ email, password, name: overrides.name ?? `User ${userCounter}` })
    .expect(201);
  const body = res.body as { user: { id: string }; accessToken: string; refreshToken: string };
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    auth: { Authorization: `Bearer ${body.accessToken}` },
  };
}
