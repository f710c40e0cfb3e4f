import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBackendBuilt, startBackend as startTestBackend } from '@primo/test-support';

export const frontendDir = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export { ensureBackendBuilt };

/**
 * Builds the SPA into a fresh temporary folder so the test always serves the current sources.
 * `release` stamps every chunk with a comment (after minification, which drops comments), so two builds of the same sources differ the way two
 * deployed versions do (new hashes, a new precache list, a new service worker).
 */
export async function buildSpa(options: { release?: string } = {}): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'primo-spa-'));
  const { build } = await import('vite');
  await build({
    root: frontendDir,
    configFile: join(frontendDir, 'vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      rolldownOptions: {
        // The timing report is noise here: the build is a fixture of the test, not what it measures.
        checks: { bundlerTimings: false },
        ...(options.release === undefined
          ? {}
          : {
              output: {
                entryFileNames: `assets/[name]-${options.release}-[hash].js`,
                chunkFileNames: `assets/[name]-${options.release}-[hash].js`,
              },
            }),
      },
    },
  });
  return outDir;
}

export interface RunningBackend {
  baseUrl: string;
  stop: () => Promise<void>;
  output: () => string;
}

/** Starts `node backend/dist/server.js` on the embedded store in a temp folder and waits for readiness. */
export async function startBackend(staticDir: string, env: Record<string, string> = {}): Promise<RunningBackend> {
  const backend = await startTestBackend({
    env: {
      STATIC_DIR: staticDir,
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_RATE_LIMIT_MAX: '1000',
      RATE_LIMIT_MAX: '100000',
      ...env,
    },
  });
  return {
    // The browser talks to localhost, the origin the refresh cookie and CORS expect.
    baseUrl: `http://localhost:${backend.port}`,
    output: () => backend.process.output(),
    stop: () => backend.stop(),
  };
}
