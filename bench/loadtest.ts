// `npm run loadtest [-- --users=1000 --rate=2500 --seconds=60 --sweep=600,1200,1800 --sweep-seconds=20 --cpu-prof=DIR]`: the deployment stack on loopback
// (nginx → three instances → one redis-server, one shared SQLite file) under a mixed workload of
// virtual users, each with its own keep-alive connection from its own loopback address.
// Writes bench/results/loadtest.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  requireBinary,
  startNginx,
  type NginxHandle,
  repoPath,
  tempDir,
  startRedis,
  type RedisHandle,
} from '@primo/test-support';
import { HttpClient, jsonOf, percentileOf, sourceAddress, type Reply } from './lib/http-client.js';
import { childPids, cpuMeter, type CpuGroups, type CpuShare } from './lib/cpu.js';
import { finishMachineInfo, machineInfo } from './lib/machine.js';
import { BENCH_PASSWORD, SEARCH_WORD, seedUsers } from './lib/seed-data.js';
import {
  buildBackend,
  productionEnv,
  rssMB,
  startBaseline,
  startPrimo,
  type BaselineHandle,
  type PrimoHandle,
} from './lib/servers.js';

/** The value of `--name=value` on the command line, if given. */
function optionValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv
    .slice(2)
    .find((value) => value.startsWith(prefix))
    ?.slice(prefix.length);
}

