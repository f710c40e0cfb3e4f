import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { openMongoStorage } from '../../src/storage/mongo/mongo-storage.js';
import { StoreUnavailableError } from '../../src/domain/errors.js';
import type { Storage } from '../../src/storage/storage.js';
import { closedPort } from './mongo-target.js';

describe('MongoDB store while MongoDB is unreachable', () => {
  let storage: Storage;
  let openedInMs: number;

  beforeAll(async () => {
    const port = await closedPort();
    const started = Date.now();
    storage = await openMongoStorage({
      uri: `mongodb://127.0.0.1:${port}/primo?replicaSet=rs0`,
      poolSize: 5,
      logger: createLogger({ level: 'silent', json: true }),
      autoIndex: true,
    });
    openedInMs = Date.now() - started;
  });
  afterAll(async () => {
    await storage?.close();
  });

  it('when the store opens without a reachable MongoDB, then it opens after the short server-selection wait, not 30 s', () => {
    expect(storage.kind).toBe('mongo');
    expect(openedInMs).toBeLessThan(8000);
  });

  it('when data is requested, then every repository fails at once with StoreUnavailableError', async () => {
    const calls: (() => Promise<unknown>)[] = [
      () => storage.users.findByEmail('a@example.test'),
      () => storage.users.create({ email: 'a@example.test', name: 'A', passwordHash: 'h' }, new Date()),
      () =>
        storage.tasks.list(['65f0a0b0c0d0e0f001020304'], {
          filter: {},
          sort: { field: 'createdAt', direction: 'desc' },
          limit: 20,
        }),
      () => storage.tasks.stats(['65f0a0b0c0d0e0f001020304'], { now: new Date() }),
      () => storage.refreshTokens.consume('abc', new Date()),
      () => storage.projects.roleOf('65f0a0b0c0d0e0f001020304', '65f0a0b0c0d0e0f001020304'),
      () => storage.projects.ensurePersonal('65f0a0b0c0d0e0f001020304', new Date()),
      () =>
        storage.projects.removeMember('65f0a0b0c0d0e0f001020304', '65f0a0b0c0d0e0f001020305', {
          now: new Date(),
          actorId: '65f0a0b0c0d0e0f001020304',
        }),
      () => storage.invitations.accept('hash', { id: '65f0a0b0c0d0e0f001020304', email: 'a@example.test' }, new Date()),
    ];
    for (const call of calls) {
      const started = Date.now();
      const error = await call().then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(500);
    }
  });

  it('when readiness pings the store, then it answers false within a second', async () => {
    const started = Date.now();
    expect(await storage.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1100);
  });

  it('when the id is malformed, then lookups answer "not found" without touching MongoDB', async () => {
    expect(await storage.users.findById('{"$ne":null}')).toBeNull();
    expect(await storage.tasks.findById('nope')).toBeNull();
    expect(
      await storage.tasks.delete('65f0a0b0c0d0e0f001020304', 'nope', {
        now: new Date(),
        actorId: '65f0a0b0c0d0e0f001020304',
      }),
    ).toEqual({ kind: 'not_found' });
    expect(await storage.projects.roleOf('nope', '65f0a0b0c0d0e0f001020304')).toBeNull();
    expect(await storage.projects.findForMember('65f0a0b0c0d0e0f001020304', '{"$ne":null}')).toBeNull();
    expect(await storage.invitations.revoke('nope', 'nope', new Date())).toBe(false);
  });
});
