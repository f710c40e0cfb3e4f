import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  requireBinary,
  startBackend,
  startRedis,
  tempDir,
  type BackendHandle,
  type RedisHandle,
} from '@primo/test-support';
import { HttpClient, jsonOf, type Reply } from '../../bench/lib/http-client.js';

const available = requireBinary('redis-server', 'the idempotent-writes kill drill') !== undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const USERS = 8;
const PATCHES_PER_TASK = 2;
const LEASE_MS = 1000;
/** A write that gets no definite answer by then is reported as lost. */
const RETRY_DEADLINE_MS = 20_000;

interface Task {
  id: string;
  title: string;
  version: number;
}

/** What the drill asked for and what the server acknowledged, per user. */
interface Ledger {
  /** Create keys whose create was acknowledged, with the task each produced. */
  created: Map<string, string>;
  /** Per task: how many keyed patches were acknowledged. */
  patched: Map<string, number>;
  retried: number;
  conflicts: number;
}

describe.skipIf(!available)(
  'drill: an instance is killed during a burst of keyed writes, and every retry goes elsewhere',
  () => {
    const data = tempDir('idempotency-drill');
    let redis: RedisHandle;
    const instances: (BackendHandle | null)[] = [null, null];
    let env: Record<string, string>;
    const ledgers: Ledger[] = [];
    const tokens: string[] = [];
    let killedAt = 0;
    let acknowledgedBeforeKill = 0;

    const start = async (index: number, port?: number) => {
      instances[index] = await startBackend({ env, ...(port === undefined ? {} : { port }) });
    };
    const client = new Map<string, HttpClient>();
    const clientFor = (user: number, instance: number) => {
      const backend = instances[instance];
      if (backend === null || backend === undefined) return null;
      const key = `${user}:${backend.url}:${backend.pid}`;
      let found = client.get(key);
      if (found === undefined) {
        found = new HttpClient(backend.url, undefined, 5_000);
        client.set(key, found);
      }
      return found;
    };

    /**
     * Sends one keyed write to `first`, then, while the answer is not definite (no answer, a 5xx, a 409
     * for a key still in flight), the same request with the same key to the other instance.
     */
    async function keyed(user: number, first: number, method: string, path: string, body: object, key: string) {
      const ledger = ledgers[user] as Ledger;
      const deadline = Date.now() + RETRY_DEADLINE_MS;
      let target = first;
      for (let attempt = 0; ; attempt += 1) {
        const http = clientFor(user, target);
        const reply: Reply | null =
          http === null
            ? null
            : await http.request(method, path, {
                body,
                headers: { authorization: `Bearer ${tokens[user]}`, 'idempotency-key': key },
              });
        if (reply !== null && reply.status !== 0 && reply.status < 500 && reply.status !== 409) return reply;
        if (Date.now() > deadline) throw new Error(`${method} ${path} with key ${key} got no definite answer`);
        if (reply?.status === 409) {
          ledger.conflicts += 1;
          await sleep(Number(reply.headers['retry-after'] ?? 1) * 100);
        } else {
          ledger.retried += 1;
          target = 1 - target;
        }
        if (attempt > 200) throw new Error(`${method} ${path} with key ${key} retried too often`);
      }
    }

    async function burst(user: number, until: () => boolean) {
      const ledger = ledgers[user] as Ledger;
      for (let i = 0; !until(); i += 1) {
        const key = `create-${user}-${i}`;
        const created = await keyed(user, i % 2, 'POST', '/api/v1/tasks', { title: key }, key);
        expect(created.status, created.body).toBe(201);
        const task = jsonOf<Task>(created) as Task;
        ledger.created.set(key, task.id);
        for (let p = 0; p < PATCHES_PER_TASK; p += 1) {
          const patchKey = `patch-${user}-${i}-${p}`;
          const patched = await keyed(
            user,
            (i + p + 1) % 2,
            'PATCH',
            `/api/v1/tasks/${task.id}`,
            { description: patchKey },
            patchKey,
          );
          expect(patched.status, patched.body).toBe(200);
          ledger.patched.set(task.id, (ledger.patched.get(task.id) ?? 0) + 1);
        }
      }
    }

    const acknowledged = () => ledgers.reduce((sum, ledger) => sum + ledger.created.size, 0);

    beforeAll(async () => {
      redis = await startRedis();
      env = {
        DATA_DIR: data.dir,
        REDIS_URL: redis.url,
        IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
        RATE_LIMIT_MAX: '1000000',
        AUTH_RATE_LIMIT_MAX: '1000000',
      };
      await start(0);
      await start(1);
      const registrar = new HttpClient((instances[1] as BackendHandle).url);
      for (let user = 0; user < USERS; user += 1) {
        const reply = await registrar.request('POST', '/api/v1/auth/register', {
          body: {
            email: `kill-${user}-${Date.now()}@drill.test`,
            password: 'drill-password-123',
            name: `User ${user}`,
          },
        });
        const token = jsonOf<{ accessToken: string }>(reply)?.accessToken;
        if (reply.status !== 201 || token === undefined) throw new Error(`register answered ${reply.status}`);
        tokens.push(token);
        ledgers.push({ created: new Map(), patched: new Map(), retried: 0, conflicts: 0 });
      }
      registrar.close();

      const started = Date.now();
      const stopAt = started + 5_000;
      const running = Array.from({ length: USERS }, (_, user) => burst(user, () => Date.now() > stopAt));
      await sleep(1_500);
      const victim = instances[0] as BackendHandle;
      acknowledgedBeforeKill = acknowledged();
      killedAt = Date.now() - started;
      victim.kill('SIGKILL');
      instances[0] = null;
      await sleep(1_000);
      await start(0, victim.port);
      await Promise.all(running);
      console.info(
        `kill drill: ${acknowledged()} keyed creates (${acknowledgedBeforeKill} before the SIGKILL at ${killedAt} ms), ` +
          `${ledgers.reduce((sum, l) => sum + l.retried, 0)} retries elsewhere, ` +
          `${ledgers.reduce((sum, l) => sum + l.conflicts, 0)} answers of 409 while a key was held`,
      );
    }, 120_000);

    afterAll(async () => {
      for (const http of client.values()) http.close();
      await Promise.all(instances.map((instance) => instance?.stop()));
      await redis?.stop();
      data.remove();
    });

    /** Every task of a user, through the surviving instance. */
    async function tasksOf(user: number): Promise<Task[]> {
      const http = clientFor(user, 1) as HttpClient;
      const all: Task[] = [];
      let cursor: string | null = null;
      do {
        const reply = await http.request(
          'GET',
          `/api/v1/tasks?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
          { headers: { authorization: `Bearer ${tokens[user]}` } },
        );
        const page = jsonOf<{ data: Task[]; nextCursor: string | null }>(reply);
        if (reply.status !== 200 || page === undefined) throw new Error(`list answered ${reply.status}`);
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return all;
    }

    it('when the burst is over, then writes were acknowledged before and after the kill', () => {
      expect(acknowledgedBeforeKill).toBeGreaterThan(USERS);
      expect(acknowledged()).toBeGreaterThan(acknowledgedBeforeKill + USERS);
    });

    it('when creates were retried with their key, then each key made exactly one task and every acknowledged one exists', async () => {
      for (let user = 0; user < USERS; user += 1) {
        const ledger = ledgers[user] as Ledger;
        const byTitle = new Map<string, string[]>();
        for (const task of await tasksOf(user)) byTitle.set(task.title, [...(byTitle.get(task.title) ?? []), task.id]);
        for (const [key, id] of ledger.created) expect(byTitle.get(key), key).toEqual([id]);
        // Nothing but the acknowledged creates exists: no retry left a second task behind.
        expect([...byTitle.keys()].sort()).toEqual([...ledger.created.keys()].sort());
      }
    });

    it('when patches were retried with their key, then each applied once: every version has exactly one change', async () => {
      for (let user = 0; user < USERS; user += 1) {
        const http = clientFor(user, 1) as HttpClient;
        const ledger = ledgers[user] as Ledger;
        for (const task of await tasksOf(user)) {
          const patches = ledger.patched.get(task.id) ?? 0;
          expect(task.version, task.title).toBe(1 + patches);
          const reply = await http.request('GET', `/api/v1/tasks/${task.id}/activity?limit=100`, {
            headers: { authorization: `Bearer ${tokens[user]}` },
          });
          const activity = jsonOf<{ data: { version: number; type: string }[] }>(reply)?.data ?? [];
          expect(
            activity.map((change) => change.version),
            task.title,
          ).toEqual(Array.from({ length: task.version }, (_, i) => task.version - i));
          expect(activity.at(-1)?.type).toBe('task.created');
        }
      }
    });
  },
);
