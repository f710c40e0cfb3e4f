// `npm run bench:change-log [-- --quick]`: what recording every write's change costs the write. One
// SQLite store, the same task repository built twice over it: once with the change log's appender (as
// the server runs), once with an appender that records nothing. Rounds of creates and patches
// alternate between the two so that both see the same machine, the same store and the same data size;
// each round's cost is the median time per write. Writes bench/results/change-log.json and .md.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { repoPath, tempDir } from '@primo/test-support';
import { openSqliteStorage } from '../backend/src/storage/sqlite/sqlite-storage.js';
import { createChangeAppender, type ChangeAppender } from '../backend/src/storage/sqlite/sqlite-changes.repository.js';
import { runStoreWork } from '../backend/src/storage/sqlite/sqlite-errors.js';
import { createSqliteTaskRepository } from '../backend/src/storage/sqlite/sqlite-tasks.repository.js';
import type { TaskRepository } from '../backend/src/tasks/tasks.repository.js';
import { processCpuSeconds } from './lib/cpu.js';
import { fakeTask, randomSource } from './lib/seed-data.js';
import { buildBackend, productionEnv, startPrimo } from './lib/servers.js';

const quick = process.argv.includes('--quick');
const settings = {
  rounds: quick ? 6 : 20,
  writesPerRound: quick ? 300 : 1_000,
  seedTasks: quick ? 5_000 : 50_000,
  requests: quick ? 1_000 : 5_000,
};
/** The most the change log may add to a write's cost as the API serves it. */
const LIMIT = 1.15;
const OUT = repoPath('bench', 'results');

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round2 = (value: number) => Number(value.toFixed(2));

/**
 * Server CPU per request for a kind of write through the whole production server (HTTP, auth,
 * validation, the store), from the process's /proc times over `count` sequential requests.
 */
async function cpuPerRequestMicros(count: number): Promise<{ create: number; patch: number }> {
  const dir = tempDir('bench-change-log-server');
  const server = await startPrimo(productionEnv(dir.dir, { BCRYPT_ROUNDS: '4' }));
  try {
    const call = async (method: string, route: string, token: string | null, body: object) => {
      const response = await fetch(`${server.url}/api/v1${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}`);
      return (await response.json()) as { accessToken: string; id: string };
    };
    const { accessToken } = await call('POST', '/auth/register', null, {
      email: 'log@primo.local',
      name: 'Log',
      password: 'change-log-bench-0123',
    });
    const ids: string[] = [];
    const measure = async (work: (i: number) => Promise<unknown>) => {
      for (let i = 0; i < 200; i += 1) await work(i); // warm-up
      const before = processCpuSeconds(server.pid);
      for (let i = 0; i < count; i += 1) await work(i);
      return ((processCpuSeconds(server.pid) - before) * 1e6) / count;
    };
    const create = await measure(async () => {
      ids.push((await call('POST', '/tasks', accessToken, { title: 'A task to change', priority: 'high' })).id);
    });
    const patch = await measure((i) =>
      call('PATCH', `/tasks/${ids[i % ids.length] as string}`, accessToken, { status: i % 2 ? 'done' : 'todo' }),
    );
    return { create, patch };
  } finally {
    await server.stop();
    dir.remove();
  }
}

