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
  let c: ServerProcess;
  let ada: Account;
  let bob: Account;
  let carol: Account;
  let dan: Account;
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
    c = await startServerProcess(env);
    ada = await register(a.url, 'Ada');
    bob = await register(b.url, 'Bob');
    carol = await register(c.url, 'Carol');
    dan = await register(c.url, 'Dan');
    projectId = (await api<{ id: string }>(a.url, 'POST', '/projects', ada.token, { name: 'Redis' })).body.id;
    for (const member of [bob, dan]) {
      const invitation = await api<{ token: string }>(a.url, 'POST', `/projects/${projectId}/invitations`, ada.token, {
        email: member.email,
        role: 'editor',
      });
      const accepted = await api(c.url, 'POST', '/invitations/accept', member.token, { token: invitation.body.token });
      expect(accepted.status).toBe(200);
    }
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    for (const server of [a, b, c]) {
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

  it('when Ada writes through A, then members on B and C get every change in order, a non-member none, and a removed member nothing after the removal', async () => {
    const bobOnB = await connect(b.url, bob.token);
    const danOnC = await connect(c.url, dan.token);
    const carolOnC = await connect(c.url, carol.token);
    open.push(bobOnB.socket, danOnC.socket, carolOnC.socket);
    const ids = [await create('a'), await create('b'), await create('c')];
    await until(() => bobOnB.changes.length >= 3 && danOnC.changes.length >= 3);
    for (const client of [bobOnB, danOnC]) expect(client.changes.map((change) => change.entityId)).toEqual(ids);

    expect((await api(a.url, 'DELETE', `/projects/${projectId}/members/${dan.id}`, ada.token)).status).toBe(204);
    await until(() => danOnC.changes.some((change) => change.type === 'member.removed'));
    const later = await create('after Dan left');
    await until(() => bobOnB.changes.some((change) => change.entityId === later));
    await sleep(300);
    expect(danOnC.changes.map((change) => change.type)).toEqual([
      'task.created',
      'task.created',
      'task.created',
      'member.removed',
    ]);
    expect(carolOnC.changes).toEqual([]);
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
