import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('serving the built SPA', () => {
  let t: TestApp;
  const script = 'console.log("primo");'.repeat(50);
  beforeAll(async () => {
    const probe = await createTestApp();
    const spaDir = path.join(probe.dataDir, 'spa');
    await mkdir(path.join(spaDir, 'assets'), { recursive: true });
    await writeFile(path.join(spaDir, 'index.html'), '<!doctype html><title>Primo</title><div id="root"></div>');
    await writeFile(path.join(spaDir, 'assets', 'index-AbC123xY.js'), script);
    await writeFile(path.join(spaDir, 'assets', 'index-AbC123xY.js.br'), brotliCompressSync(script));
    await writeFile(path.join(spaDir, 'assets', 'index-AbC123xY.js.gz'), gzipSync(script));
    await writeFile(path.join(spaDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await createTestApp({ env: { STATIC_DIR: spaDir } });
    await probe.runtime.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('when index.html is fetched, then it is served with no-cache', async () => {
    const res = await request(t.app).get('/').set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('<div id="root">');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('when a client route is reloaded, then index.html answers it (SPA fallback)', async () => {
    const res = await request(t.app).get('/tasks/some/deep/link?x=1').set('Accept', 'text/html').expect(200);
    expect(res.text).toContain('<div id="root">');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('when a hashed asset is fetched, then it is cached for a year and served precompressed when accepted', async () => {
    const br = await request(t.app)
      .get('/assets/index-AbC123xY.js')
      .set('Accept-Encoding', 'br, gzip')
      .buffer(true)
      .expect(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.text).toBe(script);

    const gz = await request(t.app).get('/assets/index-AbC123xY.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toBe(script);

    const plain = await request(t.app).get('/assets/index-AbC123xY.js').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(script);
  });

  it('when an unhashed file is fetched, then it must be revalidated', async () => {
    const res = await request(t.app).get('/favicon.svg').expect(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('when an API or asset path does not exist, then it is a 404 problem, not index.html', async () => {
    const api = await request(t.app).get('/api/v1/nope').set('Accept', 'text/html').expect(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    await request(t.app).get('/assets/missing-AbC123xY.js').expect(404);
  });
});
