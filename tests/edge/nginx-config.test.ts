import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpRequest, renderNginxConfig, requireBinary, run, startNginx, tempDir } from '@primo/test-support';
import type { NginxHandle } from '@primo/test-support';

const nginxBinary = requireBinary('nginx', 'the nginx configuration tests');

/** A built-SPA look-alike: index.html, a hashed compressible asset, and the service worker's files. */
function writeSpaFixture(root: string): { script: string; scriptName: string } {
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'sw.js'), 'importScripts("/sw-sign-out.js");\n');
  writeFileSync(path.join(root, 'sw-sign-out.js'), 'self.addEventListener("fetch", () => {});\n');
  writeFileSync(path.join(root, 'manifest.webmanifest'), '{"name":"Primo"}\n');
  writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><html><head><script type="module" src="/assets/index-3f2a9c1d.js"></script></head><body><div id="root"></div></body></html>\n',
  );
  const script = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(',')}];\n`;
  writeFileSync(path.join(root, 'assets', 'index-3f2a9c1d.js'), script);
  return { script, scriptName: 'index-3f2a9c1d.js' };
}

describe('nginx/render.mjs', () => {
  const work = tempDir('render');
  afterAll(() => work.remove());

  it('when given three upstreams, then every one is a least_conn server with max_fails and fail_timeout', () => {
    const out = path.join(work.dir, 'three.conf');
    const result = renderNginxConfig({
      upstreams: ['127.0.0.1:5001', '127.0.0.1:5002', 'backend-3:5000'],
      listen: '8080',
      staticRoot: work.dir,
      out,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const conf = readFileSync(out, 'utf8');
    const upstreamBlock = /upstream primo_backend \{([\s\S]*?)\n {4}\}/.exec(conf)?.[1] ?? '';
    expect(upstreamBlock).toContain('least_conn;');
    expect(upstreamBlock).toMatch(/keepalive \d+;/);
    const servers = [...upstreamBlock.matchAll(/server (\S+) max_fails=\d+ fail_timeout=\d+s;/g)].map((m) => m[1]);
    expect(servers).toEqual(['127.0.0.1:5001', '127.0.0.1:5002', 'backend-3:5000']);
    expect(conf).toContain('listen 8080 default_server;');
    expect(conf).toContain(`root ${work.dir};`);
    expect(conf).not.toMatch(/\{\{[A-Z_]+\}\}/);
  });

  it('when an upstream is not HOST:PORT, then it exits 2 naming the bad value and writes nothing', () => {
    const out = path.join(work.dir, 'bad.conf');
    const result = renderNginxConfig({ upstreams: ['backend;evil:80'], listen: '8080', staticRoot: work.dir, out });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"backend;evil"');
    expect(() => readFileSync(out)).toThrow();
  });

  it('when no upstream is given, then it refuses to render', () => {
    const result = renderNginxConfig({
      upstreams: [],
      listen: '8080',
      staticRoot: work.dir,
      out: path.join(work.dir, 'none.conf'),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--upstream');
  });

  it('when the port is out of range, then it exits 2', () => {
    const result = renderNginxConfig({
      upstreams: ['127.0.0.1:70000'],
      listen: '8080',
      staticRoot: work.dir,
      out: path.join(work.dir, 'port.conf'),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('70000');
  });
});

describe.skipIf(!nginxBinary)('nginx serving the SPA from the shipped template', () => {
  const site = tempDir('spa');
  let fixture: { script: string; scriptName: string };
  let nginx: NginxHandle;

  beforeAll(async () => {
    fixture = writeSpaFixture(site.dir);
    // Nothing listens on these ports: API calls must fail cleanly while static files still work.
    const deadPorts = [await freePort(), await freePort()];
    nginx = await startNginx({ upstreams: deadPorts.map((p) => `127.0.0.1:${p}`), staticRoot: site.dir });
  });

  afterAll(async () => {
    await nginx?.stop();
    site.remove();
  });

  it('when nginx -t checks the rendered file, then it passes', () => {
    const result = run(nginxBinary as string, ['-t', '-p', `${nginx.prefix}/`, '-c', nginx.confPath, '-e', 'stderr']);
    expect(result.status, result.stderr).toBe(0);
  });

  it('when / is requested, then index.html comes back never cached and with the security headers', async () => {
    const response = await httpRequest(`${nginx.url}/`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-upstream']).toBeUndefined();
    expect(response.headers.server).toBe('nginx');
  });

  it('when a hashed asset is requested with gzip accepted, then it is compressed and cached for a year as immutable', async () => {
    const response = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        const url = `${nginx.url}/assets/${fixture.scriptName}`;
        http
          .get(url, { headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
          })
          .on('error', reject);
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(response.body).toString('utf8')).toBe(fixture.script);
  });

  it('when the service worker, its imported script and the web app manifest are requested, then each is never cached and correctly typed', async () => {
    for (const [file, type] of [
      ['sw.js', /^application\/javascript/],
      ['sw-sign-out.js', /^application\/javascript/],
      ['manifest.webmanifest', /^application\/manifest\+json/],
    ] as const) {
      const response = await httpRequest(`${nginx.url}/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers['cache-control'], file).toBe('no-cache');
      expect(response.headers['content-type'], file).toMatch(type);
    }
  });

  it('when a client-side route is requested, then the SPA index.html answers it', async () => {
    const response = await httpRequest(`${nginx.url}/tasks/6650f0c2a1b2c3d4e5f60718?view=board`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('when a missing asset is requested, then it is a 404 rather than index.html', async () => {
    const response = await httpRequest(`${nginx.url}/assets/index-00000000.js`);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('<div id="root">');
  });

  it('when /metrics is requested from outside, then nginx answers 404 without asking a backend', async () => {
    for (const pathName of ['/metrics', '/metrics/', '/metrics?name=x']) {
      const response = await httpRequest(`${nginx.url}${pathName}`);
      expect(response.status).toBe(404);
      expect(response.headers['x-upstream']).toBeUndefined();
    }
  });

  it('when no backend is reachable, then the API answers 502 problem+json', async () => {
    const response = await httpRequest(`${nginx.url}/api/v1/tasks`, { headers: { 'x-request-id': 'edge-test-502' } });
    expect(response.status).toBe(502);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 502, title: 'Bad Gateway', requestId: 'edge-test-502' });
  });

  it('when a body exceeds client_max_body_size, then nginx rejects it with 413', async () => {
    const response = await httpRequest(`${nginx.url}/api/v1/tasks`, {
      method: 'POST',
      body: JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(response.status).toBe(413);
  });
});
