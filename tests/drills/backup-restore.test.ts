import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath, spawnTracked, startBackend, tempDir, type BackendHandle } from '@primo/test-support';

/** Runs `npm run <script> -- …args` from the repository root, as an operator would, without blocking the event loop. */
async function npmRun(
  script: 'backup' | 'restore',
  args: string[],
  dataDir: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawnTracked(`npm:${script}`, 'npm', ['run', '--silent', script, '--', ...args], {
    cwd: repoPath(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATA_DIR: dataDir },
  });
  const info = await child.exited;
  return { code: info.code, output: child.output() };
}

interface Ack {
  id: string;
  at: number;
}

async function register(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery', name: 'Drill' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** Every task id the user can list, walking all pages. */
async function listAll(url: string, token: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${url}/api/v1/tasks?limit=100${query}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { data: Array<{ id: string }>; nextCursor: string | null };
    for (const task of page.data) ids.add(task.id);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/** Writers that create tasks back to back until stopped, recording when each 201 arrived. */
function startWriters(url: string, token: string, concurrency: number) {
  const acks: Ack[] = [];
  const failures: string[] = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, writer) => {
    for (let n = 0; running; n += 1) {
      const response = await fetch(`${url}/api/v1/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: `drill ${writer}-${n}`, tags: ['drill'] }),
      });
      if (response.status === 201)
        acks.push({ id: ((await response.json()) as { id: string }).id, at: performance.now() });
      else failures.push(`${response.status} ${await response.text()}`);
    }
  });
  return {
    acks,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('drill: back up the embedded store under write load and restore it into a fresh instance', () => {
  const source = tempDir('backup-source');
  const fresh = tempDir('backup-fresh');
  const backups = tempDir('backup-files');
  const backupFile = path.join(backups.dir, 'primo-drill.db');
  const env = { RATE_LIMIT_MAX: '10000000' };
  let live: BackendHandle;
  let token: string;
  let ackedBeforeBackup: Ack[] = [];
  let ackedDuringBackup: Ack[] = [];
  let backup: { code: number | null; output: string };

  beforeAll(async () => {
    live = await startBackend({ env: { ...env, DATA_DIR: source.dir } });
    token = await register(live.url, 'drill@example.com');
    const writers = startWriters(live.url, token, 4);
    while (writers.acks.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    const startedAt = performance.now();
    ackedBeforeBackup = [...writers.acks];
    backup = await npmRun('backup', ['--out', backupFile, '--step-pages', '4', '--pause-ms', '25'], source.dir);
    console.info(backup.output.trim().split('\n').slice(-3).join('\n'));
    const finishedAt = performance.now();
    await writers.stop();
    ackedDuringBackup = writers.acks.filter((ack) => ack.at > startedAt && ack.at < finishedAt);
    expect(writers.failures).toEqual([]);
  });

  afterAll(async () => {
    await live?.stop();
    for (const dir of [source, fresh, backups]) dir.remove();
  });

  it('when npm run backup runs while writers keep committing, then it succeeds, reports progress and verifies the copy', () => {
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/backup: \d+ % \(\d+ of \d+ pages\)/);
    expect(backup.output).toMatch(
      /backup: .*primo-drill\.db \(\d+ bytes, schema \d+, 1 users, \d+ tasks, integrity ok\)/,
    );
    // The load really ran through the copy: writes were acknowledged meanwhile, and their commits made
    // SQLite start the copy over (the last attempt reads one snapshot in one step).
    expect(ackedDuringBackup.length).toBeGreaterThan(0);
    expect(backup.output).toMatch(/restarted \d+× by concurrent writes/);
    expect(backup.output).toMatch(/integrity ok\) in \d+ ms, [1-9]\d* restarts/);
  });

  it("when restore targets the running instance's database, then it refuses without --force and changes nothing", async () => {
    const before = await listAll(live.url, token);
    const refused = await npmRun('restore', [backupFile], source.dir);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('is open in another process');
    expect(refused.output).toContain('--force');
    expect(await listAll(live.url, token)).toEqual(before);
  });

  it("when restore is forced onto the running instance's database, then it warns, keeps the replaced database and the instance stays ready", async () => {
    const forced = await npmRun('restore', [backupFile, '--force'], source.dir);
    expect(forced.code, forced.output).toBe(0);
    expect(forced.output).toContain(
      'replacing its contents under it (--force): restart every instance using it afterwards',
    );
    const kept = /the previous database was kept as (\S+)/.exec(forced.output)?.[1];
    expect(kept).toBeDefined();
    expect(
      readFileSync(kept as string)
        .subarray(0, 15)
        .toString(),
    ).toBe('SQLite format 3');
    expect((await fetch(`${live.url}/health/ready`)).status).toBe(200);
  });

  it('when the backup is restored into a fresh data folder, then a new instance serves every write acknowledged before the backup began', async () => {
    const restored = await npmRun('restore', [backupFile], fresh.dir);
    expect(restored.code, restored.output).toBe(0);
    expect(restored.output).toMatch(/restore: \d+ % \(\d+ of \d+ pages\)/);
    expect(restored.output).toMatch(/integrity ok/);
    const instance = await startBackend({ env: { ...env, DATA_DIR: fresh.dir } });
    try {
      const ids = await listAll(instance.url, token);
      const missing = ackedBeforeBackup.filter((ack) => !ids.has(ack.id));
      expect(missing).toEqual([]);
      expect(ids.size).toBeGreaterThanOrEqual(ackedBeforeBackup.length);
      // It is a working instance, not a read-only copy: it takes new writes.
      const created = await fetch(`${instance.url}/api/v1/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: 'after restore' }),
      });
      expect(created.status).toBe(201);
    } finally {
      await instance.stop();
    }
  });

  it('when the backup file is damaged or is not a database, then restore refuses it, naming the problem, and the target is untouched', async () => {
    const target = tempDir('backup-target');
    try {
      const truncated = path.join(backups.dir, 'truncated.db');
      const bytes = readFileSync(backupFile);
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const garbage = path.join(backups.dir, 'notes.txt');
      writeFileSync(garbage, 'these are not the pages you are looking for\n'.repeat(200));

      const fromTruncated = await npmRun('restore', [truncated], target.dir);
      expect(fromTruncated.code).toBe(1);
      expect(fromTruncated.output).toMatch(
        /restore failed: .*truncated\.db (failed PRAGMA integrity_check|is not a usable SQLite database)/,
      );
      const fromGarbage = await npmRun('restore', [garbage], target.dir);
      expect(fromGarbage.code).toBe(1);
      expect(fromGarbage.output).toMatch(
        /restore failed: .*notes\.txt (is not a usable SQLite database|cannot be opened as SQLite)/,
      );
      const fromNothing = await npmRun('restore', [], target.dir);
      expect(fromNothing.code).toBe(1);
      expect(fromNothing.output).toContain('name exactly one backup file');
      expect(() => readFileSync(path.join(target.dir, 'primo.db'))).toThrow();
    } finally {
      target.remove();
    }
  });
});
