import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const OUTPUT_LIMIT = 64 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process started by a test, with its recent output kept for error messages. */
export interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles when the process has exited, however it ended. */
  readonly exited: Promise<ExitInfo>;
  /** Whether the process has already exited. */
  hasExited(): boolean;
  /** The last 64 kB of what it wrote to stdout and stderr. */
  output(): string;
  /** Sends a signal (no-op once exited). */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM (or the given signal), then SIGKILL after graceMs; resolves once it has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitInfo>;
}

const live = new Set<TrackedProcess>();

// Last line of defence: whatever a test forgot (or could not reach because of a failure) dies with the worker.
process.once('exit', () => {
  for (const tracked of live) tracked.kill('SIGKILL');
});

/** Spawns a child that is killed with the test worker at the latest. */
export function spawnTracked(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): TrackedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  // A detached child leads its own process group: signals go to the whole group, so the workers
  // of a multi-process server (nginx) die with it even when the leader is SIGKILLed.
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (options.detached === true) process.kill(-pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  let buffer = '';
  const append = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      live.delete(tracked);
      resolve(exitInfo);
    });
    child.once('error', (error) => {
      append(Buffer.from(`spawn error: ${error.message}\n`));
      exitInfo = exitInfo ?? { code: null, signal: null };
      live.delete(tracked);
      resolve(exitInfo);
    });
  });

  const tracked: TrackedProcess = {
    name,
    pid,
    child,
    exited,
    hasExited: () => exitInfo !== undefined,
    output: () => buffer,
    kill(sig = 'SIGTERM') {
      if (exitInfo === undefined) signal(sig);
    },
    async stop(sig = 'SIGTERM', graceMs = 5_000) {
      if (exitInfo !== undefined) return exitInfo;
      signal(sig);
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  live.add(tracked);
  return tracked;
}

/** Rejects with the process's output when it exits before `ready` settles. */
export async function untilReady<T>(tracked: TrackedProcess, ready: Promise<T>): Promise<T> {
  const died = tracked.exited.then((info) => {
    throw new Error(
      `${tracked.name} exited early (code ${String(info.code)}, signal ${String(info.signal)}):\n${tracked.output()}`,
    );
  });
  try {
    return await Promise.race([ready, died]);
  } catch (error) {
    if (!tracked.hasExited()) await tracked.stop('SIGKILL');
    throw error;
  }
}
