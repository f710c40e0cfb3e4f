import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/app.js';
import { freePort, runServerToExit, startServerProcess } from '../helpers/process.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'primo-proc-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends a request whose body arrives in two halves, so it is in flight for as long as we like. */
function slowPost(url: string, token: string, body: string) {
  const target = new URL('/api/v1/tasks', url);
  let sendRest!: () => void;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    sendRest = () => req.end(body.slice(half));
  });
  return { response, sendRest: () => sendRest() };
}

describe('server process', () => {
  it('when SIGTERM arrives during in-flight requests, then readiness turns 503, they complete, and the process exits 0', async () => {
    const server = await startServerProcess(
      testEnv(path.join(dataDir, 'a'), { SHUTDOWN_DELAY: '800ms', LOG_LEVEL: 'info' }),
    );
    const register = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'shutdown@example.com', password: 'long enough password', name: 'S' }),
    });
    const { accessToken } = (await register.json()) as { accessToken: string };

    const inFlight = [1, 2, 3].map((n) =>
      slowPost(server.url, accessToken, JSON.stringify({ title: `in flight ${n}` })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });

    for (const request of inFlight) request.sendRest();
    const results = await Promise.all(inFlight.map((request) => request.response));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/stopped cleanly/);
  });

  it('when the data directory is reused after a restart, then the data is still there', async () => {
    const env = testEnv(path.join(dataDir, 'b'));
    const first = await startServerProcess(env);
    const register = await fetch(`${first.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'persist@example.com', password: 'long enough password', name: 'P' }),
    });
    const { accessToken } = (await register.json()) as { accessToken: string };
    await fetch(`${first.url}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ title: 'Survives restarts' }),
    });
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const second = await startServerProcess(env);
    const list = await fetch(`${second.url}/api/v1/tasks`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(((await list.json()) as { data: { title: string }[] }).data.map((t) => t.title)).toEqual([
      'Survives restarts',
    ]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('when a configuration value is bad, then start-up stops with one line naming the variable', async () => {
    const port = String(await freePort());
    const bad = await runServerToExit({ ...testEnv(path.join(dataDir, 'c')), PORT: port, BCRYPT_ROUNDS: 'lots' });
    expect(bad.code).toBe(1);
    expect(bad.output.trim().split('\n')).toHaveLength(1);
    expect(bad.output).toMatch(/BCRYPT_ROUNDS/);

    const noSecret = await runServerToExit({ DATA_DIR: path.join(dataDir, 'd'), PORT: port, NODE_ENV: 'production' });
    expect(noSecret.code).toBe(1);
    expect(noSecret.output).toMatch(/JWT_SECRET is required/);

    const shortSecret = await runServerToExit({ DATA_DIR: path.join(dataDir, 'd'), PORT: port, JWT_SECRET: 'short' });
    expect(shortSecret.code).toBe(1);
    expect(shortSecret.output).toMatch(/JWT_SECRET must be at least 32 bytes/);
  });
});
