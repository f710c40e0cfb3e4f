import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from './binaries.js';
import { repoPath, tempDir } from './paths.js';
import { freePort } from './ports.js';
import { spawnTracked, untilReady, type TrackedProcess } from './processes.js';

/** The backend workspace folder. */
export const BACKEND_DIR = repoPath('backend');

/** Where `npm run build -w backend` puts the server entry point. */
export const BACKEND_ENTRY = repoPath('backend', 'dist', 'server.js');

/** One JWT secret for every instance a test starts: a token issued by one must verify on all. */
export const TEST_JWT_SECRET = 'primo-system-tests-jwt-secret-0123456789abcdef';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Compiles the backend when backend/dist/server.js is missing or older than backend/src,
 * so the system tests never run a stale build. Returns the entry point.
 */
export function ensureBackendBuilt(): string {
  const stale = !existsSync(BACKEND_ENTRY) || statSync(BACKEND_ENTRY).mtimeMs < newestMtime(repoPath('backend', 'src'));
  if (stale) {
    const result = run('npm', ['run', 'build', '--workspace', 'backend'], { cwd: repoPath(), timeoutMs: 180_000 });
    if (result.status !== 0 || !existsSync(BACKEND_ENTRY)) {
      throw new Error(`npm run build -w backend failed:\n${result.stdout}\n${result.stderr}`);
    }
  }
  return BACKEND_ENTRY;
}

export interface BackendHandle {
  url: string;
  port: number;
  pid: number;
  process: TrackedProcess;
  /** Sends a signal right away (SIGKILL simulates a crash). */
  kill(signal?: NodeJS.Signals): void;
  /** Graceful SIGTERM, SIGKILL after a grace period; removes the data folder it created. */
  stop(): Promise<void>;
}

export interface StartBackendOptions {
  port?: number;
  /** Extra or overriding environment; DATA_DIR shared by several instances makes them one deployment. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** `/health/ready` by default; `/health/live` for a server whose store may be down on purpose. */
  readyPath?: string;
  /**
   * `build` (default) runs backend/dist/server.js, rebuilt first when stale; `build-as-is` runs it
   * without rebuilding (a measurement must not compile halfway); `source` runs src/server.ts through tsx.
   */
  entry?: 'build' | 'build-as-is' | 'source';
  /**
   * Without the test defaults (NODE_ENV=test, silent logs, cheap bcrypt, a shared JWT secret, a fresh
   * data folder) the process gets only PATH, HOME, HOST, PORT and `env`: for start-up checks and the bench.
   */
  bareEnv?: boolean;
  /** Flags for node itself, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  /** `server` (default) or `worker`: the worker's health port is WORKER_PORT instead of PORT. */
  program?: 'server' | 'worker';
}

/** Polls `path` (default `/health/ready`) until it answers 200; throws with the last answer after `timeoutMs`. */
export async function waitForReady(url: string, timeoutMs: number, path = '/health/ready'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}${path} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

function backendCommand(
  entry: StartBackendOptions['entry'],
  nodeArgs: readonly string[] = [],
  program: StartBackendOptions['program'] = 'server',
): string[] {
  if (entry === 'source') return [...nodeArgs, '--import', 'tsx', path.join(BACKEND_DIR, 'src', `${program}.ts`)];
  const built = entry === 'build-as-is' ? BACKEND_ENTRY : ensureBackendBuilt();
  return [...nodeArgs, path.join(path.dirname(built), `${program}.js`)];
}

function backendEnv(
  options: StartBackendOptions,
  port: number | undefined,
  dataDir: string | undefined,
): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1' };
  const defaults: NodeJS.ProcessEnv = options.bareEnv
    ? {}
    : {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        BCRYPT_ROUNDS: '4',
        JWT_SECRET: TEST_JWT_SECRET,
        ...(dataDir ? { DATA_DIR: dataDir } : {}),
      };
  const portVariable = options.program === 'worker' ? 'WORKER_PORT' : 'PORT';
  return { ...base, ...defaults, ...options.env, ...(port === undefined ? {} : { [portVariable]: String(port) }) };
}

/**
 * Starts the backend on a loopback port (see `StartBackendOptions.entry`) and resolves once the
 * readiness path answers 200; the process dies with the test worker at the latest.
 */
export async function startBackend(options: StartBackendOptions = {}): Promise<BackendHandle> {
  const command = backendCommand(options.entry, options.nodeArgs, options.program);
  const port = options.port ?? (await freePort());
  const ownData = options.bareEnv || options.env?.DATA_DIR !== undefined ? undefined : tempDir('backend-data');
  const env = backendEnv(options, port, ownData?.dir);
  // The source entry resolves tsx and relative DATA_DIRs from the backend package, as `npm run dev` does.
  const cwd = options.entry === 'source' ? BACKEND_DIR : repoPath();
  const backend = spawnTracked(`${options.program ?? 'backend'}:${port}`, process.execPath, command, { cwd, env });
  const url = `http://127.0.0.1:${port}`;
  const ready = waitForReady(url, options.readyTimeoutMs ?? 30_000, options.readyPath);
  await untilReady(backend, ready).catch((error: unknown) => {
    ownData?.remove();
    throw error;
  });
  return {
    url,
    port,
    pid: backend.pid,
    process: backend,
    kill: (signal = 'SIGTERM') => backend.kill(signal),
    stop: async () => {
      await backend.stop('SIGTERM', 8_000);
      ownData?.remove();
    },
  };
}

/** Runs the backend until it exits by itself (a start-up failure) and returns its exit code and output. */
export async function runBackendToExit(
  options: Omit<StartBackendOptions, 'port' | 'readyTimeoutMs' | 'readyPath'> & { timeoutMs?: number },
): Promise<{ code: number | null; output: string }> {
  const cwd = options.entry === 'source' ? BACKEND_DIR : repoPath();
  const command = backendCommand(options.entry, options.nodeArgs, options.program);
  const backend = spawnTracked('backend:to-exit', process.execPath, command, {
    cwd,
    env: backendEnv(options, undefined, undefined),
  });
  const timer = setTimeout(() => backend.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const info = await backend.exited;
  clearTimeout(timer);
  return { code: info.code, output: backend.output() };
}
