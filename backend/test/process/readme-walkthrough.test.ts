import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { BACKEND_DIR, startServerProcess, type ServerProcess } from '../helpers/process.js';

const run = promisify(execFile);

/** The shell block of the README's curl walk-through, exactly as a reader would paste it. */
async function walkthroughScript(): Promise<string> {
  const readme = await readFile(path.join(BACKEND_DIR, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A walk through the API with curl'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('README has no curl walk-through block');
  return block[1];
}

describe('README walk-through', () => {
  let dataDir: string;
  let server: ServerProcess;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'primo-readme-'));
    server = await startServerProcess(testEnv(dataDir));
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when the curl walk-through is run as written, then register, create, list, update and delete all succeed', async (ctx) => {
    const curl = await run('sh', ['-c', 'command -v curl']).catch(() => null);
    if (curl === null) {
      if (process.env.CI === 'true') throw new Error('curl is required in CI for the README walk-through test');
      console.log('README walk-through skipped: curl is not installed');
      ctx.skip();
      return;
    }
    const script = (await walkthroughScript()).replaceAll('http://localhost:5000', server.url);
    expect(script).toContain('/auth/register');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { timeout: 20_000 });
    const lines = stdout.trim().split('\n');
    const listed = JSON.parse(lines[0] ?? '') as { data: { title: string; version: number }[] };
    expect(listed.data.map((task) => task.title)).toEqual(['Write report']);
    const updated = JSON.parse(lines[1] ?? '') as { status: string; version: number; completedAt: string | null };
    expect(updated).toMatchObject({ status: 'done', version: 2 });
    expect(updated.completedAt).not.toBeNull();
    expect(lines[2]).toBe('204');
  });
});
