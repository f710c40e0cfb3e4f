import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, NotificationList } from '../../src/notifications/notifications.schemas.js';
import { testEnv } from '../helpers/app.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { api, connect, register, sleep, until, type Account } from '../helpers/live-client.js';

// The embedded default (no Redis, no worker): the server process alone delivers reminders, live,
// and exactly once across a restart.
describe('reminders from the server alone, across restarts', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;
  let ada: Account;

  const start = async () => {
    server = await startServerProcess(env);
    return server;
  };
  const stop = async () => {
    if (server === undefined) return;
    server.child.kill('SIGTERM');
    await server.exited;
    server = undefined;
  };
  const running = () => {
    if (server === undefined) throw new Error('no server running');
    return server;
  };
  const reminders = async () =>
    (await api<NotificationList>(running().url, 'GET', '/notifications', ada.token)).body.data.filter(
      (notification) => notification.type === 'reminder',
    );
  const remindIn = async (ms: number, title: string) => {
    const res = await api<{ id: string }>(running().url, 'POST', '/tasks', ada.token, {
      title,
      remindAt: new Date(Date.now() + ms).toISOString(),
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-reminders-'));
    // The defaults, as `npm start` has them; only the idle poll is shortened for the test's pace.
    env = testEnv(dataDir, { JOBS_IN_PROCESS: 'auto', JOBS_POLL_MS: '100' });
    await start();
    ada = await register(running().url, 'Ada');
  });
  afterAll(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when a reminder falls due, then it is pushed to the open socket and listed, once', async () => {
    const client = await connect(running().url, ada.token);
    const pushed: Notification[] = [];
    client.socket.on('notification', (notification: Notification) => pushed.push(notification));
    try {
      const taskId = await remindIn(1200, 'Call the plumber');
      await sleep(600);
      expect(pushed).toEqual([]);
      await until(() => pushed.length > 0, 8000);
      expect(pushed[0]).toMatchObject({
        type: 'reminder',
        read: false,
        task: { id: taskId, title: 'Call the plumber' },
      });
      const listed = await reminders();
      expect(listed.map((notification) => notification.id)).toEqual([pushed[0]?.id]);
      await sleep(500);
      expect(pushed).toHaveLength(1);
    } finally {
      client.socket.close();
    }
  });

  it('when the server is down while a reminder falls due, then it is delivered after the restart, and none twice', async () => {
    const before = (await reminders()).length;
    await remindIn(800, 'Renew the parking permit');
    await stop();
    await sleep(1200);
    await start();
    const deadline = Date.now() + 8000;
    while ((await reminders()).length < before + 1 && Date.now() < deadline) await sleep(100);
    const after = await reminders();
    expect(after.map((notification) => notification.task?.title)).toEqual([
      'Renew the parking permit',
      'Call the plumber',
    ]);
    // Another restart delivers nothing again.
    await stop();
    await start();
    await sleep(800);
    expect((await reminders()).length).toBe(before + 1);
  });
});