function numberArg(name: string, fallback: number): number {
  const text = optionValue(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** `--cpu-prof=DIR`: every instance writes a V8 CPU profile there when it stops (see bench/profile-summary.ts). */
const profileDir = optionValue('cpu-prof');

/** `--sweep=500,1000,1500` (or `none`): after the main run, shorter runs at each of these offered rates. */
function sweepArg(): number[] {
  const text = optionValue('sweep');
  if (text === undefined) return [600, 1200, 1800];
  if (text === 'none') return [];
  const rates = text.split(',').map(Number);
  if (rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
    throw new Error('--sweep must be a comma-separated list of positive rates');
  }
  return rates;
}

const settings = {
  users: numberArg('users', 1000),
  /** Offered load: each user paces itself to users/rate seconds per request (think time included). */
  targetRps: numberArg('rate', 2500),
  seconds: numberArg('seconds', 60),
  sweep: sweepArg(),
  sweepSeconds: numberArg('sweep-seconds', 20),
  instances: 3,
  tasksPerUser: 20,
  /** Cost of the seeded password hashes; logins happen before the measured window. */
  bcryptRounds: 6,
};

type Op = 'create' | 'update' | 'complete' | 'list' | 'filter' | 'search' | 'page' | 'me' | 'refresh' | 'health';

/** The mix from the issue: 40 % writes, 30 % browsing, 20 % session, 10 % health checks. */
const MIX: [Op, number][] = [
  ['create', 16],
  ['update', 14],
  ['complete', 10],
  ['list', 12],
  ['filter', 6],
  ['search', 6],
  ['page', 6],
  ['me', 16],
  ['refresh', 4],
  ['health', 10],
];
const CATEGORY: Record<Op, string> = {
  create: 'write',
  update: 'write',
  complete: 'write',
  list: 'browse',
  filter: 'browse',
  search: 'browse',
  page: 'browse',
  me: 'session',
  refresh: 'session',
  health: 'health',
};
const EXPECTED: Record<Op, number> = {
  create: 201,
  update: 200,
  complete: 200,
  list: 200,
  filter: 200,
  search: 200,
  page: 200,
  me: 200,
  refresh: 200,
  health: 200,
};

function pickOp(random: number): Op {
  let left = random * 100;
  for (const [op, weight] of MIX) {
    left -= weight;
    if (left < 0) return op;
  }
  return 'health';
}

interface VirtualUser {
  index: number;
  email: string;
  client: HttpClient;
  access: string;
  refresh: string;
  taskIds: string[];
  nextCursor: string | null;
  /** Bumped after every successful write: a read repeated within one generation must be a cache HIT. */
  generation: number;
  readAt: Map<string, number>;
  counter: number;
}

interface Outcome {
  op: Op;
  status: number;
  ms: number;
  error?: string;
  cache?: string;
  /** Same user, same URL, no write by the user since the previous read of it. */
  repeatedRead: boolean;
  upstream?: string;
}

const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

async function send(user: VirtualUser, op: Op): Promise<Outcome> {
  const auth = { authorization: `Bearer ${user.access}` };
  let reply: Reply;
  let readUrl: string | undefined;
  const target = user.taskIds[user.counter++ % user.taskIds.length] as string;
  switch (op) {
    case 'create':
      reply = await user.client.request('POST', '/api/v1/tasks', {
        headers: auth,
        body: { title: `Load task ${user.index}-${user.counter}`, priority: 'medium', tags: ['load'] },
      });
      if (reply.status === 201) {
        const id = jsonOf<{ id: string }>(reply)?.id;
        if (id !== undefined) user.taskIds.push(id);
        if (user.taskIds.length > 60) user.taskIds.shift();
      }
      break;
    case 'update':
      reply = await user.client.request('PATCH', `/api/v1/tasks/${target}`, {
        headers: auth,
        body: { title: `Updated ${user.counter}`, priority: user.counter % 2 === 0 ? 'high' : 'low' },
      });
      break;
    case 'complete':
      reply = await user.client.request('PATCH', `/api/v1/tasks/${target}`, {
        headers: auth,
        body: { status: user.counter % 3 === 0 ? 'todo' : 'done' },
      });
      break;
    case 'me':
      reply = await user.client.request('GET', '/api/v1/auth/me', { headers: auth });
      break;
    case 'refresh':
      reply = await user.client.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: user.refresh } });
      if (reply.status === 200) {
        const session = jsonOf<{ accessToken?: unknown; refreshToken?: unknown }>(reply);
        if (typeof session?.accessToken === 'string' && typeof session.refreshToken === 'string') {
          user.access = session.accessToken;
          user.refresh = session.refreshToken;
        }
      }
      break;
    case 'health':
      reply = await user.client.request('GET', '/health/ready');
      break;
    default: {
      readUrl =
        op === 'list'
          ? '/api/v1/tasks'
          : op === 'filter'
            ? '/api/v1/tasks?status=todo,in_progress&sort=-priority'
            : op === 'search'
              ? `/api/v1/tasks?q=${SEARCH_WORD}`
              : user.nextCursor !== null
                ? `/api/v1/tasks?limit=5&cursor=${user.nextCursor}`
                : '/api/v1/tasks?limit=5';
      reply = await user.client.request('GET', readUrl, { headers: auth });
      if (op === 'page' && reply.status === 200)
        user.nextCursor = jsonOf<{ nextCursor: string | null }>(reply)?.nextCursor ?? null;
    }
  }
  const repeatedRead = readUrl !== undefined && user.readAt.get(readUrl) === user.generation;
  if (readUrl !== undefined && reply.status === 200) user.readAt.set(readUrl, user.generation);
  if (CATEGORY[op] === 'write' && reply.status < 300) user.generation += 1;
  const outcome: Outcome = { op, status: reply.status, ms: reply.ms, repeatedRead };
  if (reply.error !== undefined) outcome.error = reply.error;
  if (typeof reply.headers['x-cache'] === 'string') outcome.cache = reply.headers['x-cache'];
  if (typeof reply.headers['x-upstream'] === 'string') outcome.upstream = reply.headers['x-upstream'];
  return outcome;
}

function summarize(outcomes: readonly Outcome[], seconds: number) {
  const ms = outcomes.map((o) => o.ms);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    requests: outcomes.length,
    rps: Math.round(outcomes.length / seconds),
    p50: round(percentileOf(ms, 50)),
    p95: round(percentileOf(ms, 95)),
    p99: round(percentileOf(ms, 99)),
    errors: outcomes.filter((o) => o.status === 0 || o.status >= 500).length,
    unexpected: outcomes.filter((o) => o.status !== 0 && o.status < 500 && o.status !== EXPECTED[o.op]).length,
  };
}

/** A user with the same address and tasks as `user`, starting over against `baseUrl`. */
function freshUser(user: VirtualUser, baseUrl: string, taskIds: readonly string[]): VirtualUser {
  return {
    ...user,
    client: new HttpClient(baseUrl, sourceAddress(user.index), 30_000),
    taskIds: [...taskIds],
    nextCursor: null,
    generation: 0,
    readAt: new Map(),
    counter: 0,
  };
}

