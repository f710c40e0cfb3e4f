// `npm run bench:live [-- --quick]`: live delivery on loopback. Three production instances share one
// SQLite file and a redis-server; sockets connect to all three, writes arrive at 200/s, and each event
// is timed from the write's response to its arrival at a socket on another instance. Also measures
// what 1,000 idle sockets cost one instance. Writes bench/results/live.json and live.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { repoPath, startRedis, tempDir } from '@primo/test-support';
import { call, register } from './lib/api.js';
import { buildBackend, productionEnv, rssMB, startPrimo, type PrimoHandle } from './lib/servers.js';

const quick = process.argv.includes('--quick');
const settings = {
  instances: 3,
  sockets: 1_000,
  /** Sockets in the project written to (they receive every event); the rest sit in their own projects. */
  observers: quick ? 30 : 60,
  writesPerSecond: 200,
  seconds: quick ? 5 : 15,
  idleSockets: 1_000,
};
const OUT = repoPath('bench', 'results');
const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(base: string, token: string): Promise<Socket> {
  const socket = io(base, { path: '/socket.io/', transports: ['websocket'], auth: { token }, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

async function main(): Promise<void> {
  buildBackend(log);
  const redis = await startRedis();
  const data = tempDir('bench-live');
  const env = productionEnv(data.dir, { REDIS_URL: redis.url, BCRYPT_ROUNDS: '4', LIVE_MAX_PER_USER: '2000' });
  const instances: PrimoHandle[] = [];
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < settings.instances; i += 1) instances.push(await startPrimo(env));
    const [first] = instances as [PrimoHandle];

    // Idle cost: 1,000 sockets on one instance, RSS before and after (settled).
    const idleUser = await register(first.url, 'idle');
    await sleep(2_000);
    const rssBefore = rssMB(first.pid);
    for (let i = 0; i < settings.idleSockets; i += 1) sockets.push(await connect(first.url, idleUser.token));
    await sleep(3_000);
    const rssIdle = rssMB(first.pid);
    log(`1,000 idle sockets: RSS ${rssBefore} → ${rssIdle} MB`);
    for (const socket of sockets.splice(0)) socket.close();
    await sleep(1_000);

    // Delivery: a writer, observers in the written project on every instance, the rest elsewhere.
    const writer = await register(first.url, 'writer');
    const projectId = (await call<{ id: string }>(first.url, 'POST', '/projects', writer.token, { name: 'Live bench' }))
      .id;
    const observer = await register(first.url, 'observer');
    const invitation = await call<{ token: string }>(
      first.url,
      'POST',
      `/projects/${projectId}/invitations`,
      writer.token,
      {
        email: observer.email,
        role: 'viewer',
      },
    );
    await call(first.url, 'POST', '/invitations/accept', observer.token, { token: invitation.token });
    const bystander = await register(first.url, 'bystander');
    const arrivals = new Map<string, { at: number; instance: number }[]>();
    for (let i = 0; i < settings.sockets; i += 1) {
      const instance = i % settings.instances;
      const isObserver = i < settings.observers;
      const socket = await connect(
        (instances[instance] as PrimoHandle).url,
        isObserver ? observer.token : bystander.token,
      );
      if (isObserver) {
        socket.on('change', (change: { entityId: string }) => {
          const list = arrivals.get(change.entityId) ?? [];
          list.push({ at: performance.now(), instance });
          arrivals.set(change.entityId, list);
        });
      }
      sockets.push(socket);
    }
    log(`${sockets.length} sockets connected over ${settings.instances} instances (${settings.observers} observing)`);
    await sleep(1_000);

    const writes: { id: string; answeredAt: number; instance: number }[] = [];
    const interval = 1000 / settings.writesPerSecond;
    const total = settings.writesPerSecond * settings.seconds;
    const inFlight: Promise<void>[] = [];
    const begin = performance.now();
    for (let n = 0; n < total; n += 1) {
      const due = begin + n * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const instance = n % settings.instances;
      inFlight.push(
        call<{ id: string }>((instances[instance] as PrimoHandle).url, 'POST', '/tasks', writer.token, {
          title: `live ${n}`,
          projectId,
        }).then((task) => {
          writes.push({ id: task.id, answeredAt: performance.now(), instance });
        }),
      );
    }
    await Promise.all(inFlight);
    const offered = total / ((performance.now() - begin) / 1000);
    await sleep(2_000);

    const latencies: number[] = [];
    let missing = 0;
    for (const write of writes) {
      const seen = (arrivals.get(write.id) ?? []).filter((arrival) => arrival.instance !== write.instance);
      const expected = Array.from({ length: settings.observers }, (_, i) => i % settings.instances).filter(
        (instance) => instance !== write.instance,
      ).length;
      missing += expected - seen.length;
      for (const arrival of seen) latencies.push(Math.max(0, arrival.at - write.answeredAt));
    }
    latencies.sort((a, b) => a - b);
    const results = {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      settings,
      writesPerSecondAchieved: Number(offered.toFixed(1)),
      events: latencies.length,
      missingEvents: missing,
      deliveryMs: {
        p50: Number(percentile(latencies, 50).toFixed(1)),
        p99: Number(percentile(latencies, 99).toFixed(1)),
        max: Number((latencies.at(-1) ?? NaN).toFixed(1)),
      },
      idleSockets: { rssBeforeMB: rssBefore, rssAfterMB: rssIdle, costMB: Number((rssIdle - rssBefore).toFixed(1)) },
      rssUnderLoadMB: instances.map((instance) => rssMB(instance.pid)),
      targets: {
        'delivery p50 ≤ 20 ms': percentile(latencies, 50) <= 20,
        'delivery p99 ≤ 100 ms': percentile(latencies, 99) <= 100,
        '1,000 idle sockets ≤ 50 MB': rssIdle - rssBefore <= 50,
        'no event missing': missing === 0,
      },
    };
    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${OUT}/live.json`, `${JSON.stringify(results, null, 2)}\n`);
    const md = [
      `# Live delivery (${results.mode}, ${results.date})`,
      '',
      `${settings.sockets} sockets over ${settings.instances} instances sharing SQLite and Redis; ` +
        `${settings.observers} of them in the project written to at ${results.writesPerSecondAchieved} creates/s ` +
        `for ${settings.seconds} s. Latency: from the write's response to the event at a socket on another instance.`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      `| delivery p50 | ${results.deliveryMs.p50} ms | ≤ 20 ms ${results.targets['delivery p50 ≤ 20 ms'] ? '✓' : '✗'} |`,
      `| delivery p99 | ${results.deliveryMs.p99} ms | ≤ 100 ms ${results.targets['delivery p99 ≤ 100 ms'] ? '✓' : '✗'} |`,
      `| delivery max | ${results.deliveryMs.max} ms | |`,
      `| events timed / missing | ${results.events} / ${missing} | 0 missing ${missing === 0 ? '✓' : '✗'} |`,
      `| 1,000 idle sockets on one instance | +${results.idleSockets.costMB} MB RSS | ≤ 50 MB ${results.targets['1,000 idle sockets ≤ 50 MB'] ? '✓' : '✗'} |`,
      '',
    ].join('\n');
    writeFileSync(`${OUT}/live.md`, md);
    process.stdout.write(`\n${md}`);
  } finally {
    for (const socket of sockets) socket.close();
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis.stop();
    data.remove();
  }
}

await main();