async function main(): Promise<void> {
  const dir = tempDir('bench-change-log');
  try {
    const file = path.join(dir.dir, 'primo.db');
    // The schema, a user and their project, through the store as the server opens it.
    const storage = openSqliteStorage({ file });
    const user = await storage.users.create({ email: 'log@primo.local', name: 'Log', passwordHash: 'x' }, new Date());
    if (user === null) throw new Error('the bench user exists already');
    await storage.projects.ensurePersonal(user.id, new Date());
    await storage.close();

    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const run = <T>(work: () => T) => runStoreWork(db, work, 2000);
    const nothing: ChangeAppender = () => undefined;
    const variants: Record<'with log' | 'without log', TaskRepository> = {
      'with log': createSqliteTaskRepository(db, run, createChangeAppender(db)),
      'without log': createSqliteTaskRepository(db, run, nothing),
    };
    const random = randomSource(7);
    const projectId = user.id;
    const now = Date.now();
    for (let i = 0; i < settings.seedTasks; i += 1) {
      await variants['with log'].create(projectId, user.id, fakeTask(random, now), new Date(now));
    }

    type Costs = { create: number[]; patch: number[] };
    const costs: Record<keyof typeof variants, Costs> = {
      'with log': { create: [], patch: [] },
      'without log': { create: [], patch: [] },
    };
    const time = async (work: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      await work();
      return Number(process.hrtime.bigint() - started) / 1000;
    };
    for (let round = 0; round < settings.rounds; round += 1) {
      // Alternating which goes first, so neither always runs on a warmer cache.
      const order = (round % 2 === 0 ? ['with log', 'without log'] : ['without log', 'with log']) as Array<
        keyof typeof variants
      >;
      for (const name of order) {
        const tasks = variants[name];
        const creates: number[] = [];
        const patches: number[] = [];
        const ids: string[] = [];
        for (let i = 0; i < settings.writesPerRound; i += 1) {
          const input = fakeTask(random, now);
          creates.push(
            await time(async () => ids.push((await tasks.create(projectId, user.id, input, new Date())).id)),
          );
        }
        for (const id of ids) {
          const status = random() < 0.5 ? 'done' : 'in_progress';
          patches.push(
            await time(() => tasks.update(projectId, id, { status }, { now: new Date(), actorId: user.id })),
          );
        }
        costs[name].create.push(median(creates));
        costs[name].patch.push(median(patches));
      }
    }
    db.close();

    const figure = (kind: keyof Costs) => {
      const withLog = median(costs['with log'][kind]);
      const without = median(costs['without log'][kind]);
      return { withLogMicros: round2(withLog), withoutLogMicros: round2(without), ratio: round2(withLog / without) };
    };
    buildBackend((line) => process.stdout.write(`${line}\n`));
    const perRequest = await cpuPerRequestMicros(settings.requests);
    // The same write through the server costs its CPU per request; without the log, that less what
    // the log adds in the store.
    const share = (kind: 'create' | 'patch') => {
      const added = Math.max(0, figure(kind).withLogMicros - figure(kind).withoutLogMicros);
      return {
        cpuPerRequestMicros: round2(perRequest[kind]),
        ratio: round2(perRequest[kind] / (perRequest[kind] - added)),
      };
    };
    const results = {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      settings,
      create: { ...figure('create'), request: share('create') },
      patch: { ...figure('patch'), request: share('patch') },
      limit: LIMIT,
    };
    const met = (ratio: number) => (ratio <= LIMIT ? '✓' : '✗');
    mkdirSync(OUT, { recursive: true });
    writeFileSync(path.join(OUT, 'change-log.json'), `${JSON.stringify(results, null, 2)}\n`);
    const md = [
      `# What the change log costs a write (${results.mode}, ${results.date})`,
      '',
      `One SQLite store holding ${settings.seedTasks.toLocaleString('en')} tasks and more as the rounds add them; ` +
        `${settings.rounds} alternating rounds of ${settings.writesPerRound} creates and as many patches through ` +
        'the task repository with the change log and without it; each figure is the median over rounds of ' +
        'the median time per write in the store.',
      '',
      `The request figures are the production server's CPU per request over ${settings.requests} sequential ` +
        'requests of each kind (/proc times), set against that less what the log adds in the store: what ' +
        'the change log adds to the cost of a write as the API serves it.',
      '',
      '| write | in the store, with the change log | without | store ratio | server CPU per request | request ratio | target |',
      '|---|---:|---:|---:|---:|---:|---|',
      ...(['create', 'patch'] as const).map((kind) => {
        const row = results[kind];
        return `| ${kind} | ${row.withLogMicros} µs | ${row.withoutLogMicros} µs | ${row.ratio} | ${row.request.cpuPerRequestMicros} µs | ${row.request.ratio} | ≤ ${LIMIT} ${met(row.request.ratio)} |`;
      }),
      '',
    ].join('\n');
    writeFileSync(path.join(OUT, 'change-log.md'), md);
    process.stdout.write(`${md}\n`);
  } finally {
    dir.remove();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