interface MixRun {
  outcomes: Outcome[];
  /** Seconds from the first request to the last answer. */
  elapsed: number;
  cpu: CpuShare;
}

/**
 * Every user sends the mix for `settings.seconds`, pacing itself to its share of the offered rate.
 * The operation sequence comes from a fixed seed, so two runs offer the same requests in the same order.
 */
async function runMix(
  users: VirtualUser[],
  cpuGroups: CpuGroups,
  rate = settings.targetRps,
  seconds = settings.seconds,
): Promise<MixRun> {
  const outcomes: Outcome[] = [];
  const intervalMs = (users.length / rate) * 1000;
  const meter = cpuMeter(cpuGroups);
  const windowStart = performance.now();
  const windowEnd = windowStart + seconds * 1000;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  await Promise.all(
    users.map(async (user) => {
      // Spread the first requests over one interval so the users do not start in lockstep.
      let next = windowStart + random() * intervalMs;
      while (next < windowEnd) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        outcomes.push(await send(user, pickOp(random())));
        next += intervalMs * (0.5 + random());
        // A user whose answer came late does not send a burst to catch up.
        next = Math.max(next, performance.now());
      }
    }),
  );
  const elapsed = (performance.now() - windowStart) / 1000;
  return { outcomes, elapsed, cpu: meter.stop() };
}

/** What the load test aims for: throughput, latency bounds and the cache hit rate on repeated reads. */
const GOAL = { rps: 2500, p95Ms: 100, p99Ms: 250, hitRate: 0.9 };

type SweepPoint = ReturnType<typeof summarize> & { withinLatencyGoal: boolean; machineBusy: number };

/** Whether a run kept the goal's latency and error bounds (p95 ≤ 100 ms, p99 ≤ 250 ms, no failures). */
function withinLatencyGoal(summary: ReturnType<typeof summarize>): boolean {
  return summary.p95 <= GOAL.p95Ms && summary.p99 <= GOAL.p99Ms && summary.errors === 0 && summary.unexpected === 0;
}

/** The mix at each `--sweep` rate, `--sweep-seconds` each: how latency follows the offered load. */
async function sweep(label: string, users: VirtualUser[], cpuGroups: CpuGroups): Promise<SweepPoint[]> {
  const points: SweepPoint[] = [];
  for (const rate of settings.sweep) {
    const run = await runMix(users, cpuGroups, rate, settings.sweepSeconds);
    const summary = summarize(run.outcomes, run.elapsed);
    points.push({ ...summary, withinLatencyGoal: withinLatencyGoal(summary), machineBusy: run.cpu.machineBusy });
    log(`  ${label} at ${rate} req/s offered: ${summary.rps} req/s, p95 ${summary.p95} ms, p99 ${summary.p99} ms`);
  }
  return points;
}

/** CPU milliseconds per answered request, per process group. */
function cpuPerRequest(run: MixRun): Record<string, number> {
  return Object.fromEntries(
    Object.entries(run.cpu.seconds).map(([name, seconds]) => [
      name,
      Number(((seconds * 1000) / Math.max(1, run.outcomes.length)).toFixed(3)),
    ]),
  );
}

