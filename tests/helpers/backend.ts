import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from './binaries.js';
import { repoPath, tempDir } from './paths.js';
import { freePort } from './ports.js';
import { spawnTracked, untilReady, type TrackedProcess } from './processes.js';

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
}

/** Polls `/health/ready` until it answers 200; throws with the last answer after `timeoutMs`. */
export async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url}/health/ready did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/** Starts `node backend/dist/server.js` on a loopback port and resolves once /health/ready is 200. */
export async function startBackend(options: StartBackendOptions = {}): Promise<BackendHandle> {
  const entry = ensureBackendBuilt();
  const port = options.port ?? (await freePort());
  const ownData = options.env?.DATA_DIR === undefined ? tempDir('backend-data') : undefined;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    ...(ownData ? { DATA_DIR: ownData.dir } : {}),
    ...options.env,
    PORT: String(port),
  };
  const backend = spawnTracked(`backend:${port}`, process.execPath, [entry], { cwd: repoPath(), env });
  const url = `http://127.0.0.1:${port}`;
  await untilReady(backend, waitForReady(url, options.readyTimeoutMs ?? 30_000)).catch((error: unknown) => {
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
