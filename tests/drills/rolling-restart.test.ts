import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUsers, stackAvailable, startDrillStack, type DrillStack, type DrillUser } from './support/stack.js';
import { auditCreates, describeSamples, SteadyLoad, summaryLine } from './support/steady-load.js';

const available = stackAvailable('the rolling-restart drill');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!available)('drill: one backend is stopped with SIGTERM under load (a rolling deploy)', () => {
  let stack: DrillStack;
  let users: DrillUser[];
  let load: SteadyLoad;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let drainMs = 0;

  beforeAll(async () => {
    stack = await startDrillStack();
    users = await registerUsers(stack.url, 12, 'rolling');
    load = new SteadyLoad(users, ['create', 'list', 'get', 'list', 'get'], { label: 'rolling' });
    load.start();
    await sleep(3_000);
    const victim = stack.backends[0];
    if (victim === undefined) throw new Error('no backend to stop');
    const signalled = performance.now();
    victim.kill('SIGTERM');
    exit = await victim.process.exited;
    drainMs = performance.now() - signalled;
    await sleep(2_000);
    await load.stop();
    console.info(summaryLine('SIGTERM', load.samples, `instance drained and exited in ${drainMs.toFixed(0)} ms`));
  });

  afterAll(async () => {
    for (const user of users ?? []) user.client.close();
    await stack?.stop();
  });

  it('when an instance drains and exits, then it exits cleanly after its shutdown delay', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    // SHUTDOWN_DELAY is 2 s: readiness is 503 that long before the listener closes.
    expect(drainMs).toBeGreaterThanOrEqual(1_900);
  });

  it('when an instance drains and exits, then not a single request fails', async () => {
    expect(load.samples.length).toBeGreaterThan(300);
    const failed = load.samples.filter((s) => s.status < 200 || s.status >= 300);
    expect(failed, describeSamples(failed)).toEqual([]);
    const audit = await auditCreates(users, load.samples);
    expect(audit).toMatchObject({ lost: [], duplicated: [], storedWithoutAnswer: [] });
  });
});
