import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUsers, stackAvailable, startDrillStack, type DrillStack, type DrillUser } from './support/stack.js';
import { auditCreates, describeSamples, SteadyLoad, summaryLine, type WriteAudit } from './support/steady-load.js';

const available = stackAvailable('the sqlite-lock drill');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LOCK_MS = 3_000;
/** The instances wait 2 s (busy timeout) for the lock; anything far beyond that is a hang. */
const WRITE_BOUND_MS = 5_000;

describe.skipIf(!available)('drill: another process holds an exclusive lock on the SQLite database', () => {
  let stack: DrillStack;
  let users: DrillUser[];
  let load: SteadyLoad;
  const marks = { locked: 0, released: 0 };
  let audit: WriteAudit;
  let integrity: { check: string; fts: string; tagMismatches: number };

  beforeAll(async () => {
    stack = await startDrillStack();
    users = await registerUsers(stack.url, 12, 'lock');
    load = new SteadyLoad(users, ['create', 'list', 'get', 'list'], { label: 'lock', timeoutMs: 30_000 });
    load.start();
    await sleep(3_000);
    const locker = new Database(stack.dbFile, { timeout: 10_000 });
    try {
      locker.exec('BEGIN EXCLUSIVE');
      marks.locked = load.now();
      await sleep(LOCK_MS);
      locker.exec('COMMIT');
      marks.released = load.now();
    } finally {
      locker.close();
    }
    await sleep(4_000);
    await load.stop();
    const writes = (from: number, to?: number) => load.between(from, to).filter((s) => s.method === 'POST');
    const reads = (from: number, to?: number) => load.between(from, to).filter((s) => s.method === 'GET');
    console.info(summaryLine('lock held: writes', writes(marks.locked, marks.released)));
    console.info(summaryLine('lock held: reads', reads(marks.locked, marks.released)));
    console.info(summaryLine('after release', load.between(marks.released)));
    audit = await auditCreates(users, load.samples);
    const checker = new Database(stack.dbFile, { timeout: 10_000 });
    try {
      let fts = 'ok';
      try {
        // Compares the full-text index with the tasks table; raises SQLITE_CORRUPT_VTAB on any difference.
        checker.exec("INSERT INTO tasks_fts (tasks_fts) VALUES ('integrity-check')");
      } catch (error) {
        fts = (error as Error).message;
      }
      integrity = {
        check: checker.pragma('integrity_check', { simple: true }) as string,
        fts,
        tagMismatches: (
          checker
            .prepare(
              `SELECT count(*) AS n FROM tasks AS t
               WHERE json_array_length(t.tags) <> (SELECT count(*) FROM task_tags WHERE task_seq = t.seq)`,
            )
            .get() as { n: number }
        ).n,
      };
    } finally {
      checker.close();
    }
  });

  afterAll(async () => {
    for (const user of users ?? []) user.client.close();
    await stack?.stop();
  });

  const during = () => load.between(marks.locked, marks.released);

  it('when the database is locked, then writes answer 503 problem+json with Retry-After within a bounded wait', () => {
    const writes = during().filter((s) => s.method === 'POST');
    const refused = writes.filter((s) => s.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const sample of writes) {
      expect([201, 503], describeSamples([sample])).toContain(sample.status);
      expect(sample.ms, describeSamples([sample])).toBeLessThan(WRITE_BOUND_MS);
    }
    for (const sample of refused) {
      expect(sample.contentType).toMatch(/^application\/problem\+json/);
      expect(Number(sample.retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(sample.body)).toMatchObject({ status: 503 });
    }
  });

  it('when the database is locked, then reads keep working', () => {
    const reads = during().filter((s) => s.method === 'GET');
    expect(reads.length).toBeGreaterThan(0);
    const failed = reads.filter((s) => s.status !== 200);
    expect(failed, describeSamples(failed)).toEqual([]);
    const slow = reads.filter((s) => s.ms >= WRITE_BOUND_MS);
    expect(slow, describeSamples(slow)).toEqual([]);
  });

  it('when the lock is released, then writes succeed again and nothing is half-written', () => {
    const after = load.between(marks.released + 100).filter((s) => s.method === 'POST');
    expect(after.length).toBeGreaterThan(10);
    expect(
      after.filter((s) => s.status !== 201),
      describeSamples(after.filter((s) => s.status !== 201)),
    ).toEqual([]);
    const outside = load.samples.filter((s) => s.at < marks.locked - 2_500 || s.at > marks.released + 100);
    expect(
      outside.filter((s) => s.status >= 300),
      describeSamples(outside.filter((s) => s.status >= 300)),
    ).toEqual([]);
    expect(audit).toMatchObject({ lost: [], duplicated: [], storedWithoutAnswer: [] });
    expect(integrity).toEqual({ check: 'ok', fts: 'ok', tagMismatches: 0 });
  });
});
