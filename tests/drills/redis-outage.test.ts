import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, jsonOf } from '../../bench/lib/http-client.js';
import { registerUsers, stackAvailable, startDrillStack, type DrillStack, type DrillUser } from './support/stack.js';
import { describeSamples, p99, SteadyLoad, summaryLine } from './support/steady-load.js';

const available = stackAvailable('the redis-outage drill');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Readiness {
  status: number;
  cache?: string;
  database?: string;
}

async function readiness(url: string): Promise<Readiness> {
  const client = new HttpClient(url);
  try {
    const reply = await client.request('GET', '/health/ready', { timeoutMs: 5_000 });
    const body = jsonOf<{ checks?: { cache?: string; database?: string } }>(reply);
    return { status: reply.status, cache: body?.checks?.cache, database: body?.checks?.database };
  } finally {
    client.close();
  }
}

/** Polls until every instance's readiness shows `cache`, or the deadline passes; returns the last answers. */
async function waitForCacheState(stack: DrillStack, cache: string, timeoutMs: number): Promise<Readiness[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(stack.backends.map((backend) => readiness(backend.url)));
    if (answers.every((answer) => answer.cache === cache) || Date.now() > deadline) return answers;
    await sleep(100);
  }
}

/** Reads the same list twice in a row until the second read is a HIT; returns how long that took (or null). */
async function waitForCacheHit(user: DrillUser, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    await user.client.request('GET', '/api/v1/tasks?limit=7', { headers: user.auth });
    const second = await user.client.request('GET', '/api/v1/tasks?limit=7', { headers: user.auth });
    if (second.headers['x-cache'] === 'HIT') return Date.now() - started;
    await sleep(200);
  }
  return null;
}

describe.skipIf(!available)('drill: redis-server is killed under load, then restarted', () => {
  let stack: DrillStack;
  let users: DrillUser[];
  let load: SteadyLoad;
  const marks = { killed: 0, restarted: 0 };
  let whileDown: Readiness[] = [];
  let afterRestart: Readiness[] = [];
  let hitAfterMs: number | null = null;
  let pidsBefore: number[] = [];
  let hitsBeforeKill = 0;

  beforeAll(async () => {
    stack = await startDrillStack();
    pidsBefore = stack.backends.map((backend) => backend.pid);
    users = await registerUsers(stack.url, 12, 'redis');
    load = new SteadyLoad(users, ['create', 'list', 'list', 'get', 'get', 'list'], { label: 'redis' });
    load.start();
    await sleep(5_000);
    hitsBeforeKill = load.samples.filter((s) => s.cache === 'HIT').length;
    marks.killed = load.now();
    await stack.killRedis();
    whileDown = await waitForCacheState(stack, 'down', 5_000);
    await sleep(4_000);
    marks.restarted = load.now();
    await stack.restartRedis();
    afterRestart = await waitForCacheState(stack, 'up', 10_000);
    hitAfterMs = await waitForCacheHit(users[0] as DrillUser, 10_000);
    await sleep(1_000);
    await load.stop();
    console.info(summaryLine('redis, before the kill', load.between(1_000, marks.killed)));
    console.info(summaryLine('redis, while down', load.between(marks.killed, marks.restarted)));
    console.info(
      summaryLine(
        'redis, after restart',
        load.between(marks.restarted),
        `first HIT ${String(hitAfterMs)} ms after restart`,
      ),
    );
  });

  afterAll(async () => {
    for (const user of users ?? []) user.client.close();
    await stack?.stop();
  });

  it('when the cache dies, then no request fails', () => {
    expect(load.between(marks.killed, marks.restarted).length).toBeGreaterThan(200);
    const failed = load.samples.filter((s) => s.status === 0 || s.status >= 500);
    expect(failed, describeSamples(failed)).toEqual([]);
    const other = load.samples.filter((s) => s.status !== 200 && s.status !== 201);
    expect(other, describeSamples(other)).toEqual([]);
  });

  it('when the cache dies, then p99 latency stays under three times its value before the kill', () => {
    expect(hitsBeforeKill).toBeGreaterThan(0);
    // The first second of load warms connections and the JIT; it is not the steady state.
    const before = p99(load.between(1_000, marks.killed));
    const during = p99(load.between(marks.killed, marks.restarted));
    expect(during, `p99 before ${before.toFixed(1)} ms, during the outage ${during.toFixed(1)} ms`).toBeLessThan(
      3 * before,
    );
    // Commands fail at once on a closed connection: nothing waits for the reconnect or the 2 s connect timeout.
    expect(during).toBeLessThan(1_000);
  });

  it('when the cache dies, then readiness stays 200 and reports the cache down', () => {
    expect(whileDown).toEqual(stack.backends.map(() => ({ status: 200, cache: 'down', database: 'up' })));
    const bypassed = load.between(marks.killed + 500, marks.restarted).filter((s) => s.op !== 'create');
    expect(bypassed.length).toBeGreaterThan(0);
    expect(
      bypassed.every((s) => s.cache === 'BYPASS'),
      describeSamples(bypassed.filter((s) => s.cache !== 'BYPASS')),
    ).toBe(true);
  });

  it('when redis-server is back, then cache HITs return without restarting any backend', () => {
    expect(afterRestart).toEqual(stack.backends.map(() => ({ status: 200, cache: 'up', database: 'up' })));
    expect(hitAfterMs).not.toBeNull();
    expect(stack.backends.map((backend) => backend.pid)).toEqual(pidsBefore);
    expect(stack.backends.every((backend) => !backend.process.hasExited())).toBe(true);
    const hitsAfter = load.between(marks.restarted).filter((s) => s.cache === 'HIT');
    expect(hitsAfter.length).toBeGreaterThan(0);
  });
});
