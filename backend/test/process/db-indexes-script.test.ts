import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BACKEND_DIR } from '../helpers/process.js';

const run = promisify(execFile);

describe('the db:indexes script', () => {
  it('when run through npm with --after-roll, as the README says, then the flag reaches the script', async () => {
    const env = { ...process.env, MONGODB_URI: '' };
    const result = await run('npm', ['run', '--silent', 'db:indexes', '--', '--after-roll'], {
      cwd: BACKEND_DIR,
      env,
      timeout: 60_000,
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    // Without a MongoDB the script itself refuses, naming why; a shell syntax error would mean npm's
    // appended argument broke the command line before the script ran.
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/MONGODB_URI is not set/);
    expect(result.output).not.toMatch(/Syntax error/);
  });
});
