import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureBackendBuilt,
  httpRequest,
  requireBinary,
  startBackend,
  startNginx,
  startRedis,
  tempDir,
  type BackendHandle,
  type HttpResponse,
  type NginxHandle,
  type RedisHandle,
} from '@primo/test-support';

const nginxBinary = requireBinary('nginx', 'the nginx load-balancer integration test');
const redisBinary = requireBinary('redis-server', 'the nginx load-balancer integration test');

/** Per-IP budget of login/register attempts on the backends; small so the test reaches it fast. */
const AUTH_LIMIT = 3;

interface Session {
  token: string;
  ip: string;
}

/** Each scenario acts from its own loopback address, so per-IP limits of one never touch another. */
let nextIp = 10;
function freshIp(): string {
  nextIp += 1;
  return `127.0.0.${nextIp}`;
}

function upstreamOf(response: HttpResponse): string[] {
  const header = response.headers['x-upstream'];
  return typeof header === 'string' ? header.split(/\s*,\s*/).filter((part) => part !== '') : [];
}

describe.skipIf(!nginxBinary || !redisBinary)('nginx in front of three backends sharing Redis and one database', () => {
  const data = tempDir('cluster-data');
  const site = tempDir('cluster-spa');
  let redis: RedisHandle | undefined;
  const backends: BackendHandle[] = [];
  let nginx: NginxHandle | undefined;
  let addresses: string[] = [];

  async function api(
    method: string,
    pathName: string,
    options: { session?: Session; ip?: string; body?: object; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.session) headers.authorization = `Bearer ${options.session.token}`;
    return httpRequest(`${nginx?.url}${pathName}`, {
      method,
      headers,
      body: options.body,
      localAddress: options.ip ?? options.session?.ip,
    });
  }

  async function register(ip: string, label: string): Promise<HttpResponse> {
    return api('POST', '/api/v1/auth/register', {
      ip,
      body: {
        email: `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`,
        password: 'correct horse 1',
        name: label,
      },
    });
  }

  async function newSession(label: string): Promise<Session> {
    const ip = freshIp();
    const response = await register(ip, label);
    expect(response.status, response.body).toBe(201);
    return { token: response.json<{ accessToken: string }>().accessToken, ip };
  }

  beforeAll(async () => {
    ensureBackendBuilt();
    mkdirSync(path.join(site.dir, 'assets'));
    writeFileSync(path.join(site.dir, 'index.html'), '<!doctype html><title>Primo</title><div id="root"></div>\n');
    writeFileSync(path.join(site.dir, 'assets', 'index-a1b2c3d4.js'), 'console.log("primo");\n');

    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      DATA_DIR: data.dir,
      TRUST_PROXY: '1',
      AUTH_RATE_LIMIT_MAX: String(AUTH_LIMIT),
      RATE_LIMIT_MAX: '100000',
    };
    // The first instance creates the shared SQLite schema; the other two then open it.
    backends.push(await startBackend({ env }));
    backends.push(...(await Promise.all([startBackend({ env }), startBackend({ env })])));
    addresses = backends.map((backend) => `127.0.0.1:${backend.port}`);
    nginx = await startNginx({ upstreams: addresses, staticRoot: site.dir });
    // Generous: a stale backend/dist is rebuilt first, which takes a while on a busy two-core machine.
  }, 300_000);

  afterAll(async () => {
    // Every child goes, whatever happened above; nginx first so it stops sending traffic.
    await Promise.allSettled([nginx?.stop()]);
    await Promise.allSettled(backends.map((backend) => backend.stop()));
    await Promise.allSettled([redis?.stop()]);
    data.remove();
    site.remove();
  });

  it('when a browser opens a live socket through nginx, then the upgrade reaches a backend and changes arrive', async () => {
    const session = await newSession('live');
    const socket = io(nginx?.url ?? '', {
      path: '/socket.io/',
      transports: ['websocket'],
      auth: { token: session.token },
      reconnection: false,
      localAddress: session.ip,
    } as Parameters<typeof io>[1]);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      // The session's own earlier changes (its Inbox being created) may still be on their way: keep them all.
      const changes: Array<{ type: string; entityId: string }> = [];
      socket.on('change', (change: { type: string; entityId: string }) => changes.push(change));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const created = await api('POST', '/api/v1/tasks', { session, body: { title: 'Live through nginx' } });
      expect(created.status, created.body).toBe(201);
      const id = created.json<{ id: string }>().id;
      const deadline = Date.now() + 5000;
      while (!changes.some((change) => change.entityId === id) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(changes.filter((change) => change.entityId === id)).toEqual([
        expect.objectContaining({ type: 'task.created', entityId: id }),
      ]);
    } finally {
      socket.close();
    }
  });

  it('when many requests arrive, then least_conn spreads them over all three backends', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, () => api('GET', '/health/ready')));
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    const served = new Set(responses.flatMap(upstreamOf));
    expect([...served].sort()).toEqual([...addresses].sort());
  });

  it('when the SPA and the API are used through nginx, then both work and the request id is passed on', async () => {
    const page = await api('GET', '/tasks/anything');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(upstreamOf(page)).toEqual([]);

    const session = await newSession('spa-user');
    const created = await api('POST', '/api/v1/tasks', {
      session,
      body: { title: 'Through the edge', tags: ['edge'] },
      headers: { 'x-request-id': 'edge-create-1' },
    });
    expect(created.status, created.body).toBe(201);
    expect(created.headers['x-request-id']).toBe('edge-create-1');
    expect(created.headers['x-frame-options']).toBe('DENY');
    const id = created.json<{ id: string }>().id;

    // A write on one instance is visible on every instance: read it back from each of them.
    const seenBy = new Set<string>();
    for (let attempt = 0; attempt < 12 && seenBy.size < 3; attempt += 1) {
      const reads = await Promise.all([0, 1, 2].map(() => api('GET', `/api/v1/tasks/${id}`, { session })));
      for (const read of reads) {
        expect(read.status, read.body).toBe(200);
        expect(read.json<{ title: string }>().title).toBe('Through the edge');
        for (const upstream of upstreamOf(read)) seenBy.add(upstream);
      }
    }
    expect(seenBy.size).toBe(3);

    const generated = await api('GET', '/health/live');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{16,}$/);
  });

  it('when /metrics is asked for through nginx, then it is not reachable although the backends serve it', async () => {
    const direct = await httpRequest(`${backends[0]?.url}/metrics`);
    expect(direct.status).toBe(200);
    const edge = await api('GET', '/metrics');
    expect(edge.status).toBe(404);
    expect(upstreamOf(edge)).toEqual([]);
  });

  it('when TRUST_PROXY=1, then the backends count the real client IP, which a spoofed X-Forwarded-For cannot change', async () => {
    const clientA = freshIp();
    const clientB = freshIp();
    for (let i = 0; i < AUTH_LIMIT; i += 1) {
      const accepted = await register(clientA, 'proxy-a');
      expect(accepted.status, accepted.body).toBe(201);
    }
    const limited = await register(clientA, 'proxy-a');
    expect(limited.status).toBe(429);
    expect(upstreamOf(limited)).toHaveLength(1);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);

    const spoofed = await api('POST', '/api/v1/auth/register', {
      ip: clientA,
      headers: { 'x-forwarded-for': '203.0.113.77' },
      body: { email: `spoof-${Date.now()}@example.test`, password: 'correct horse 1', name: 'spoof' },
    });
    expect(spoofed.status).toBe(429);

    // Were the backends seeing nginx's address, this client would share clientA's exhausted budget.
    const other = await register(clientB, 'proxy-b');
    expect(other.status, other.body).toBe(201);
  });

  it('when one client hammers the login endpoint, then the login zone answers 429 at the edge', async () => {
    const ip = freshIp();
    const responses: HttpResponse[] = [];
    for (let i = 0; i < 10; i += 1) {
      responses.push(
        await api('POST', '/api/v1/auth/login', {
          ip,
          body: { email: 'nobody@example.test', password: 'wrong password' },
        }),
      );
    }
    // rate=10r/m with burst=5: six attempts pass nginx (the backend answers 401, or its own 429), the rest stop at the edge.
    for (const passed of responses.slice(0, 6)) {
      expect(upstreamOf(passed)).toHaveLength(1);
      expect([401, 429]).toContain(passed.status);
    }
    for (const rejected of responses.slice(6)) {
      expect(rejected.status).toBe(429);
      expect(upstreamOf(rejected)).toEqual([]);
      expect(rejected.headers['retry-after']).toBe('60');
      expect(rejected.json<{ status: number }>().status).toBe(429);
    }
    // The zone is per client: another address still reaches a backend.
    const neighbour = await api('POST', '/api/v1/auth/login', {
      ip: freshIp(),
      body: { email: 'somebody-else@example.test', password: 'wrong password' },
    });
    expect(neighbour.status).toBe(401);
  });

  // A backend killed under steady load is the drill in tests/drills/backend-crash.test.ts.
  it('when a POST is in flight to a backend that dies, then nginx answers 502 and never replays it elsewhere', async () => {
    const session = await newSession('post');
    const victim = backends[1] as BackendHandle;
    const victimAddress = `127.0.0.1:${victim.port}`;
    // A stopped process still accepts connections (the kernel queues them) but never answers:
    // whatever nginx sends it is in flight until the process is killed.
    victim.kill('SIGSTOP');

    const pending = new Map<string, Promise<HttpResponse>>();
    const settled = new Set<string>();
    for (let batch = 0; batch < 5; batch += 1) {
      for (let i = 0; i < 4; i += 1) {
        const title = `in-flight ${batch}-${i}`;
        const request = api('POST', '/api/v1/tasks', { session, body: { title } });
        void request.then(
          () => settled.add(title),
          () => settled.add(title),
        );
        pending.set(title, request);
      }
      await new Promise((r) => setTimeout(r, 400));
      if (settled.size < pending.size) break;
    }
    expect(settled.size).toBeLessThan(pending.size);

    victim.kill('SIGKILL');
    await victim.process.exited;
    const outcomes = new Map<string, HttpResponse>();
    for (const [title, request] of pending) outcomes.set(title, await request);

    // A POST that reached the victim comes back 502 naming the victim as the last (and only live) try;
    // one that was replayed would come back 201 with the victim earlier in the list.
    const inFlight: string[] = [];
    for (const [title, response] of outcomes) {
      const tried = upstreamOf(response);
      if (response.status === 502) {
        expect(tried.at(-1), title).toBe(victimAddress);
        inFlight.push(title);
      } else {
        expect(response.status, `${title}: ${response.body}`).toBe(201);
        expect(tried, title).not.toContain(victimAddress);
      }
    }
    expect(inFlight.length).toBeGreaterThan(0);

    const listed = await api('GET', '/api/v1/tasks?limit=100', { session });
    expect(listed.status).toBe(200);
    const titles = listed.json<{ data: Array<{ title: string }> }>().data.map((task) => task.title);
    for (const title of pending.keys()) {
      const copies = titles.filter((t) => t === title).length;
      expect(copies, title).toBe(inFlight.includes(title) ? 0 : 1);
    }
  });
});
