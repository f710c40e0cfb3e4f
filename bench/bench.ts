// `npm run bench [-- --quick]`: Primo's production build on loopback against two Express baselines
// measured in the same run. Writes bench/results/latest.json and latest.md, which the README's
// Performance section explains.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { findBinary, repoPath, tempDir, startRedis, type RedisHandle } from '@primo/test-support';
import { bcryptCostMs, finishMachineInfo, machineInfo } from './lib/machine.js';
import { measure, type Measured, type MeasureOptions } from './lib/measure.js';
import { evaluateTargets, markdownReport, type BenchResults, type Baseline } from './lib/report.js';
import { BENCH_PASSWORD, RARE_WORD, SEARCH_WORD, seedDatabase, type SeedResult } from './lib/seed-data.js';
import { buildBackend, productionEnv, rssMB, startBaseline, startPrimo, type PrimoHandle } from './lib/servers.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsArg = args.find((arg) => arg.startsWith('--bcrypt-rounds='));
const BCRYPT_ROUNDS = roundsArg ? Number(roundsArg.split('=')[1]) : 12;
const OUT = repoPath('bench', 'results');

const settings = {
  mode: quick ? 'quick' : 'full',
  connections: 50,
  warmupSeconds: quick ? 1 : 3,
  scenarioSeconds: quick ? 3 : 15,
  loginConnections: 4,
  growthConnections: 10,
  growthWarmupSeconds: 1,
  growthSeconds: quick ? 2 : 4,
  growthRounds: quick ? 1 : 3,
  smallTasks: 1_000,
  largeTasks: quick ? 10_000 : 100_000,
  sharedProjects: 50,
  otherUsers: 100,
  tasksPerOtherUser: quick ? 20 : 100,
  memoryWarmupRequests: quick ? 5_000 : 20_000,
  memoryRequests: quick ? 20_000 : 200_000,
  loginSeconds: quick ? 5 : 15,
  bcryptRounds: BCRYPT_ROUNDS,
  searchWord: SEARCH_WORD,
  rareWord: RARE_WORD,
  pipelining: 1,
};

const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

