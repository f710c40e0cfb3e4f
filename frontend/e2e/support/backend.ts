import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const frontendDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const repoDir = resolve(frontendDir, '..');
const backendDir = join(repoDir, 'backend');
const serverEntry = join(backendDir, 'dist', 'server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the backend when its compiled entry is missing or older than its sources. */
export function ensureBackendBuilt(): void {
  const upToDate = existsSync(serverEntry) && statSync(serverEntry).mtimeMs >= newestMtime(join(backendDir, 'src'));
  if (upToDate) return;
  const result = spawnSync('npm', ['run', 'build', '-w', 'backend'], { cwd: repoDir, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(serverEntry)) {
    throw new Error(`backend build failed (npm run build -w backend):\n${result.stdout}\n${result.stderr}`);
  }
}

/** Builds the SPA into a fresh temporary folder so the test always serves the current sources. */
export async function buildSpa(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'primo-spa-'));
  const { build } = await import('vite');
  await build({
    root: frontendDir,
    configFile: join(frontendDir, 'vite.config.ts'),
    logLevel: 'warn',
    // The timing report is noise here: the build is a fixture of the test, not what it measures.
    build: { outDir, emptyOutDir: true, rolldownOptions: { checks: { bundlerTimings: false } } },
  });
  return outDir;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningBackend {
  baseUrl: string;
  stop: () => Promise<void>;
  output: () => string;
}

/** Starts `node backend/dist/server.js` on the embedded store in a temp folder and waits for readiness. */
export async function startBackend(staticDir: string): Promise<RunningBackend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'primo-e2e-data-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [serverEntry], {
    cwd: backendDir,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      STATIC_DIR: staticDir,
      JWT_SECRET: randomBytes(32).toString('hex'),
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'silent',
      AUTH_RATE_LIMIT_MAX: '1000',
      RATE_LIMIT_MAX: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));

  const baseUrl = `http://localhost:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backend was not ready within 30 s:\n${output}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }

  return {
    baseUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
