import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../src/changes/changes.schemas.js';
import { testEnv } from '../helpers/app.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { api, connect, refusal, register, sleep, until, type Account } from '../helpers/live-client.js';

describe('live delivery over Socket.IO across two instances sharing one store', () => {
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  let ada: Account;
  let bob: Account;
  let carol: Account;
  let projectId: string;
  const open: Socket[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-live-'));
    const env = testEnv(dataDir, { LIVE_MAX_PER_USER: '3', LIVE_POLL_MS: '10' });
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    ada = await register(a.url, 'Ada');
    bob = await register(b.url, 'Bob');
    carol = await register(b.url, 'Carol');
    projectId = (await api<{ id: string }>(a.url, 'POST', '/projects', ada.token, { name: 'Live' })).body.id;
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
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when a handshake carries no valid token, or a user holds too many sockets, then it is refused with a reason', async () => {
    expect(await refusal(b.url, 'not-a-token')).toBe('unauthorized');
    const held = [];
    for (let i = 0; i < 3; i += 1) held.push(await connect(b.url, carol.token));
    expect(await refusal(b.url, carol.token)).toBe('too many connections');
    for (const client of held) client.socket.close();
  });

  it('when Ada writes through instance A, then Bob on B gets every change in order and Carol, no member, none', async () => {
    const bobs = await connect(b.url, bob.token);
    const carols = await connect(b.url, carol.token);
    const adas = await connect(a.url, ada.token);
    open.push(bobs.socket, carols.socket, adas.socket);

    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await api<{ id: string }>(a.url, 'POST', '/tasks', ada.token, { title: `t${i}`, projectId })).body.id);
    }
    await api(a.url, 'PATCH', `/tasks/${ids[0]}`, ada.token, { status: 'done' });
    await api(a.url, 'POST', '/tasks', ada.token, { title: 'private' });

    await until(() => bobs.changes.length >= 6);
    await sleep(200);
    expect(bobs.changes.map((change) => [change.type, change.entityId])).toEqual([
      ...ids.map((id) => ['task.created', id]),
      ['task.updated', ids[0]],
    ]);
    expect(bobs.changes[5]).toMatchObject({
      projectId,
      version: 2,
      actor: { id: ada.id, name: 'Ada' },
      fields: [{ field: 'status', from: 'todo', to: 'done' }],
    });
    const seqs = bobs.changes.map((change) => Number(change.seq));
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(carols.changes).toEqual([]);
    // Ada's own socket gets her Inbox task too, and the same project changes.
    await until(() => adas.changes.length >= 7);
    expect(adas.changes.filter((change) => change.projectId === projectId)).toHaveLength(6);

    // Each instance reports the sockets it holds and the changes it handed out.
    const scrape = await (await fetch(`${b.url}/metrics`)).text();
    expect(Number(/^live_connections (\d+)/m.exec(scrape)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^live_changes_delivered_total (\d+)/m.exec(scrape)?.[1])).toBeGreaterThanOrEqual(6);

    // Catch-up from the last position delivered finds nothing more.
    const rest = await api<{ data: Change[] }>(b.url, 'GET', `/changes?since=${seqs.at(-1)}`, bob.token);
    expect(rest.body.data).toEqual([]);
  });

  it('when Bob drops and reconnects while Ada keeps writing, then live events and the catch-up together hold every change once, in order', async () => {
    const first = await connect(b.url, bob.token);
    open.push(first.socket);
    let writing = true;
    const created: string[] = [];
    const writer = (async () => {
      while (writing) {
        const on = created.length % 2 === 0 ? a.url : b.url;
        created.push(
          (await api<{ id: string }>(on, 'POST', '/tasks', ada.token, { title: 'burst', projectId })).body.id,
        );
      }
    })();
    await until(() => first.changes.length >= 5);
    first.socket.close();
    await until(() => created.length >= first.changes.length + 20);
    const last = first.changes.at(-1)?.seq as string;
    // Reconnect first, then read what was missed: an event may arrive both ways, never neither.
    const second = await connect(a.url, bob.token);
    open.push(second.socket);
    const missed: Change[] = [];
    for (let since = last; ;) {
      const page = await api<{ data: Change[]; nextCursor: string }>(
        a.url,
        'GET',
        `/changes?since=${since}&limit=7`,
        bob.token,
      );
      missed.push(...page.body.data);
      since = page.body.nextCursor;
      if (page.body.data.length < 7) break;
    }
    await until(() => second.changes.length >= 5);
    writing = false;
    await writer;
    await until(
      () => new Set([...first.changes, ...missed, ...second.changes].map((c) => c.seq)).size >= created.length,
    );
    const bySeq = new Map([...first.changes, ...missed, ...second.changes].map((change) => [change.seq, change]));
    const seen = [...bySeq.values()].sort((x, y) => Number(x.seq) - Number(y.seq));
    expect(seen.map((change) => change.entityId)).toEqual(created);
    expect(seen.every((change) => change.type === 'task.created')).toBe(true);
  });

  it('when Ada creates a project with her sockets open, then they follow it on every instance without reconnecting', async () => {
    const onA = await connect(a.url, ada.token);
    const onB = await connect(b.url, ada.token);
    open.push(onA.socket, onB.socket);
    const created = (await api<{ id: string }>(a.url, 'POST', '/projects', ada.token, { name: 'Fresh' })).body.id;
    const task = (await api<{ id: string }>(b.url, 'POST', '/tasks', ada.token, { title: 'first', projectId: created }))
      .body.id;
    for (const client of [onA, onB]) {
      await until(() => client.changes.some((change) => change.entityId === task));
      expect(client.changes.map((change) => [change.type, change.entityId])).toEqual([
        ['project.created', created],
        ['task.created', task],
      ]);
    }
  });

  it('when Bob is removed, then he is told, and no later change of the project reaches him on any instance', async () => {
    const onB = await connect(b.url, bob.token);
    const onA = await connect(a.url, bob.token);
    open.push(onB.socket, onA.socket);
    expect((await api(a.url, 'DELETE', `/projects/${projectId}/members/${bob.id}`, ada.token)).status).toBe(204);
    await until(() => onB.changes.length >= 1 && onA.changes.length >= 1);
    for (const client of [onB, onA]) {
      expect(client.changes.map((change) => change.type)).toEqual(['member.removed']);
    }
    await api(a.url, 'POST', '/tasks', ada.token, { title: 'after Bob', projectId });
    await sleep(400);
    expect(onB.changes).toHaveLength(1);
    expect(onA.changes).toHaveLength(1);
  });

  it('when an instance shuts down, then its sockets are told to reconnect before they close', async () => {
    const client = await connect(a.url, ada.token);
    const hint = new Promise<unknown>((resolve) => client.socket.once('shutdown', resolve));
    const closed = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    a.child.kill('SIGTERM');
    expect(await hint).toEqual({ reconnect: true });
    expect(await closed).toBeTruthy();
    expect(await a.exited).toBe(0);
    // The other instance goes on serving live sockets.
    const survivor = await connect(b.url, ada.token);
    open.push(survivor.socket);
    await api(b.url, 'POST', '/tasks', ada.token, { title: 'after A', projectId });
    await until(() => survivor.changes.length >= 1);
    a = await startServerProcess(testEnv(dataDir, { LIVE_POLL_MS: '10' }));
  });
});

