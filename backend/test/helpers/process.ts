import type { ChildProcess } from 'node:child_process';
import { BACKEND_DIR, freePort, runBackendToExit, startBackend } from '@primo/test-support';

export { BACKEND_DIR, freePort };

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `src/server.ts` through tsx with exactly the given environment and waits until /health/live answers. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startBackend({ entry: 'source', bareEnv: true, env, readyPath: '/health/live' });
  return {
    child: server.process.child,
    url: server.url,
    output: () => server.process.output(),
    exited: server.process.exited.then((info) => info.code),
  };
}

/** Runs `src/server.ts` to completion (for start-up failures) and returns its exit code and output. */
export function runServerToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return runBackendToExit({ entry: 'source', bareEnv: true, env, timeoutMs });
}

/** Starts `src/worker.ts` through tsx with exactly the given environment and waits until its /health/live answers. */
export async function startWorkerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const worker = await startBackend({
    entry: 'source',
    bareEnv: true,
    env,
    readyPath: '/health/live',
    program: 'worker',
  });
  return {
    child: worker.process.child,
    url: worker.url,
    output: () => worker.process.output(),
    exited: worker.process.exited.then((info) => info.code),
  };
}

/** Runs `src/worker.ts` to completion (for start-up failures) and returns its exit code and output. */
export function runWorkerToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return runBackendToExit({ entry: 'source', bareEnv: true, env, timeoutMs, program: 'worker' });
}
