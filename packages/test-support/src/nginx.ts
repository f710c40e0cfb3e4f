import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBinary, run } from './binaries.js';
import { repoPath, tempDir } from './paths.js';
import { freePort, waitForPort } from './ports.js';
import { spawnTracked, untilReady, type TrackedProcess } from './processes.js';

/** Makes a folder under the OS temp dir, and its parents up to it, traversable by nginx's workers. */
function openTempAncestors(dir: string): void {
  const tmp = os.tmpdir();
  for (let current = path.resolve(dir); current.startsWith(`${tmp}${path.sep}`); current = path.dirname(current)) {
    chmodSync(current, statSync(current).mode | 0o055);
  }
}

/** The renderer that the Docker image uses too. */
export const RENDER_SCRIPT = repoPath('nginx', 'render.mjs');

export interface RenderOptions {
  upstreams: readonly string[];
  listen: string;
  staticRoot: string;
  out: string;
  extraArgs?: readonly string[];
}

/** Runs `node nginx/render.mjs` and returns its result (status, stdout, stderr). */
export function renderNginxConfig(options: RenderOptions): ReturnType<typeof run> {
  const args = [RENDER_SCRIPT];
  for (const upstream of options.upstreams) args.push('--upstream', upstream);
  args.push('--listen', options.listen, '--static-root', options.staticRoot, '--out', options.out);
  args.push(...(options.extraArgs ?? []));
  return run(process.execPath, args);
}

export interface NginxHandle {
  url: string;
  port: number;
  pid: number;
  prefix: string;
  confPath: string;
  process: TrackedProcess;
  /** The access log so far (one line per request, with the upstream that served it). */
  accessLog(): string;
  /** Graceful quit, SIGKILL after a grace period; removes the prefix folder. */
  stop(): Promise<void>;
}

export interface StartNginxOptions {
  upstreams: readonly string[];
  /** Port (on 127.0.0.1) or HOST:PORT; a free loopback port when omitted. */
  listen?: string | number;
  staticRoot: string;
  binary?: string;
}

/**
 * Renders the shipped template into a fresh prefix and runs `nginx -p PREFIX -c nginx.conf`
 * in the foreground (the template says `daemon off;`); resolves once the port accepts connections.
 */
export async function startNginx(options: StartNginxOptions): Promise<NginxHandle> {
  const listen =
    options.listen === undefined
      ? `127.0.0.1:${await freePort()}`
      : typeof options.listen === 'number'
        ? `127.0.0.1:${options.listen}`
        : options.listen;
  const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
  const host = listen.includes(':') ? listen.slice(0, listen.lastIndexOf(':')) : '127.0.0.1';

  const prefix = tempDir('nginx');
  mkdirSync(path.join(prefix.dir, 'logs'));
  // Workers drop root privileges; they must be able to read the static root and write temp files.
  chmodSync(prefix.dir, 0o755);
  openTempAncestors(options.staticRoot);
  const confPath = path.join(prefix.dir, 'nginx.conf');
  const rendered = renderNginxConfig({
    upstreams: options.upstreams,
    listen,
    staticRoot: options.staticRoot,
    out: confPath,
  });
  if (rendered.status !== 0) {
    prefix.remove();
    throw new Error(`render.mjs failed: ${rendered.stderr}`);
  }

  const binary = options.binary ?? findBinary('nginx') ?? 'nginx';
  const nginx = spawnTracked(`nginx:${port}`, binary, ['-p', `${prefix.dir}/`, '-c', confPath, '-e', 'stderr'], {
    detached: true,
  });
  try {
    await untilReady(nginx, waitForPort(port, host, 10_000));
  } catch (error) {
    prefix.remove();
    throw error;
  }
  return {
    url: `http://${host}:${port}`,
    port,
    pid: nginx.pid,
    prefix: prefix.dir,
    confPath,
    process: nginx,
    accessLog: () => {
      try {
        return readFileSync(path.join(prefix.dir, 'logs', 'access.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      // SIGQUIT is nginx's graceful shutdown: in-flight requests finish first.
      await nginx.stop('SIGQUIT', 5_000);
      prefix.remove();
    },
  };
}
