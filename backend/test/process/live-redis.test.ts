import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/changes/changes.schemas.js';
import { testEnv } from '../helpers/app.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { api, connect, register, sleep, until, type Account } from '../helpers/live-client.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable('live delivery with the Socket.IO Redis adapter');

describe.skipIf(!available)('live delivery with Redis configured: the adapter, and Redis going away', () => {
  let dataDir: string;
  let redis: RedisServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let ada: Account;
  let bob: Account;
  let projectId: string;
  const open: Socket[] = [];

  const create = async (title: string) => {
    const res = await api<{ id: string }>(a.url, 'POST', '/tasks', ada.token, { title, projectId });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-live-redis-'));
    redis = await startRedisServer();
    const env = testEnv(dataDir, { LIVE_POLL_MS: '10', REDIS_URL: redis.url });
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    ada = await register(a.url, 'Ada');
    bob = await register(b.url, 'Bob');
    projectId = (await api<{ id: string }>(a.url, 'POST', '/projects', ada.token, { name: 'Redis' })).body.id;
    const invitation = await api<{ token: string }>(a.url, 'POST', `/projects/${projectId}/invitations`, ada.token, {
      email: bob.email,
      role: 'editor',
    });
    expect((await api(b.url, 'POST', '/invitations/accept', bob.token, { token: invitation.body.token })).status).toBe(
      200,
    );
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    for (const server of [a, b]) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when both instances share Redis, then a member on either instance gets each change exactly once', async () => {
    const onA = await connect(a.url, bob.token);
    const onB = await connect(b.url, bob.token);
    open.push(onA.socket, onB.socket);
    const ids = [await create('one'), await create('two'), await create('three')];
    await until(() => onA.changes.length >= 3 && onB.changes.length >= 3);
    await sleep(300);
    for (const client of [onA, onB]) {
      expect(client.changes.map((change) => change.entityId)).toEqual(ids);
    }
  });

  it('when Redis is killed and comes back, then writes keep working, events keep coming, and a reconnecting client catches up', async () => {
    const watching = await connect(b.url, bob.token);
    open.push(watching.socket);
    const start = (await api<{ nextCursor: string }>(b.url, 'GET', '/changes', bob.token)).body.nextCursor;
    await redis.kill();
    const during = [await create('during 1'), await create('during 2')];
    await until(() => watching.changes.filter((change) => during.includes(change.entityId)).length === 2);

    // A client that was away during the outage catches up from the log.
    watching.socket.close();
    const missed = await create('while away');
    await redis.restart();
    const after = await create('after');
    const back = await connect(b.url, bob.token);
    open.push(back.socket);
    const caught = await api<{ data: Change[] }>(b.url, 'GET', `/changes?since=${start}&limit=100`, bob.token);
    expect(caught.status).toBe(200);
    expect(caught.body.data.map((change) => change.entityId)).toEqual([...during, missed, after]);
    const last = await create('live again');
    await until(() => back.changes.some((change) => change.entityId === last));
    expect(back.changes.filter((change) => change.entityId === last)).toHaveLength(1);
  });
});
