import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, NotificationList } from '../../src/notifications/notifications.schemas.js';
import { testEnv } from '../helpers/app.js';
import { runWorkerToExit, startServerProcess, startWorkerProcess, type ServerProcess } from '../helpers/process.js';
import { api, connect, register, sleep, until, type Account } from '../helpers/live-client.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const available = redisServerAvailable('the worker with BullMQ on a real redis-server');

/** Every reminder notification of the user, all pages. */
async function allReminders(base: string, token: string): Promise<Notification[]> {
  const found: Notification[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=100' : `?limit=100&cursor=${cursor}`;
    const page = await api<NotificationList>(base, 'GET', `/notifications${query}`, token);
    expect(page.status).toBe(200);
    found.push(...page.body.data.filter((notification) => notification.type === 'reminder'));
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return found;
}

describe.skipIf(!available)('the worker: BullMQ queues on Redis, the API process delivering nothing itself', () => {
  let dataDir: string;
  let redis: RedisServer;
  let env: Record<string, string>;
  let server: ServerProcess;
  const workers: ServerProcess[] = [];
  let ada: Account;
  let bob: Account;
  let projectId: string;

  const stop = async (process: ServerProcess, signal: NodeJS.Signals = 'SIGTERM') => {
    process.child.kill(signal);
    return process.exited;
  };
  const startWorker = async () => {
    const worker = await startWorkerProcess(env);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-worker-'));
    redis = await startRedisServer();
    // A short job lock, so that the jobs of a killed worker come back within the test's patience.
    env = testEnv(dataDir, {
      REDIS_URL: redis.url,
      JOBS_POLL_MS: '100',
      WORKER_LOCK_MS: '2000',
      LIVE_POLL_MS: '10',
      LOG_LEVEL: process.env.WORKER_TEST_LOG ?? 'silent',
    });
    server = await startServerProcess(env);
    await startWorker();
    await startWorker();
    ada = await register(server.url, 'Ada');
    bob = await register(server.url, 'Bob');
    projectId = (await api<{ id: string }>(server.url, 'POST', '/projects', ada.token, { name: 'Ops' })).body.id;
    const invitation = await api<{ token: string }>(
      server.url,
      'POST',
      `/projects/${projectId}/invitations`,
      ada.token,
      {
        email: bob.email,
        role: 'editor',
      },
    );
    expect(
      (await api(server.url, 'POST', '/invitations/accept', bob.token, { token: invitation.body.token })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    for (const process of [server, ...workers]) {
      if (process !== undefined && process.child.exitCode === null && process.child.signalCode === null)
        await stop(process);
    }
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when a task is assigned and its reminder falls due, then a worker delivers both, live through the API instance', async () => {
    const client = await connect(server.url, bob.token);
    const pushed: Notification[] = [];
    client.socket.on('notification', (notification: Notification) => pushed.push(notification));
    try {
      const task = await api<{ id: string }>(server.url, 'POST', '/tasks', ada.token, {
        title: 'Rotate the keys',
        projectId,
        assigneeId: bob.id,
        remindAt: new Date(Date.now() + 1500).toISOString(),
      });
      expect(task.status).toBe(201);
      await until(() => pushed.length >= 2, 10_000);
      expect(pushed.map((notification) => notification.type)).toEqual(['assigned', 'reminder']);
      expect(pushed[1]).toMatchObject({ task: { id: task.body.id, title: 'Rotate the keys' } });
      await sleep(500);
      expect(pushed).toHaveLength(2);
    } finally {
      client.socket.close();
    }
  });

  it('when a reminder is moved before those already queued, then it is delivered at its new instant, once', async () => {
    const later = await api<{ id: string }>(server.url, 'POST', '/tasks', bob.token, {
      title: 'Renew the certificate',
      projectId,
      remindAt: new Date(Date.now() + 40_000).toISOString(),
    });
    const moved = await api<{ id: string }>(server.url, 'POST', '/tasks', bob.token, {
      title: 'Call the registrar',
      projectId,
      remindAt: new Date(Date.now() + 45_000).toISOString(),
    });
    try {
      // Both are queued by now; the queue's sweep has passed the instant the reminder moves to.
      await sleep(1_000);
      const remindAt = Date.now() + 1_500;
      const patched = await api(server.url, 'PATCH', `/tasks/${moved.body.id}`, bob.token, {
        remindAt: new Date(remindAt).toISOString(),
      });
      expect(patched.status).toBe(200);
      const delivered = async () =>
        (await allReminders(server.url, bob.token)).filter((notification) => notification.task?.id === moved.body.id);
      const deadline = Date.now() + 10_000;
      while ((await delivered()).length === 0 && Date.now() < deadline) await sleep(100);
      const [reminder, ...again] = await delivered();
      expect(again).toEqual([]);
      expect(new Date(reminder?.createdAt ?? 0).getTime()).toBeGreaterThanOrEqual(remindAt);
      expect(new Date(reminder?.createdAt ?? 0).getTime()).toBeLessThan(remindAt + 5_000);
    } finally {
      for (const task of [later, moved]) await api(server.url, 'DELETE', `/tasks/${task.body.id}`, bob.token);
    }
  });

  it('when a repeating task is completed, then the recurrence queue creates its next occurrence once', async () => {
    const due = Date.UTC(2031, 5, 2, 8);
    const task = await api<{ id: string }>(server.url, 'POST', '/tasks', ada.token, {
      title: 'Patch the servers',
      projectId,
      dueDate: new Date(due).toISOString(),
      recurrence: { rule: 'FREQ=MONTHLY', from: 'due' },
    });
    await api(server.url, 'PATCH', `/tasks/${task.body.id}`, ada.token, { status: 'done' });
    const search = async () =>
      (
        await api<{ data: Array<{ status: string; dueDate: string }> }>(
          server.url,
          'GET',
          `/tasks?projectId=${projectId}&q=${encodeURIComponent('Patch the servers')}`,
          ada.token,
        )
      ).body.data;
    const deadline = Date.now() + 10_000;
    while ((await search()).length < 2 && Date.now() < deadline) await sleep(100);
    await sleep(500);
    const found = await search();
    expect(found.map((item) => item.status).sort()).toEqual(['done', 'todo']);
    expect(found.find((item) => item.status === 'todo')?.dueDate).toBe(new Date(Date.UTC(2031, 6, 2, 8)).toISOString());
  });

  it('when a worker is killed while 200 reminders fall due, then every one is delivered exactly once', async () => {
    const before = (await allReminders(server.url, ada.token)).length;
    const start = Date.now() + 2500;
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const res = await api<{ id: string }>(server.url, 'POST', '/tasks', ada.token, {
        title: `Drill ${i}`,
        remindAt: new Date(start + (i % 40) * 50).toISOString(),
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // Kill one worker abruptly just as they fall due; a new one joins.
    await sleep(Math.max(0, start - Date.now() + 300));
    const victim = workers.find((worker) => worker.child.exitCode === null && worker.child.signalCode === null);
    if (victim === undefined) throw new Error('no worker running');
    await stop(victim, 'SIGKILL');
    await startWorker();

    const deadline = Date.now() + 30_000;
    let delivered = await allReminders(server.url, ada.token);
    while (delivered.length < before + 200 && Date.now() < deadline) {
      await sleep(250);
      delivered = await allReminders(server.url, ada.token);
    }
    const drilled = delivered.filter((notification) => ids.includes(notification.task?.id ?? ''));
    expect(drilled).toHaveLength(200);
    expect(new Set(drilled.map((notification) => notification.task?.id)).size).toBe(200);
    // Nothing arrives twice later, when the stalled jobs of the killed worker are taken back.
    await sleep(3000);
    expect((await allReminders(server.url, ada.token)).length).toBe(before + 200);
  });

  it('when Redis restarts empty while reminders are scheduled, then they are queued again and delivered once', async () => {
    const before = (await allReminders(server.url, ada.token)).length;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await api<{ id: string }>(server.url, 'POST', '/tasks', ada.token, {
        title: `After the restart ${i}`,
        remindAt: new Date(Date.now() + 3000).toISOString(),
      });
      ids.push(res.body.id);
    }
    // Let the leader queue them as delayed jobs, then lose Redis and everything in it.
    await sleep(800);
    await redis.restart();
    const deadline = Date.now() + 20_000;
    let delivered = await allReminders(server.url, ada.token);
    while (delivered.length < before + 5 && Date.now() < deadline) {
      await sleep(250);
      delivered = await allReminders(server.url, ada.token);
    }
    expect(delivered.filter((notification) => ids.includes(notification.task?.id ?? ''))).toHaveLength(5);
    await sleep(1000);
    expect((await allReminders(server.url, ada.token)).length).toBe(before + 5);
  });

  it('when the worker is scraped, then queue depth, age, processed and failed counts and delivery lag are there', async () => {
    const worker = workers.find(
      (candidate) => candidate.child.exitCode === null && candidate.child.signalCode === null,
    );
    if (worker === undefined) throw new Error('no worker running');
    expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    for (const queue of ['changes', 'reminders', 'recurrence']) {
      expect(text).toMatch(new RegExp(`primo_queue_jobs\\{queue="${queue}",state="waiting"\\} \\d+`));
      expect(text).toMatch(new RegExp(`primo_queue_oldest_waiting_seconds\\{queue="${queue}"\\} [\\d.]+`));
      expect(text).toContain(`primo_jobs_failed_total{queue="${queue}"}`);
    }
    expect(text).toMatch(/primo_jobs_processed_total\{queue="changes"\} \d+/);
    expect(text).toMatch(/primo_reminder_delivery_lag_seconds_count \d+/);
  });

  it('when a worker gets SIGTERM, then it finishes and exits 0; without Redis it refuses to start', async () => {
    const worker = await startWorker();
    expect(await stop(worker)).toBe(0);
    const { REDIS_URL: _redis, ...withoutRedis } = env;
    const refused = await runWorkerToExit(withoutRedis);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('The worker needs Redis');
  });
});
