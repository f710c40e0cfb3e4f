import type { MachineInfo } from './machine.js';
import type { Measured } from './measure.js';

export interface Baseline {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** One measurement before Primo's scenarios and one after; the figures above are their mean. */
  samples: Measured[];
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  /** How value compares with limit for the target to be met. */
  rule: '>=' | '<=' | '<';
  met: boolean;
}

export interface BenchResults {
  generatedAt: string;
  machine: MachineInfo;
  settings: Record<string, unknown> & { largeTasks: number; smallTasks: number; memoryRequests: number };
  baselines: { express: Baseline; stack: Baseline };
  scenarios: Record<string, Measured>;
  login: { bcryptRounds: number; hashMs: number; ceilingRps: number };
  /** p50 in ms of the same read with the small and the large data set; the key names follow the full run's sizes. */
  growth: Record<string, { at1k: number; at100k: number; ratio: number }>;
  growthDetail: { small: Record<string, Measured>; large: Record<string, Measured> };
  seeding: Record<string, Record<string, number>>;
  memory: {
    rssWarmMB: number;
    rssAfterMB: number;
    heapUsedWarmMB: number | null;
    heapUsedAfterMB: number | null;
    warmupRequests: number;
    requests: number;
    errors: number;
    non2xx: number;
  };
  targets: Target[];
}

function target(name: string, value: number, rule: Target['rule'], limit: number): Target {
  const met = rule === '>=' ? value >= limit : rule === '<=' ? value <= limit : value < limit;
  return { name, value: Number(value.toFixed(3)), limit: Number(limit.toFixed(3)), rule, met };
}

/** The issue's targets, each with the measured value and the limit derived from this run's baseline. */
export function evaluateTargets(results: BenchResults): Target[] {
  const stack = results.baselines.stack;
  const s = results.scenarios;
  const rps = (name: string) => s[name]?.rps ?? 0;
  const targets: Target[] = [
    target('list-cached req/s ≥ 0.5 × stack', rps('list-cached'), '>=', 0.5 * stack.rps),
    target('list-cached p99 ≤ 3 × stack p99 (ms)', s['list-cached']?.p99 ?? Infinity, '<=', 3 * stack.p99),
    target('list-uncached req/s ≥ 0.3 × stack', rps('list-uncached'), '>=', 0.3 * stack.rps),
    target('create req/s ≥ 0.3 × stack', rps('create'), '>=', 0.3 * stack.rps),
    target('patch req/s ≥ 0.3 × stack', rps('patch'), '>=', 0.3 * stack.rps),
    target('move req/s ≥ 0.9 × patch (same run)', rps('move'), '>=', 0.9 * rps('patch')),
  ];
  for (const name of [
    'first-page',
    'deep-page',
    'board-first-page',
    'board-deep-page',
    'stats',
    'shared-first-page',
    'shared-assigned',
    'shared-stats',
  ]) {
    targets.push(target(`growth ${name} p50 ratio ≤ 1.3`, results.growth[name]?.ratio ?? Infinity, '<=', 1.3));
  }
  for (const name of ['q', 'q-rare']) {
    const at100k = results.growth[name]?.at100k ?? Infinity;
    targets.push(target(`${name} p50 at ${results.settings.largeTasks} tasks ≤ 20 ms`, at100k, '<=', 20));
  }
  const failures = Object.values(s).reduce((sum, m) => sum + m.errors + m.non2xx, 0);
  targets.push(target('errors + non-2xx over all scenarios = 0', failures, '<=', 0));
  targets.push(
    target(
      `RSS growth over ${results.memory.requests} requests < 30 MB`,
      results.memory.rssAfterMB - results.memory.rssWarmMB,
      '<',
      30,
    ),
  );
  return targets;
}

const fmt = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));

/** The tables printed at the end of a run and kept in bench/results/latest.md. */
export function markdownReport(results: BenchResults): string {
  const stack = results.baselines.stack;
  const { machine, settings } = results;
  const lines: string[] = [];
  lines.push(
    `Measured ${results.generatedAt.slice(0, 16).replace('T', ' ')} UTC, \`${String(settings.mode)}\` run: ` +
      `${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${machine.redis ?? 'no redis-server'}; ` +
      `load average ${machine.loadAverageStart.join('/')} at start, ${(machine.loadAverageEnd ?? []).join('/')} at end. ` +
      `${String(settings.connections)} connections, ${String(settings.scenarioSeconds)} s per scenario after ` +
      `${String(settings.warmupSeconds)} s of warm-up; ${settings.largeTasks.toLocaleString('en')} tasks for the user.`,
    '',
    '| scenario | req/s | × stack | p50 ms | p95 ms | p99 ms | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  const row = (
    name: string,
    m: { rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number },
  ) =>
    lines.push(
      `| ${name} | ${m.rps} | ${(m.rps / stack.rps).toFixed(2)} | ${fmt(m.p50)} | ${fmt(m.p95)} | ${fmt(m.p99)} | ` +
        `${m.errors} | ${m.non2xx} |`,
    );
  row('baseline: plain Express 5', results.baselines.express);
  row('baseline: Express 5 + Primo middleware', stack);
  for (const [name, m] of Object.entries(results.scenarios)) row(name, m);
  const hit = results.scenarios['list-cached']?.cacheHitRate;
  lines.push(
    '',
    `Cache HIT share in list-cached: ${hit === undefined ? '–' : `${(hit * 100).toFixed(1)} %`}. ` +
      `Login is bcrypt-bound: one hash at ${results.login.bcryptRounds} rounds takes ${results.login.hashMs} ms, so ` +
      `${machine.cpus} cores cap it near ${results.login.ceilingRps} logins/s; measured ` +
      `${results.scenarios.login?.rps ?? '–'} (${((100 * (results.scenarios.login?.rps ?? 0)) / results.login.ceilingRps).toFixed(0)} % of that).`,
    '',
    `Growth: each read at both sizes in ${String(settings.growthRounds)} interleaved rounds of ` +
      `${String(settings.growthSeconds)} s (${String(settings.growthConnections)} connections, cache off); ` +
      "each size's median round.",
    '',
    `| growth (p50 ms, cache off) | ${settings.smallTasks.toLocaleString('en')} tasks | ` +
      `${settings.largeTasks.toLocaleString('en')} tasks | ratio |`,
    '|---|---:|---:|---:|',
  );
  for (const [name, g] of Object.entries(results.growth)) {
    lines.push(`| ${name} | ${fmt(g.at1k, 2)} | ${fmt(g.at100k, 2)} | ${g.ratio.toFixed(2)} |`);
  }
  lines.push(
    '',
    `Memory: RSS ${results.memory.rssWarmMB} MB after warm-up, ${results.memory.rssAfterMB} MB after ` +
      `${results.memory.requests.toLocaleString('en')} more requests ` +
      `(${(results.memory.rssAfterMB - results.memory.rssWarmMB).toFixed(1)} MB growth); V8 heap in use ` +
      `${results.memory.heapUsedWarmMB ?? '–'} → ${results.memory.heapUsedAfterMB ?? '–'} MB.`,
    '',
    '| target | measured | limit | met |',
    '|---|---:|---:|:---:|',
  );
  for (const t of results.targets) {
    lines.push(`| ${t.name} | ${fmt(t.value, 2)} | ${t.rule} ${fmt(t.limit, 2)} | ${t.met ? 'yes' : '**no**'} |`);
  }
  return `${lines.join('\n')}\n`;
}
