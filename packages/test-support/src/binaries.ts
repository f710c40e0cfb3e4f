import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const DEBIAN_PACKAGE: Record<string, string> = {
  'redis-server': 'redis-server',
  nginx: 'nginx',
  'docker-compose': 'docker-compose',
  chromium: 'chromium',
  terraform: 'terraform (from the HashiCorp apt repository)',
  promtool: 'prometheus',
};

const reported = new Set<string>();

/** True when the suite runs under CI, where a missing tool is a failure rather than a skip. */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * Absolute path of an executable found on PATH (or the sbin folders Debian puts daemons in).
 * `PRIMO_<NAME>_BIN` (e.g. PRIMO_REDIS_SERVER_BIN) names one binary exactly and is never second-guessed.
 */
export function findBinary(name: string): string | undefined {
  const override = process.env[`PRIMO_${name.toUpperCase().replaceAll('-', '_')}_BIN`];
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function installHint(name: string): string {
  const pkg = DEBIAN_PACKAGE[name];
  return pkg ? `apt-get install -y --no-install-recommends ${pkg}` : `install ${name}`;
}

/**
 * Resolves a tool a test needs. Missing under CI=true: throws, so the test file fails.
 * Missing elsewhere: prints one line saying why and returns undefined, for `describe.skipIf`.
 */
export function requireBinary(name: string, why = 'its tests'): string | undefined {
  const found = findBinary(name);
  if (found) return found;
  return unavailable(`${name} not found on PATH (${installHint(name)})`, why);
}

/** The same CI rule for any other missing prerequisite (a provider mirror, a built backend). */
export function unavailable(reason: string, why: string): undefined {
  if (isCi()) throw new Error(`${reason}: required under CI=true for ${why}`);
  if (!reported.has(reason)) {
    reported.add(reason);
    console.log(`skipping ${why}: ${reason}`);
  }
  return undefined;
}

/** Runs a tool and returns its exit status and both outputs, never throwing on a non-zero exit. */
export function run(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const failure = error as { status?: number | null; stdout?: string; stderr?: string; message: string };
    return {
      status: failure.status ?? 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr || failure.message,
    };
  }
}
