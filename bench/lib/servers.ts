import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BACKEND_ENTRY,
  ensureBackendBuilt,
  freePort,
  repoPath,
  spawnTracked,
  startBackend,
  untilReady,
  waitForPort,
  type TrackedProcess,
} from '@primo/test-support';

/** The secret every instance of one bench or load-test run shares, so any instance accepts any token. */
export const BENCH_JWT_SECRET = 'primo-bench-jwt-secret-0123456789abcdef-0123456789';

/**
 * Builds the backend when the build is older than its sources. A type error elsewhere still emits
 * JavaScript, so a failed build is reported and the emitted build is measured when it exists.
 */
export function buildBackend(log: (line: string) => void): void {
  try {
    ensureBackendBuilt();
  } catch (error) {
    if (!existsSync(BACKEND_ENTRY)) throw error;
    const first = (error instanceof Error ? error.message : String(error)).split('\n').slice(0, 6).join('\n');
    log(`warning: the backend build reported errors; measuring the JavaScript it emitted.\n${first}`);
  }
}

/** Resident set size of a process in MiB, from /proc/<pid>/status. */
export function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number((Number(match[1]) / 1024).toFixed(1));
}

/** Production settings with every limit out of the way: the bench measures work, not throttling. */
export function productionEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    JWT_SECRET: BENCH_JWT_SECRET,
    JWT_EXPIRE: '2h',
    RATE_LIMIT_MAX: '10000000',
    AUTH_RATE_LIMIT_MAX: '10000000',
    STATIC_DIR: path.join(dataDir, 'no-spa'),
    ...extra,
  };
}

export interface PrimoHandle {
  url: string;
  port: number;
  pid: number;
  process: TrackedProcess;
  stop(): Promise<void>;
}

/**
 * Starts `node backend/dist/server.js` as it is now. Unlike the system-test launcher it never rebuilds,
 * so a source edit elsewhere cannot trigger a compile in the middle of a measurement.
 */
export async function startPrimo(
  env: Record<string, string>,
  options: { port?: number; nodeArgs?: string[] } = {},
): Promise<PrimoHandle> {
  const backend = await startBackend({
    entry: 'build-as-is',
    bareEnv: true,
    env,
    readyTimeoutMs: 60_000,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
  });
  return {
    url: backend.url,
    port: backend.port,
    pid: backend.pid,
    process: backend.process,
    stop: async () => {
      await backend.process.stop('SIGTERM', 10_000);
    },
  };
}

export interface BaselineHandle {
  url: string;
  pid: number;
  process: TrackedProcess;
  stop(): Promise<void>;
}

/** Starts bench/baseline-server.ts in its own process, serving `pageFile` at /page. */
export async function startBaseline(mode: 'express' | 'stack', pageFile: string): Promise<BaselineHandle> {
  const port = await freePort();
  const child = spawnTracked(
    `baseline:${mode}`,
    process.execPath,
    ['--import', 'tsx', repoPath('bench', 'baseline-server.ts'), mode, String(port), pageFile],
    { cwd: repoPath(), env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' } },
  );
  await untilReady(child, waitForPort(port, '127.0.0.1', 30_000));
  return {
    url: `http://127.0.0.1:${port}/page`,
    pid: child.pid,
    process: child,
    stop: async () => {
      await child.stop('SIGTERM', 3_000);
    },
  };
}
