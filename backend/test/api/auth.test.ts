import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from '../helpers/app.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

describe('auth API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { JWT_SECRET: SECRET } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when a user registers, then they get 201 with user, tokens and an HttpOnly refresh cookie, and no password hash', async () => {
    const res = await request(t.app)
      .post('/api/v1/auth/register')
      .send({ email: '  Ada@Example.COM ', password: 'difference engine', name: 'Ada' })
      .expect(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      email: 'ada@example.com',
      name: 'Ada',
      createdAt: expect.any(String),
      emailVerified: false,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/hash|\$2[aby]\$/i);
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`primo_refresh=${res.body.refreshToken}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth/);
  });

  it('when the email is already registered (any case), then 409 problem+json', async () => {
    const res = await request(t.app)
      .post('/api/v1/auth/register')
      .send({ email: 'ADA@example.com', password: 'another password', name: 'Ada 2' })
      .expect(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 409, title: 'Conflict', requestId: expect.any(String) });
  });

  it('when registration input is invalid, then 400 lists each bad field', async () => {
    const res = await request(t.app)
      .post('/api/v1/auth/register')
      .send({ email: 'not-an-email', password: 'short', name: '' })
      .expect(400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['email', 'name', 'password']);
  });

  it('when logging in with the right password, then 200 with a working access token', async () => {
    const login = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: 'ada@example.com', password: 'difference engine' })
      .expect(200);
    const me = await request(t.app)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);
    expect(me.body.user.email).toBe('ada@example.com');
    const claims = jwt.decode(login.body.accessToken) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: me.body.user.id, iss: 'primo', aud: 'primo-api' });
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
  });

  it('when the email or the password is wrong, then the same 401 body either way', async () => {
    const wrongPassword = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: 'ada@example.com', password: 'wrong password' })
      .expect(401);
    const unknownEmail = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@example.com', password: 'wrong password' })
      .expect(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(wrongPassword.body)).toEqual(strip(unknownEmail.body));
    expect(wrongPassword.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('when a refresh token is used, then it rotates and the old one is spent; reusing it revokes the whole family', async () => {
    const user = await registerUser(t.app);
    const first = await request(t.app)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect(first.body.user.id).toBe(user.id);

    // The stolen, already-spent token is presented again: 401, and the family dies.
    await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);

    // Another login is a new family and is unaffected.
    const again = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: user.password })
      .expect(200);
    await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken: again.body.refreshToken }).expect(200);
  });

  it('when the refresh token comes only from the cookie, then refresh works and sets the new cookie', async () => {
    const user = await registerUser(t.app);
    const res = await request(t.app)
      .post('/api/v1/auth/refresh')
      .set('Cookie', `primo_refresh=${user.refreshToken}`)
      .expect(200);
    expect(String(res.headers['set-cookie'])).toContain(`primo_refresh=${res.body.refreshToken}`);
  });

  it('when refreshing without any token, then 401', async () => {
    await request(t.app).post('/api/v1/auth/refresh').expect(401);
  });

  it('when logging out, then 204 and the family is revoked', async () => {
    const user = await registerUser(t.app);
    const rotated = await request(t.app)
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    await request(t.app).post('/api/v1/auth/logout').send({ refreshToken: rotated.body.refreshToken }).expect(204);
    await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken: rotated.body.refreshToken }).expect(401);
    // Logging out again is harmless.
    await request(t.app).post('/api/v1/auth/logout').send({ refreshToken: rotated.body.refreshToken }).expect(204);
  });

  it('when an access token is presented as a refresh token, or the reverse, then 401', async () => {
    const user = await registerUser(t.app);
    await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken: user.accessToken }).expect(401);
    await request(t.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${user.refreshToken}`).expect(401);
  });

  describe('access tokens that must be refused', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await registerUser(t.app)).id;
    });
    const base = () => ({ sub: userId, typ: 'access' });
    const cases: [string, () => string][] = [
      [
        'expired',
        () =>
          jwt.sign({ ...base(), exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, {
            issuer: 'primo',
            audience: 'primo-api',
          }),
      ],
      [
        'signed with another secret',
        () =>
          jwt.sign(base(), 'another-secret-another-secret-another-secret', {
            issuer: 'primo',
            audience: 'primo-api',
            expiresIn: 60,
          }),
      ],
      [
        'alg none',
        () =>
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...base(), iss: 'primo', aud: 'primo-api', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`,
      ],
      [
        'HS512 (not allow-listed)',
        () => jwt.sign(base(), SECRET, { algorithm: 'HS512', issuer: 'primo', audience: 'primo-api', expiresIn: 60 }),
      ],
      ['wrong issuer', () => jwt.sign(base(), SECRET, { issuer: 'evil', audience: 'primo-api', expiresIn: 60 })],
      ['wrong audience', () => jwt.sign(base(), SECRET, { issuer: 'primo', audience: 'other', expiresIn: 60 })],
      [
        'without token type',
        () => jwt.sign({ sub: userId }, SECRET, { issuer: 'primo', audience: 'primo-api', expiresIn: 60 }),
      ],
      [
        'tampered payload',
        () => {
          const [h, , s] = jwt
            .sign(base(), SECRET, { issuer: 'primo', audience: 'primo-api', expiresIn: 60 })
            .split('.');
          const payload = Buffer.from(
            JSON.stringify({ sub: '0'.repeat(24), typ: 'access', iss: 'primo', aud: 'primo-api', exp: 9999999999 }),
          ).toString('base64url');
          return `${h}.${payload}.${s}`;
        },
      ],
      ['garbage', () => 'not-a-jwt'],
    ];
    it.each(cases)('when the token is %s, then 401 with WWW-Authenticate: Bearer', async (_name, make) => {
      const res = await request(t.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${make()}`).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });
    it('when the token is expired, then the problem says so', async () => {
      const token = cases[0]![1]();
      const res = await request(t.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
      expect(res.body.detail).toMatch(/expired/);
    });
    it('when no token is sent, then 401', async () => {
      await request(t.app).get('/api/v1/auth/me').expect(401);
    });
  });
});

describe('auth rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT_MAX: '3' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when one client tries to log in too often, then 429 with Retry-After and RateLimit headers', async () => {
    const attempt = () =>
      request(t.app).post('/api/v1/auth/login').send({ email: 'x@example.com', password: 'whatever1' });
    for (let i = 0; i < 3; i += 1) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-policy'] ?? limited.headers['ratelimit']).toBeDefined();
  });
});
