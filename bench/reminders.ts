// `npm run bench:reminders [-- --quick] [-- --cpu-prof=DIR]`: reminders on loopback, in both runtime modes. 10,000
// reminders are scheduled, 500 of them falling due in the same minute; each delivery's lag runs from
// its `remindAt` to its notification being stored. With Redis (an API instance and two workers on one
// redis-server) the API's throughput against an Express stack measured alongside is then compared
// with the worker idle and with it busy delivering a stream of reminders. Writes
// bench/results/reminders.json and reminders.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { findBinary, repoPath, startBackend, startRedis, tempDir, type RedisHandle } from '@primo/test-support';
import { personalProjectId } from '../backend/src/projects/project.model.js';
import { openSqliteStorage } from '../backend/src/storage/sqlite/sqlite-storage.js';
import { call, register, type BenchAccount } from './lib/api.js';
import { processCpuSeconds } from './lib/cpu.js';
import { percentileOf } from './lib/http-client.js';
import { measure, type Measured } from './lib/measure.js';
import { fakeTask, randomSource } from './lib/seed-data.js';
import { buildBackend, productionEnv, startBaseline, startPrimo, type PrimoHandle } from './lib/servers.js';

const quick = process.argv.includes('--quick');
/** `--cpu-prof=DIR`: the API and every worker write a V8 CPU profile there when they stop (see bench/profile-summary.ts). */
const profileDir = process.argv.find((value) => value.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`];
const settings = {
  scheduled: quick ? 2_000 : 10_000,
  /** Of those, falling due within one window, spread evenly across it. */
  dueInWindow: quick ? 100 : 500,
  windowSeconds: quick ? 20 : 60,
  /** From the last reminder scheduled to the window's start. */
  leadSeconds: 10,
  workers: 2,
  /** Reminders falling due per second while the worker is busy. */
  busyRate: 200,
  connections: 50,
  warmupSeconds: quick ? 1 : 2,
  scenarioSeconds: quick ? 3 : 10,
};
/** The most a reminder may be late (p99). */
const LAG_LIMIT_MS = 2_000;
/** The least share of its idle-worker ratio the API keeps with the worker busy. */
const BUSY_LIMIT = 0.9;
const DAY_MS = 86_400_000;
const OUT = repoPath('bench', 'results');
const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (value: number) => Number(value.toFixed(1));

type Mode = 'worker' | 'in-process';

interface Lag {
  due: number;
  delivered: number;
  /** Tasks notified more than once. */
  twice: number;
  /** Reminders not yet due that were delivered anyway. */
  early: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface Deployment {
  api: PrimoHandle;
  workers: { url: string; pid: number; stop(): Promise<void> }[];
  file: string;
  stop(): Promise<void>;
}

async function deploy(mode: Mode, redis: RedisHandle | null): Promise<Deployment> {
  const data = tempDir(`bench-reminders-${mode}`);
  const env = productionEnv(data.dir, {
    BCRYPT_ROUNDS: '4',
    CACHE_TTL: '0',
    ...(redis === null ? {} : { REDIS_URL: redis.url }),
  });
  const api = await startPrimo(env, { nodeArgs });
  const workers: Deployment['workers'] = [];
  if (mode === 'worker') {
    for (let i = 0; i < settings.workers; i += 1) {
      const worker = await startBackend({
        entry: 'build-as-is',
        bareEnv: true,
        env,
        program: 'worker',
        nodeArgs,
        readyTimeoutMs: 60_000,
      });
      workers.push({ url: worker.url, pid: worker.pid, stop: () => worker.process.stop('SIGTERM', 10_000).then() });
    }
  }
  return {
    api,
    workers,
    file: path.join(data.dir, 'primo.db'),
    stop: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await api.stop();
      data.remove();
    },
  };
}

/**
 * Writes reminders straight into the store the servers share, as a burst of API writes would leave
 * it (the change log included): `at(i)` is the i-th reminder's instant. Answers their task ids.
 */
async function scheduleInStore(
  file: string,
  owner: BenchAccount,
  count: number,
  at: (i: number) => number,
): Promise<Map<string, number>> {
  const storage = openSqliteStorage({ file });
  const random = randomSource(count);
  const scheduled = new Map<string, number>();
  try {
    for (let i = 0; i < count; i += 1) {
      const remindAt = at(i);
      const input = { ...fakeTask(random, Date.now()), status: 'todo' as const, remindAt: new Date(remindAt) };
      const task = await storage.tasks.create(personalProjectId(owner.id), owner.id, input, new Date());
      scheduled.set(task.id, remindAt);
    }
  } finally {
    await storage.close();
  }
  return scheduled;
}

/** Creates reminders through the API, eight at a time: `at(i)` is the i-th reminder's instant. */
async function scheduleThroughApi(
  base: string,
  owner: BenchAccount,
  count: number,
  at: (i: number) => number,
): Promise<Map<string, number>> {
  const scheduled = new Map<string, number>();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const remindAt = at(i);
      const task = await call<{ id: string }>(base, 'POST', '/tasks', owner.token, {
        title: `Reminder ${i}`,
        remindAt: new Date(remindAt).toISOString(),
      });
      scheduled.set(task.id, remindAt);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return scheduled;
}

/** Every reminder notification of `owner`: stored instant by task id (all of them, for the count of repeats). */
async function reminderNotifications(base: string, owner: BenchAccount): Promise<Map<string, number[]>> {
  const byTask = new Map<string, number[]>();
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '?limit=100' : `?limit=100&cursor=${cursor}`;
    const page = await call<{
      data: { type: string; createdAt: string; task?: { id: string } }[];
      nextCursor: string | null;
    }>(base, 'GET', `/notifications${query}`, owner.token);
    for (const notification of page.data) {
      if (notification.type !== 'reminder' || notification.task === undefined) continue;
      byTask.set(notification.task.id, [
        ...(byTask.get(notification.task.id) ?? []),
        Date.parse(notification.createdAt),
      ]);
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  return byTask;
}

/** Waits until every reminder due by now in `due` is delivered (or `patienceMs` passes), then measures. */
async function lagOf(
  base: string,
  owner: BenchAccount,
  due: Map<string, number>,
  notDue: Map<string, number>,
  patienceMs: number,
): Promise<Lag> {
  const deadline = Date.now() + patienceMs;
  let delivered = await reminderNotifications(base, owner);
  const arrived = () => [...due.keys()].filter((id) => delivered.has(id)).length;
  while (arrived() < due.size && Date.now() < deadline) {
    await sleep(1_000);
    delivered = await reminderNotifications(base, owner);
  }
  const lags: number[] = [];
  let twice = 0;
  for (const [taskId, remindAt] of due) {
    const stored = delivered.get(taskId);
    if (stored === undefined) continue;
    if (stored.length > 1) twice += 1;
    lags.push(Math.max(0, Math.min(...stored) - remindAt));
  }
  const now = Date.now();
  const early = [...notDue].filter(([taskId, remindAt]) => remindAt > now && delivered.has(taskId)).length;
  return {
    due: due.size,
    delivered: lags.length,
    twice,
    early,
    p50: round1(percentileOf(lags, 50)),
    p95: round1(percentileOf(lags, 95)),
    p99: round1(percentileOf(lags, 99)),
    max: round1(Math.max(0, ...lags)),
  };
}

/** 10,000 reminders, 500 of them due in one window: how late each of those is delivered. */
async function measureLag(deployment: Deployment, mode: Mode): Promise<Lag> {
  const owner = await register(deployment.api.url, `lag-${mode}`);
  const far = settings.scheduled - settings.dueInWindow;
  const random = randomSource(1);
  log(`${mode}: scheduling ${far} reminders due in the coming week…`);
  const later = await scheduleInStore(deployment.file, owner, far, () => Date.now() + DAY_MS * (0.1 + 6.9 * random()));
  // The window starts after its reminders are scheduled; they are set through the API, as people set them.
  const apiRate = 400;
  const windowStart = Date.now() + (settings.dueInWindow / apiRate + settings.leadSeconds) * 1000;
  const spacing = (settings.windowSeconds * 1000) / settings.dueInWindow;
  log(
    `${mode}: ${settings.dueInWindow} reminders due in the ${settings.windowSeconds} s from ${new Date(windowStart).toISOString()}…`,
  );
  const due = await scheduleThroughApi(
    deployment.api.url,
    owner,
    settings.dueInWindow,
    (i) => windowStart + i * spacing,
  );
  if (Date.now() >= windowStart) throw new Error('scheduling ran into the window; lower the API rate assumed');
  await sleep(windowStart + settings.windowSeconds * 1000 - Date.now());
  const lag = await lagOf(deployment.api.url, owner, due, later, 30_000);
  log(
    `${mode}: ${lag.delivered}/${lag.due} delivered, lag p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms; ${lag.twice} twice, ${lag.early} early`,
  );
  return lag;
}

interface Round {
  stack: Measured;
  list: Measured;
  create: Measured;
  /** Reminders delivered per second during the round, and the workers' CPU share of one core. */
  remindersPerSecond: number;
  workerCpu: number;
}

/** What the workers have delivered so far, from their /metrics. */
async function remindersProcessed(deployment: Deployment): Promise<number> {
  let total = 0;
  for (const worker of deployment.workers) {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    const match = /^primo_jobs_processed_total\{queue="reminders"\}\s+([\d.e+]+)/m.exec(text);
    total += match ? Number(match[1]) : 0;
  }
  return total;
}

/** The API against an Express stack, with the worker idle or busy. */
async function measureRound(
  deployment: Deployment,
  stackUrl: string,
  owner: BenchAccount,
  label: string,
): Promise<Round> {
  const auth = { authorization: `Bearer ${owner.token}` };
  let creates = 0;
  const create: AutocannonRequest = {
    method: 'POST',
    path: '/api/v1/tasks',
    headers: { ...auth, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ title: `Round task ${++creates}`, priority: 'low' }) }),
  };
  const run = (url: string, requests?: AutocannonRequest[]) =>
    measure({
      url,
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      duration: settings.scenarioSeconds,
      ...(requests === undefined ? {} : { requests }),
    });
  const cpuBefore = deployment.workers.reduce((sum, worker) => sum + processCpuSeconds(worker.pid), 0);
  const processedBefore = await remindersProcessed(deployment);
  const begin = performance.now();
  // The stack before and after, so that it sees the worker's load as the API's two runs between them do.
  const stackBefore = await run(stackUrl);
  const list = await run(deployment.api.url, [{ method: 'GET', path: '/api/v1/tasks', headers: auth }]);
  const createRun = await run(deployment.api.url, [create]);
  const stackAfter = await run(stackUrl);
  const stack = { ...stackAfter, rps: Math.round((stackBefore.rps + stackAfter.rps) / 2) };
  const seconds = (performance.now() - begin) / 1000;
  const cpuAfter = deployment.workers.reduce((sum, worker) => sum + processCpuSeconds(worker.pid), 0);
  const round: Round = {
    stack,
    list,
    create: createRun,
    remindersPerSecond: round1(((await remindersProcessed(deployment)) - processedBefore) / seconds),
    workerCpu: Number(((cpuAfter - cpuBefore) / seconds).toFixed(2)),
  };
  log(
    `${label}: stack ${stack.rps}, list ${list.rps}, create ${createRun.rps} req/s; ` +
      `${round.remindersPerSecond} reminders/s delivered, workers ${Math.round(round.workerCpu * 100)} % of a core`,
  );
  return round;
}

/** Rounds with the worker idle, busy, idle again; in the busy one reminders fall due at `busyRate`. */
async function measureBusy(deployment: Deployment) {
  const owner = await register(deployment.api.url, 'busy');
  const page = tempDir('bench-reminders-page');
  const pageFile = path.join(page.dir, 'page.json');
  for (let i = 0; i < 50; i += 1)
    await call(deployment.api.url, 'POST', '/tasks', owner.token, { title: `Listed ${i}` });
  writeFileSync(
    pageFile,
    await (
      await fetch(`${deployment.api.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${owner.token}` } })
    ).text(),
  );
  const stack = await startBaseline('stack', pageFile);
  try {
    const idleBefore = await measureRound(deployment, stack.url, owner, 'worker idle');
    const roundSeconds = 4 * (settings.warmupSeconds + settings.scenarioSeconds) + 5;
    const count = settings.busyRate * roundSeconds;
    const recipient = await register(deployment.api.url, 'recipient');
    const lead = 3_000 + count / 2; // the store takes about half a millisecond per write
    const start = Date.now() + lead;
    log(`scheduling ${count} reminders due over ${roundSeconds} s…`);
    const due = await scheduleInStore(deployment.file, recipient, count, (i) => start + (i / settings.busyRate) * 1000);
    await sleep(Math.max(0, start - Date.now()));
    const busy = await measureRound(deployment, stack.url, owner, 'worker busy');
    const lag = await lagOf(deployment.api.url, recipient, due, new Map(), 60_000);
    log(`busy: ${lag.delivered}/${lag.due} delivered, lag p99 ${lag.p99} ms`);
    const idleAfter = await measureRound(deployment, stack.url, owner, 'worker idle again');
    return { idle: [idleBefore, idleAfter], busy, busyLag: lag };
  } finally {
    await stack.stop();
    page.remove();
  }
}

async function main(): Promise<void> {
  buildBackend(log);
  const redisBinary = findBinary('redis-server');
  if (redisBinary === undefined)
    throw new Error('redis-server is needed for the worker; install it (apt-get install redis-server)');
  const lag: Partial<Record<Mode, Lag>> = {};

  const inProcess = await deploy('in-process', null);
  try {
    lag['in-process'] = await measureLag(inProcess, 'in-process');
  } finally {
    await inProcess.stop();
  }

  const redis = await startRedis({ binary: redisBinary });
  const withWorker = await deploy('worker', redis);
  let busy: Awaited<ReturnType<typeof measureBusy>>;
  try {
    lag.worker = await measureLag(withWorker, 'worker');
    busy = await measureBusy(withWorker);
  } finally {
    await withWorker.stop();
    await redis.stop();
  }

  const ratio = (round: Round, kind: 'list' | 'create') => round[kind].rps / round.stack.rps;
  const scenario = (kind: 'list' | 'create') => {
    const idle = (ratio(busy.idle[0] as Round, kind) + ratio(busy.idle[1] as Round, kind)) / 2;
    const whileBusy = ratio(busy.busy, kind);
    const [before, after] = busy.idle as [Round, Round];
    return {
      idleRps: Math.round((before[kind].rps + after[kind].rps) / 2),
      busyRps: busy.busy[kind].rps,
      idleRatio: Number(idle.toFixed(3)),
      busyRatio: Number(whileBusy.toFixed(3)),
      kept: Number((whileBusy / idle).toFixed(2)),
      busyP99: busy.busy[kind].p99,
      idleP99: round1((before[kind].p99 + after[kind].p99) / 2),
    };
  };
  const scenarios = { list: scenario('list'), create: scenario('create') };
  const lagMet = (value: Lag | undefined) =>
    value !== undefined &&
    value.p99 <= LAG_LIMIT_MS &&
    value.delivered === value.due &&
    value.twice === 0 &&
    value.early === 0;
  const results = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    settings,
    lag,
    busy: {
      remindersPerSecond: busy.busy.remindersPerSecond,
      workerCpu: busy.busy.workerCpu,
      lag: busy.busyLag,
      scenarios,
      rounds: busy,
    },
    targets: {
      [`worker lag p99 ≤ ${LAG_LIMIT_MS} ms, each once`]: lagMet(lag.worker),
      [`in-process lag p99 ≤ ${LAG_LIMIT_MS} ms, each once`]: lagMet(lag['in-process']),
      [`list ratio kept ≥ ${BUSY_LIMIT} with the worker busy`]: scenarios.list.kept >= BUSY_LIMIT,
      [`create ratio kept ≥ ${BUSY_LIMIT} with the worker busy`]: scenarios.create.kept >= BUSY_LIMIT,
    },
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, 'reminders.json'), `${JSON.stringify(results, null, 2)}\n`);
  const mark = (met: boolean) => (met ? '✓' : '✗');
  const lagRow = (name: string, value: Lag | undefined) =>
    value === undefined
      ? `| ${name} | not measured | | | | |`
      : `| ${name} | ${value.delivered} / ${value.due} | ${value.p50} ms | ${value.p99} ms | ${value.max} ms | ${value.twice} twice, ${value.early} early ${mark(lagMet(value))} |`;
  const md = [
    `# Reminders (${results.mode}, ${results.date})`,
    '',
    `${settings.scheduled.toLocaleString('en')} reminders scheduled for one user, ${settings.dueInWindow} of them ` +
      `(set through the API) falling due evenly over ${settings.windowSeconds} s, the rest over the coming week ` +
      '(written to the store). Lag: from `remindAt` to the notification stored. "in-process": `npm start` alone, ' +
      `no Redis; "worker": one API instance and ${settings.workers} workers on a redis-server.`,
    '',
    `| runtime | delivered | lag p50 | lag p99 (target ≤ ${LAG_LIMIT_MS} ms) | max | exactly once |`,
    '|---|---:|---:|---:|---:|---|',
    lagRow('in-process', lag['in-process']),
    lagRow('worker', lag.worker),
    '',
    `With the worker busy (${busy.busy.remindersPerSecond} reminders delivered per second, ` +
      `${Math.round(busy.busy.workerCpu * 100)} % of a core, lag p99 ${busy.busyLag.p99} ms) and idle before and after, ` +
      `the API's throughput as a share of an Express stack's measured in the same round (${settings.connections} connections, ` +
      `${settings.scenarioSeconds} s each):`,
    '',
    `| request | req/s idle → busy | idle ratio | busy ratio | kept (target ≥ ${BUSY_LIMIT}) | p99 idle → busy |`,
    '|---|---:|---:|---:|---:|---:|',
    ...(['list', 'create'] as const).map((kind) => {
      const row = scenarios[kind];
      return `| ${kind} | ${row.idleRps} → ${row.busyRps} | ${row.idleRatio} | ${row.busyRatio} | ${row.kept} ${mark(row.kept >= BUSY_LIMIT)} | ${row.idleP99} → ${row.busyP99} ms |`;
    }),
    '',
  ].join('\n');
  writeFileSync(path.join(OUT, 'reminders.md'), md);
  process.stdout.write(`\n${md}`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