async function main(): Promise<void> {
  const nginxBinary = requireBinary('nginx', 'npm run loadtest');
  const redisBinary = requireBinary('redis-server', 'npm run loadtest');
  if (nginxBinary === undefined || redisBinary === undefined) {
    throw new Error(
      'the load test needs nginx and redis-server (apt-get install -y --no-install-recommends nginx redis-server)',
    );
  }
  const machine = machineInfo(redisBinary);
  log(
    `load test: ${settings.users} users offering ${settings.targetRps} req/s for ${settings.seconds} s; load ${machine.loadAverageStart.join(' ')}`,
  );
  buildBackend(log);

  const data = tempDir('loadtest-data');
  const spa = tempDir('loadtest-spa');
  writeFileSync(path.join(spa.dir, 'index.html'), '<!doctype html><title>Primo</title>');
  const backends: PrimoHandle[] = [];
  let redis: RedisHandle | undefined;
  let nginx: NginxHandle | undefined;
  const baselines: BaselineHandle[] = [];
  const users: VirtualUser[] = [];
  try {
    log(`seeding ${settings.users} users × ${settings.tasksPerUser} tasks through the repositories…`);
    const seeded = await seedUsers({
      file: path.join(data.dir, 'primo.db'),
      users: settings.users,
      tasksPerUser: settings.tasksPerUser,
      bcryptRounds: settings.bcryptRounds,
    });
    log(`  done in ${seeded.seconds.toFixed(1)} s`);
    redis = await startRedis({ binary: redisBinary });
    const env = productionEnv(data.dir, {
      REDIS_URL: redis.url,
      TRUST_PROXY: '1',
      CACHE_TTL: '300',
      SHUTDOWN_DELAY: '1s',
    });
    const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`];
    for (let i = 0; i < settings.instances; i += 1) backends.push(await startPrimo(env, { nodeArgs }));
    nginx = await startNginx({
      upstreams: backends.map((b) => `127.0.0.1:${b.port}`),
      staticRoot: spa.dir,
      binary: nginxBinary,
    });
    log(`stack up: nginx ${nginx.url} → ${backends.map((b) => b.port).join(', ')}; redis ${redis.url}`);

    // Every user logs in once, through nginx, from its own address (the edge allows 10 logins/min per IP).
    for (let start = 0; start < settings.users; start += 50) {
      await Promise.all(
        seeded.emails.slice(start, start + 50).map(async (email, offset) => {
          const index = start + offset;
          const client = new HttpClient(nginx?.url ?? '', sourceAddress(index), 30_000);
          const reply = await client.request('POST', '/api/v1/auth/login', {
            body: { email, password: BENCH_PASSWORD },
          });
          const session = jsonOf<{ accessToken: string; refreshToken: string }>(reply);
          if (reply.status !== 200 || session === undefined) {
            throw new Error(`login of ${email} answered ${reply.status}: ${reply.body || reply.error}`);
          }
          users[index] = {
            index,
            email,
            client,
            access: session.accessToken,
            refresh: session.refreshToken,
            taskIds: [...(seeded.taskIds[index] ?? [])],
            nextCursor: null,
            generation: 0,
            readAt: new Map(),
            counter: 0,
          };
        }),
      );
    }
    log(`${users.length} users logged in; running the mix for ${settings.seconds} s…`);

    const edge = nginx;
    const primoGroups: CpuGroups = {
      backends: () => backends.map((backend) => backend.pid),
      nginx: () => childPids(edge.pid),
      redis: () => [redis?.pid ?? 0],
    };
    const primo = await runMix(users, primoGroups);
    const { outcomes, elapsed, cpu } = primo;
    const primoSweep = await sweep('Primo', users, primoGroups);
    const rss = backends.map((backend) => rssMB(backend.pid));

    const overall = summarize(outcomes, elapsed);
    const byCategory = Object.fromEntries(
      ['write', 'browse', 'session', 'health'].map((c) => [
        c,
        summarize(
          outcomes.filter((o) => CATEGORY[o.op] === c),
          elapsed,
        ),
      ]),
    );
    const byOp = Object.fromEntries(
      MIX.map(([op]) => [
        op,
        summarize(
          outcomes.filter((o) => o.op === op),
          elapsed,
        ),
      ]),
    );
    const cacheable = outcomes.filter((o) => o.cache !== undefined && o.status === 200);
    const repeated = cacheable.filter((o) => o.repeatedRead);
    const upstreams: Record<string, number> = {};
    for (const o of outcomes) if (o.upstream) upstreams[o.upstream] = (upstreams[o.upstream] ?? 0) + 1;
    const cacheHeaders: Record<string, number> = {};
    for (const o of cacheable) cacheHeaders[o.cache ?? ''] = (cacheHeaders[o.cache ?? ''] ?? 0) + 1;
    // What the instances logged at warn level or above (e.g. Redis judged unavailable under load).
    const instanceLog = backends.map((backend) =>
      backend.process
        .output()
        .split('\n')
        .filter((line) => /"level":"(warn|error)"/.test(line))
        .slice(-5),
    );
    // nginx's own complaints (e.g. running out of worker_connections), grouped by message.
    const edgeErrors: Record<string, number> = {};
    try {
      for (const line of readFileSync(path.join(nginx.prefix, 'logs', 'error.log'), 'utf8').split('\n')) {
        const message = /\[(?:warn|error|alert|crit|emerg)\] \d+#\d+: (?:\*\d+ )?([^,]+)/.exec(line)?.[1];
        if (message !== undefined) edgeErrors[message] = (edgeErrors[message] ?? 0) + 1;
      }
    } catch {
      // no error log written
    }
    const statuses: Record<string, number> = {};
    for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    const errorSamples = outcomes.filter((o) => o.status === 0 || o.status >= 500).slice(0, 5);

    // The same-run baseline: the page Primo just served, answered by three Express 5 + Primo-middleware
    // servers (no auth, store or cache) behind the same nginx configuration, under the same offered mix.
    const firstUser = users[0] as VirtualUser;
    const page = await firstUser.client.request('GET', '/api/v1/tasks', {
      headers: { authorization: `Bearer ${firstUser.access}` },
    });
    if (page.status !== 200) throw new Error(`the first page answered ${page.status}: ${page.body}`);
    for (const user of users) user.client.close();
    await nginx.stop();
    nginx = undefined;
    await Promise.all(backends.splice(0).map((backend) => backend.stop()));
    await redis.stop();
    redis = undefined;
    const pageFile = path.join(spa.dir, 'page.json');
    writeFileSync(pageFile, page.body);
    for (let i = 0; i < settings.instances; i += 1) baselines.push(await startBaseline('stack', pageFile));
    const baselineEdge = await startNginx({
      upstreams: baselines.map((baseline) => new URL(baseline.url).host),
      staticRoot: spa.dir,
      binary: nginxBinary,
    });
    nginx = baselineEdge;
    const baselineUsers = users.map((user) => freshUser(user, baselineEdge.url, seeded.taskIds[user.index] ?? []));
    users.splice(0, users.length, ...baselineUsers);
    log(`baseline: the same mix against ${settings.instances} × Express 5 + Primo middleware behind nginx…`);
    const baselineGroups: CpuGroups = {
      backends: () => baselines.map((server) => server.pid),
      nginx: () => childPids(baselineEdge.pid),
    };
    const baseline = await runMix(baselineUsers, baselineGroups);
    const baselineOverall = summarize(baseline.outcomes, baseline.elapsed);
    const baselineSweep = await sweep('baseline', baselineUsers, baselineGroups);
    const sweepRows = settings.sweep.map((rate, index) => ({
      offered: rate,
      primo: primoSweep[index] as SweepPoint,
      baseline: baselineSweep[index] as SweepPoint,
    }));
    finishMachineInfo(machine);
    const results = {
      generatedAt: new Date().toISOString(),
      machine,
      settings,
      overall,
      cache: {
        readsWithCacheHeader: cacheable.length,
        hitShareAllReads: Number(
          (cacheable.filter((o) => o.cache === 'HIT').length / Math.max(1, cacheable.length)).toFixed(4),
        ),
        headers: cacheHeaders,
        repeatedReads: repeated.length,
        hitRateRepeatedReads: Number(
          (repeated.filter((o) => o.cache === 'HIT').length / Math.max(1, repeated.length)).toFixed(4),
        ),
      },
      byCategory,
      byOp,
      statuses,
      upstreams,
      errorSamples,
      instanceLog,
      edgeErrors,
      rssMB: rss,
      cpu: { ...cpu, msPerRequest: cpuPerRequest(primo) },
      baseline: {
        what: `${settings.instances} × Express 5 with Primo's middleware (bench/baseline-server.ts stack) behind the same nginx, answering every request with a 20-task page`,
        overall: baselineOverall,
        cpu: { ...baseline.cpu, msPerRequest: cpuPerRequest(baseline) },
      },
      sweep: sweepRows,
      vsBaseline: {
        rps: Number((overall.rps / Math.max(1, baselineOverall.rps)).toFixed(2)),
        p95: Number((overall.p95 / Math.max(0.1, baselineOverall.p95)).toFixed(2)),
        p99: Number((overall.p99 / Math.max(0.1, baselineOverall.p99)).toFixed(2)),
      },
      goals: {
        rps: { goal: `>= ${GOAL.rps}`, met: overall.rps >= GOAL.rps },
        p95: { goal: `<= ${GOAL.p95Ms} ms`, met: overall.p95 <= GOAL.p95Ms },
        p99: { goal: `<= ${GOAL.p99Ms} ms`, met: overall.p99 <= GOAL.p99Ms },
        errors: { goal: '0', met: overall.errors === 0 && overall.unexpected === 0 },
        cacheHitRate: {
          goal: `>= ${GOAL.hitRate} on repeated reads`,
          met:
            repeated.length > 0 && repeated.filter((o) => o.cache === 'HIT').length / repeated.length >= GOAL.hitRate,
        },
      },
    };
    const out = repoPath('bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'loadtest.json'), `${JSON.stringify(results, null, 2)}\n`);

    const lines = [
      `| load test (${settings.users} users, offered ${settings.targetRps} req/s, ${settings.seconds} s) | req/s | p50 ms | p95 ms | p99 ms | errors | unexpected |`,
      '|---|---:|---:|---:|---:|---:|---:|',
      ...[['all', overall] as const, ...Object.entries(byCategory)].map(
        ([name, s]) => `| ${name} | ${s.rps} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.errors} | ${s.unexpected} |`,
      ),
      `| baseline: ${settings.instances} × Express 5 + Primo middleware, same mix | ${baselineOverall.rps} | ${baselineOverall.p50} | ${baselineOverall.p95} | ${baselineOverall.p99} | ${baselineOverall.errors} | ${baselineOverall.unexpected} |`,
      '',
      `Primo / baseline: req/s ${results.vsBaseline.rps} ×, p95 ${results.vsBaseline.p95} ×, p99 ${results.vsBaseline.p99} ×.`,
      '',
      `Cache: ${(results.cache.hitRateRepeatedReads * 100).toFixed(1)} % HIT on ${repeated.length} repeated reads ` +
        `(${(results.cache.hitShareAllReads * 100).toFixed(1)} % of all ${cacheable.length} cacheable reads, most of which follow a write). ` +
        `Requests per instance: ${Object.values(upstreams).join(' / ')}. Instance RSS: ${rss.join(' / ')} MB. ` +
        `Load average ${machine.loadAverageStart.join('/')} → ${(machine.loadAverageEnd ?? []).join('/')}.`,
      '',
      ...(
        [
          ['Primo', results.cpu],
          ['baseline', results.baseline.cpu],
        ] as const
      ).map(
        ([name, share]) =>
          `CPU during the ${name} window: machine ${(share.machineBusy * 100).toFixed(0)} % busy; per request ` +
          Object.entries(share.msPerRequest)
            .map(([group, ms]) => `${group} ${ms} ms`)
            .join(', ') +
          '.',
      ),
      '',
      ...(sweepRows.length === 0
        ? []
        : [
            `| offered req/s (${settings.sweepSeconds} s each) | Primo req/s | p50 | p95 | p99 | errors | baseline req/s | p95 | p99 | machine busy (Primo / baseline) |`,
            '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
            ...sweepRows.map(
              ({ offered, primo: p, baseline: b }) =>
                `| ${offered} | ${p.rps}${p.withinLatencyGoal ? '' : ' ✗'} | ${p.p50} | ${p.p95} | ${p.p99} | ${p.errors + p.unexpected} | ` +
                `${b.rps}${b.withinLatencyGoal ? '' : ' ✗'} | ${b.p95} | ${b.p99} | ` +
                `${(p.machineBusy * 100).toFixed(0)} % / ${(b.machineBusy * 100).toFixed(0)} % |`,
            ),
            '',
            '✗: p95 over 100 ms, p99 over 250 ms, or a failed request at that rate.',
            '',
          ]),
      `Goals: ${Object.entries(results.goals)
        .map(([name, g]) => `${name} ${g.goal}: ${g.met ? 'met' : 'MISSED'}`)
        .join('; ')}.`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    if (errorSamples.length > 0) process.stdout.write(`first errors: ${JSON.stringify(errorSamples)}\n`);
    if (Object.keys(edgeErrors).length > 0) process.stdout.write(`nginx error log: ${JSON.stringify(edgeErrors)}\n`);
    log('wrote bench/results/loadtest.json');
  } finally {
    for (const user of users) user?.client.close();
    await nginx?.stop().catch(() => undefined);
    await Promise.all(baselines.map((baseline) => baseline.stop().catch(() => undefined)));
    await Promise.all(backends.map((backend) => backend.stop().catch(() => undefined)));
    await redis?.stop().catch(() => undefined);
    data.remove();
    spa.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `load test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