async function login(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  if (response.status !== 200)
    throw new Error(`login of ${email} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** V8 heap in use, from the instance's own Prometheus metrics (RSS alone cannot tell a leak from a grown heap). */
async function heapUsedMB(baseUrl: string): Promise<number | null> {
  const response = await fetch(`${baseUrl}/metrics`);
  const match = /^nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(await response.text());
  return match ? Number((Number(match[1]) / 1024 / 1024).toFixed(1)) : null;
}

async function expectCacheHeader(url: string, headers: Record<string, string>, expected: string): Promise<void> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  const header = response.headers.get('x-cache');
  if (response.status !== 200 || header !== expected) {
    throw new Error(`${url} answered ${response.status} with X-Cache ${String(header)}, expected 200 and ${expected}`);
  }
}

function seedInto(dir: string, tasks: number): Promise<SeedResult> {
  return seedDatabase({
    file: path.join(dir, 'primo.db'),
    tasks,
    otherUsers: settings.otherUsers,
    tasksPerOtherUser: settings.tasksPerOtherUser,
    bcryptRounds: BCRYPT_ROUNDS,
    writers: 1,
    tasksPerWriter: 500,
  });
}

/**
 * A store of its own for the shared-project scenario: a member of 50 projects holding `tasks` tasks
 * between them, so the single-user figures keep measuring the same store as before.
 */
function seedSharedInto(dir: string, tasks: number): Promise<SeedResult> {
  return seedDatabase({
    file: path.join(dir, 'primo.db'),
    tasks: 0,
    otherUsers: 0,
    tasksPerOtherUser: 0,
    bcryptRounds: BCRYPT_ROUNDS,
    sharedProjects: settings.sharedProjects,
    sharedTasks: tasks,
  });
}

function rotating(values: readonly string[]): () => string {
  let next = 0;
  return () => values[next++ % values.length] as string;
}

/** GETs of one user's first page, deep page, search and stats: the reads whose cost may grow with data. */
function growthReads(seed: SeedResult, auth: Record<string, string>): Record<string, Pick<MeasureOptions, 'requests'>> {
  if (seed.deepCursor === null || seed.boardDeepCursor === null) {
    throw new Error('the seeded list is too short for a deep cursor');
  }
  const get = (p: string) => ({ requests: [{ method: 'GET', path: p, headers: auth }] });
  // The measured user's personal project has their id: its board is all of their tasks.
  const board = `/api/v1/tasks?projectId=${seed.userId}&sort=position`;
  return {
    'first-page': get('/api/v1/tasks'),
    'deep-page': get(`/api/v1/tasks?cursor=${seed.deepCursor}`),
    'board-first-page': get(board),
    'board-deep-page': get(`${board}&cursor=${seed.boardDeepCursor}`),
    q: get(`/api/v1/tasks?q=${SEARCH_WORD}`),
    'q-rare': get(`/api/v1/tasks?q=${RARE_WORD}`),
    stats: get('/api/v1/tasks/stats'),
  };
}

/** Stops the run with the server's own last words when it died under load, rather than reporting zeros. */
async function assertAlive(server: PrimoHandle, during: string): Promise<void> {
  if (!server.process.hasExited()) return;
  const exit = await server.process.exited;
  throw new Error(
    `the server on ${server.url} exited during ${during} (code ${String(exit.code)}, signal ${String(exit.signal)}):\n` +
      server.process.output().slice(-2000),
  );
}

/** The shared-project member's reads across all their projects. */
function sharedReads(auth: Record<string, string>): Record<string, Pick<MeasureOptions, 'requests'>> {
  const get = (p: string) => ({ requests: [{ method: 'GET', path: p, headers: auth }] });
  return {
    'shared-first-page': get('/api/v1/tasks'),
    'shared-assigned': get('/api/v1/tasks?assignee=me'),
    'shared-stats': get('/api/v1/tasks/stats'),
  };
}

/** One store size's servers for the growth reads: the measured user's and the shared-project member's. */
interface GrowthSide {
  server: PrimoHandle;
  seed: SeedResult;
  sharedServer: PrimoHandle;
  sharedSeed: SeedResult;
}

/** Every growth read of one side, by shape name. */
async function growthReadsOf(side: GrowthSide) {
  const auth = { authorization: `Bearer ${await login(side.server.url, side.seed.email)}` };
  const memberAuth = {
    authorization: `Bearer ${await login(side.sharedServer.url, side.sharedSeed.memberEmail ?? '')}`,
  };
  return new Map([
    ...Object.entries(growthReads(side.seed, auth)).map(
      ([name, options]) => [name, { options, server: side.server }] as const,
    ),
    ...Object.entries(sharedReads(memberAuth)).map(
      ([name, options]) => [name, { options, server: side.sharedServer }] as const,
    ),
  ]);
}

/**
 * The growth reads at both store sizes, interleaved: each shape is measured `growthRounds` times
 * on each side, alternating which side goes first, so a machine that slows down or speeds up during
 * the run moves both sides alike. Each side keeps its round with the median p50.
 */
async function measureGrowth(
  large: GrowthSide,
  small: GrowthSide,
): Promise<{ large: Record<string, Measured>; small: Record<string, Measured> }> {
  const reads = { large: await growthReadsOf(large), small: await growthReadsOf(small) };
  const out = { large: {} as Record<string, Measured>, small: {} as Record<string, Measured> };
  for (const name of reads.large.keys()) {
    const rounds: Record<'large' | 'small', Measured[]> = { large: [], small: [] };
    for (let round = 0; round < settings.growthRounds; round += 1) {
      const order = round % 2 === 0 ? (['large', 'small'] as const) : (['small', 'large'] as const);
      for (const size of order) {
        const read = reads[size].get(name);
        if (read === undefined) throw new Error(`growth read ${name} is missing at the ${size} size`);
        rounds[size].push(
          await measure({
            url: read.server.url,
            connections: settings.growthConnections,
            warmupSeconds: settings.growthWarmupSeconds,
            duration: settings.growthSeconds,
            ...read.options,
          }),
        );
        await assertAlive(read.server, `growth ${name} (${size})`);
      }
    }
    for (const size of ['large', 'small'] as const) {
      const sorted = [...rounds[size]].sort((a, b) => a.p50 - b.p50);
      out[size][name] = sorted[Math.floor(sorted.length / 2)] as Measured;
    }
    log(
      `  growth ${name}: p50 ${rounds.small.map((r) => r.p50).join('/')} ms at ${settings.smallTasks}, ` +
        `${rounds.large.map((r) => r.p50).join('/')} ms at ${settings.largeTasks}`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const redisBinary = findBinary('redis-server');
  const machine = machineInfo(redisBinary);
  log(
    `bench (${settings.mode}) on ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, load ${machine.loadAverageStart.join(' ')}`,
  );
  buildBackend(log);

  const hashMs = await bcryptCostMs(BCRYPT_ROUNDS);
  log(`one bcrypt hash at ${BCRYPT_ROUNDS} rounds: ${hashMs} ms`);

  const largeDir = tempDir('bench-large');
  const smallDir = tempDir('bench-small');
  const sharedLargeDir = tempDir('bench-shared-large');
  const sharedSmallDir = tempDir('bench-shared-small');
  const pageDir = tempDir('bench-page');
  const cleanups: (() => Promise<void> | void)[] = [
    largeDir.remove,
    smallDir.remove,
    sharedLargeDir.remove,
    sharedSmallDir.remove,
    pageDir.remove,
  ];
  let redis: RedisHandle | null = null;
  try {
    log(
      `seeding ${settings.largeTasks} + ${settings.otherUsers}×${settings.tasksPerOtherUser} tasks through the repositories…`,
    );
    const large = await seedInto(largeDir.dir, settings.largeTasks);
    log(
      `  ${large.tasksPerSecond.toFixed(0)} tasks/s (${large.seconds.toFixed(1)} s); ${large.searchMatches} tasks match q=${SEARCH_WORD}`,
    );
    log(`seeding ${settings.smallTasks} + ${settings.otherUsers}×${settings.tasksPerOtherUser} tasks…`);
    const small = await seedInto(smallDir.dir, settings.smallTasks);
    log(
      `seeding ${settings.largeTasks} and ${settings.smallTasks} tasks in ${settings.sharedProjects} shared projects…`,
    );
    const sharedLarge = await seedSharedInto(sharedLargeDir.dir, settings.largeTasks);
    const sharedSmall = await seedSharedInto(sharedSmallDir.dir, settings.smallTasks);

    if (redisBinary !== undefined) {
      redis = await startRedis({ binary: redisBinary });
      const started = redis;
      cleanups.push(() => started.stop());
    } else {
      log('redis-server not found: the cached server uses its in-process LRU cache');
    }
    const cachedEnv = productionEnv(largeDir.dir, {
      BCRYPT_ROUNDS: String(BCRYPT_ROUNDS),
      CACHE_TTL: '300',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    });
    const cached = await startPrimo(cachedEnv);
    cleanups.push(() => cached.stop());
    const uncached = await startPrimo(
      productionEnv(largeDir.dir, { BCRYPT_ROUNDS: String(BCRYPT_ROUNDS), CACHE_TTL: '0' }),
    );
    cleanups.push(() => uncached.stop());

    const mainAuth = { authorization: `Bearer ${await login(cached.url, large.email)}` };
    const uncachedEnv = (dir: string) => productionEnv(dir, { BCRYPT_ROUNDS: String(BCRYPT_ROUNDS), CACHE_TTL: '0' });
    const shared = await startPrimo(uncachedEnv(sharedLargeDir.dir));
    cleanups.push(() => shared.stop());
    const memberAuth = { authorization: `Bearer ${await login(shared.url, sharedLarge.memberEmail ?? '')}` };
    const writerEmail = large.writerEmails[0] as string;
    const writerAuth = { authorization: `Bearer ${await login(cached.url, writerEmail)}` };
    const json = { 'content-type': 'application/json' };

    // The baselines serve exactly the page Primo answers for this user.
    const pageResponse = await fetch(`${uncached.url}/api/v1/tasks`, { headers: mainAuth });
    const pageFile = path.join(pageDir.dir, 'page.json');
    writeFileSync(pageFile, await pageResponse.text());
    const baselineProcs = {
      express: await startBaseline('express', pageFile),
      stack: await startBaseline('stack', pageFile),
    };
    cleanups.push(
      () => baselineProcs.express.stop(),
      () => baselineProcs.stack.stop(),
    );
    const baselineSamples: Record<'express' | 'stack', Measured[]> = { express: [], stack: [] };
    const measureBaselines = async (round: number) => {
      for (const name of ['express', 'stack'] as const) {
        const result = await measure({
          url: baselineProcs[name].url,
          connections: settings.connections,
          warmupSeconds: settings.warmupSeconds,
          duration: settings.scenarioSeconds,
        });
        baselineSamples[name].push(result);
        log(`baseline ${name} (round ${round}): ${result.rps} req/s, p99 ${result.p99} ms`);
      }
    };
    await measureBaselines(1);

    // Memory: RSS after a warm-up, then after a fixed number of mixed requests.
    let writes = 0;
    const uniqueCreate = (req: AutocannonRequest): AutocannonRequest => ({
      ...req,
      body: JSON.stringify({ title: `Bench task ${++writes}`, priority: 'high', tags: ['bench'] }),
    });
    const nextSample = rotating(large.sampleTaskIds);
    const mixed: AutocannonRequest[] = [
      { method: 'GET', path: '/api/v1/tasks', headers: mainAuth },
      {
        method: 'GET',
        path: '/api/v1/tasks/x',
        headers: mainAuth,
        setupRequest: (req) => ({ ...req, path: `/api/v1/tasks/${nextSample()}` }),
      },
      { method: 'GET', path: '/api/v1/auth/me', headers: mainAuth },
      { method: 'GET', path: '/api/v1/tasks/stats', headers: mainAuth },
      { method: 'POST', path: '/api/v1/tasks', headers: { ...writerAuth, ...json }, setupRequest: uniqueCreate },
      { method: 'GET', path: `/api/v1/tasks?q=${SEARCH_WORD}`, headers: mainAuth },
    ];
    await measure({
      url: cached.url,
      connections: settings.connections,
      amount: settings.memoryWarmupRequests,
      requests: mixed,
    });
    const rssWarmMB = rssMB(cached.pid);
    const heapWarmMB = await heapUsedMB(cached.url);
    log(`RSS after warm-up: ${rssWarmMB} MB; sending ${settings.memoryRequests} mixed requests…`);
    const memoryRun = await measure({
      url: cached.url,
      connections: settings.connections,
      amount: settings.memoryRequests,
      requests: mixed,
    });
    const rssAfterMB = rssMB(cached.pid);
    const heapAfterMB = await heapUsedMB(cached.url);
    log(
      `RSS after ${memoryRun.requests} requests: ${rssAfterMB} MB (errors ${memoryRun.errors}, non-2xx ${memoryRun.non2xx})`,
    );

    await expectCacheHeader(`${cached.url}/api/v1/tasks`, mainAuth, 'MISS').catch(() => undefined);
    await expectCacheHeader(`${cached.url}/api/v1/tasks`, mainAuth, 'HIT');
    await expectCacheHeader(`${uncached.url}/api/v1/tasks`, mainAuth, 'BYPASS');

    const nextWriterTask = rotating(large.writerTaskIds);
    let patches = 0;
    let moves = 0;
    const scenarioDefs: { name: string; server: PrimoHandle; options: Partial<MeasureOptions> }[] = [
      {
        name: 'list-cached',
        server: cached,
        options: { requests: [{ method: 'GET', path: '/api/v1/tasks', headers: mainAuth }], countCacheHeader: true },
      },
      {
        name: 'list-uncached',
        server: uncached,
        options: { requests: [{ method: 'GET', path: '/api/v1/tasks', headers: mainAuth }] },
      },
      {
        name: 'list-filter',
        server: uncached,
        options: { requests: [{ method: 'GET', path: '/api/v1/tasks?status=todo&priority=high', headers: mainAuth }] },
      },
      {
        name: 'list-search',
        server: uncached,
        options: { requests: [{ method: 'GET', path: `/api/v1/tasks?q=${SEARCH_WORD}`, headers: mainAuth }] },
      },
      {
        name: 'list-shared',
        server: shared,
        options: { requests: [{ method: 'GET', path: '/api/v1/tasks', headers: memberAuth }] },
      },
      {
        name: 'list-deep',
        server: uncached,
        options: { requests: [{ method: 'GET', path: `/api/v1/tasks?cursor=${large.deepCursor}`, headers: mainAuth }] },
      },
      {
        name: 'get',
        server: uncached,
        options: {
          requests: [
            {
              method: 'GET',
              path: '/api/v1/tasks/x',
              headers: mainAuth,
              setupRequest: (req) => ({ ...req, path: `/api/v1/tasks/${nextSample()}` }),
            },
          ],
        },
      },
      {
        name: 'create',
        server: cached,
        options: {
          requests: [
            { method: 'POST', path: '/api/v1/tasks', headers: { ...writerAuth, ...json }, setupRequest: uniqueCreate },
          ],
        },
      },
      {
        name: 'patch',
        server: cached,
        options: {
          requests: [
            {
              method: 'PATCH',
              path: '/api/v1/tasks/x',
              headers: { ...writerAuth, ...json },
              setupRequest: (req) => ({
                ...req,
                path: `/api/v1/tasks/${nextWriterTask()}`,
                body: JSON.stringify({ title: `Renamed ${++patches}`, priority: patches % 2 === 0 ? 'low' : 'urgent' }),
              }),
            },
          ],
        },
      },
      {
        // A card dragged to the end of another column: the moved task, the column's last task, one write.
        name: 'move',
        server: cached,
        options: {
          requests: [
            {
              method: 'POST',
              path: '/api/v1/tasks/x/move',
              headers: { ...writerAuth, ...json },
              setupRequest: (req) => ({
                ...req,
                path: `/api/v1/tasks/${nextWriterTask()}/move`,
                body: JSON.stringify({ status: ++moves % 2 === 0 ? 'todo' : 'in_progress' }),
              }),
            },
          ],
        },
      },
      {
        name: 'stats',
        server: uncached,
        options: { requests: [{ method: 'GET', path: '/api/v1/tasks/stats', headers: mainAuth }] },
      },
      {
        name: 'me',
        server: cached,
        options: { requests: [{ method: 'GET', path: '/api/v1/auth/me', headers: mainAuth }] },
      },
      {
        name: 'login',
        server: cached,
        options: {
          connections: settings.loginConnections,
          duration: settings.loginSeconds,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/auth/login',
              headers: json,
              body: JSON.stringify({ email: large.email, password: BENCH_PASSWORD }),
            },
          ],
        },
      },
    ];
    const scenarios: Record<string, Measured> = {};
    for (const def of scenarioDefs) {
      const result = await measure({
        url: def.server.url,
        connections: settings.connections,
        warmupSeconds: settings.warmupSeconds,
        duration: settings.scenarioSeconds,
        ...def.options,
      });
      await assertAlive(def.server, def.name);
      scenarios[def.name] = result;
      log(
        `${def.name}: ${result.rps} req/s, p50 ${result.p50}, p95 ${result.p95}, p99 ${result.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
      );
    }
    await measureBaselines(2);

    log(`growth from ${settings.smallTasks} to ${settings.largeTasks} tasks (cache off), interleaved:`);
    await cached.stop();
    const smallServer = await startPrimo(uncachedEnv(smallDir.dir));
    cleanups.push(() => smallServer.stop());
    const sharedSmallServer = await startPrimo(uncachedEnv(sharedSmallDir.dir));
    cleanups.push(() => sharedSmallServer.stop());
    const { large: growthLarge, small: growthSmall } = await measureGrowth(
      { server: uncached, seed: large, sharedServer: shared, sharedSeed: sharedLarge },
      { server: smallServer, seed: small, sharedServer: sharedSmallServer, sharedSeed: sharedSmall },
    );
    await uncached.stop();
    await shared.stop();

    const growth: BenchResults['growth'] = {};
    for (const name of Object.keys(growthLarge)) {
      const at1k = growthSmall[name]?.p50 ?? 0;
      const at100k = growthLarge[name]?.p50 ?? 0;
      growth[name] = { at1k, at100k, ratio: at1k > 0 ? Number((at100k / at1k).toFixed(2)) : 0 };
    }
    finishMachineInfo(machine);
    const mean = (values: number[]) => Number((values.reduce((a, b) => a + b, 0) / values.length).toFixed(2));
    const baseline = (samples: Measured[]): Baseline => ({
      rps: Math.round(mean(samples.map((s) => s.rps))),
      p50: mean(samples.map((s) => s.p50)),
      p95: mean(samples.map((s) => s.p95)),
      p99: mean(samples.map((s) => s.p99)),
      errors: samples.reduce((sum, s) => sum + s.errors, 0),
      non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
      samples,
    });
    const results: BenchResults = {
      generatedAt: new Date().toISOString(),
      machine,
      settings,
      baselines: { express: baseline(baselineSamples.express), stack: baseline(baselineSamples.stack) },
      scenarios,
      login: {
        bcryptRounds: BCRYPT_ROUNDS,
        hashMs,
        // bcrypt runs on libuv's pool (4 threads) but only the machine's cores do the work.
        ceilingRps: Number(((Math.min(machine.cpus, 4) * 1000) / hashMs).toFixed(1)),
      },
      growth,
      growthDetail: { small: growthSmall, large: growthLarge },
      seeding: {
        large: {
          tasks: large.taskCount,
          otherTasks: large.otherTaskCount,
          seconds: Number(large.seconds.toFixed(1)),
          tasksPerSecond: Math.round(large.tasksPerSecond),
          searchMatches: large.searchMatches,
        },
        small: {
          tasks: small.taskCount,
          otherTasks: small.otherTaskCount,
          seconds: Number(small.seconds.toFixed(1)),
          tasksPerSecond: Math.round(small.tasksPerSecond),
          searchMatches: small.searchMatches,
        },
      },
      memory: {
        rssWarmMB,
        rssAfterMB,
        heapUsedWarmMB: heapWarmMB,
        heapUsedAfterMB: heapAfterMB,
        warmupRequests: settings.memoryWarmupRequests,
        requests: memoryRun.requests,
        errors: memoryRun.errors,
        non2xx: memoryRun.non2xx,
      },
      targets: [],
    };
    results.targets = evaluateTargets(results);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    const report = markdownReport(results);
    writeFileSync(path.join(OUT, 'latest.md'), report);
    process.stdout.write(`\n${report}\n`);
    log(`wrote bench/results/latest.json and latest.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // a process that already exited or a folder already gone
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