describe('live delivery and token expiry', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-live-expiry-'));
    server = await startServerProcess(testEnv(dataDir, { JWT_EXPIRE: '2s', LIVE_POLL_MS: '10' }));
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when the token expires, then events stop until a fresh token is sent', async () => {
    const ada = await register(server.url, 'Ada');
    const client = await connect(server.url, ada.token);
    const expired = new Promise<void>((resolve) => client.socket.once('expired', () => resolve()));
    await expired;
    // Only task changes matter below (registration's own change may arrive around the connect).
    const tasksSeen = () => client.changes.filter((change) => change.type.startsWith('task.'));
    // A write made with a fresh session reaches no one through the expired socket.
    const login = await api<{ accessToken: string }>(server.url, 'POST', '/auth/login', null, {
      email: ada.email,
      password: 'correct horse battery',
    });
    const fresh = login.body.accessToken;
    await api(server.url, 'POST', '/tasks', fresh, { title: 'unseen' });
    await sleep(300);
    expect(tasksSeen()).toEqual([]);

    const ack = await client.socket.emitWithAck('auth', { token: fresh });
    expect(ack).toEqual({ ok: true });
    await sleep(100);
    await api(server.url, 'POST', '/tasks', fresh, { title: 'seen' });
    await until(() => tasksSeen().length === 1);
    expect(tasksSeen()[0]).toMatchObject({ type: 'task.created', actor: { id: ada.id } });
    expect(await client.socket.emitWithAck('auth', { token: 'forged' })).toEqual({ ok: false });
    client.socket.close();
  });
});
