import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from '../helpers/app.js';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.js';
import { openTempSqliteStorage } from '../helpers/storage.js';
import type { Storage } from '../../src/storage/storage.js';

const CLIENT_URL = 'https://app.primo.test';

/** The token of the link to `path` in a message's text and HTML. */
function linkToken(mail: { text?: string; html?: string | false }, path: string): string {
  const pattern = new RegExp(`${CLIENT_URL}/${path}\\?token=([A-Za-z0-9_-]+)`);
  const fromText = pattern.exec(mail.text ?? '')?.[1];
  const fromHtml = pattern.exec(typeof mail.html === 'string' ? mail.html : '')?.[1];
  expect(fromText).toBeDefined();
  expect(fromHtml).toBe(fromText);
  return fromText ?? '';
}

describe('email verification and password reset, mailed through a real SMTP server', () => {
  let smtp: SmtpPeer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    t = await createTestApp({
      env: {
        SMTP_URL: smtp.url,
        CLIENT_URL,
        MAIL_FROM: 'Primo <no-reply@primo.test>',
        JOBS_IN_PROCESS: 'true',
        JOBS_POLL_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('when someone registers, then a verification link arrives and confirms the address once', async () => {
    const ada = await registerUser(t.app, { name: 'Ada' });
    const mail = await smtp.next(ada.email);
    expect(mail.subject).toBe('Confirm your email address for Primo');
    expect(mail.from?.value).toEqual([{ name: 'Primo', address: 'no-reply@primo.test' }]);
    const token = linkToken(mail, 'verify-email');

    const before = await request(t.app).get('/api/v1/auth/me').set(ada.auth).expect(200);
    expect(before.body.user.emailVerified).toBe(false);
    await request(t.app).post('/api/v1/auth/verify-email').send({ token }).expect(204);
    const after = await request(t.app).get('/api/v1/auth/me').set(ada.auth).expect(200);
    expect(after.body.user.emailVerified).toBe(true);

    const replay = await request(t.app).post('/api/v1/auth/verify-email').send({ token }).expect(400);
    expect(replay.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(replay.body.detail).toMatch(/not valid/);
    await request(t.app).post('/api/v1/auth/verify-email').send({ token: 'made-up' }).expect(400);
    await request(t.app).post('/api/v1/auth/verify-email').send({}).expect(400);
  });

  it('when a new verification link is asked for, then it arrives and the earlier one still works until one is used', async () => {
    const bob = await registerUser(t.app, { name: 'Bob' });
    const first = linkToken(await smtp.next(bob.email), 'verify-email');
    await request(t.app).post('/api/v1/auth/verify-email/resend').set(bob.auth).expect(202);
    const second = linkToken(await smtp.next(bob.email), 'verify-email');
    expect(second).not.toBe(first);
    await request(t.app).post('/api/v1/auth/verify-email').send({ token: second }).expect(204);
    // Verified: older links are spent, and asking again sends nothing.
    await request(t.app).post('/api/v1/auth/verify-email').send({ token: first }).expect(400);
    const again = await request(t.app).post('/api/v1/auth/verify-email/resend').set(bob.auth).expect(202);
    expect(again.body.user.emailVerified).toBe(true);
    await request(t.app).post('/api/v1/auth/verify-email/resend').expect(401);
  });

  it('when a password is reset, then the link works once, the new password signs in and every session ends', async () => {
    const cy = await registerUser(t.app, { name: 'Cy' });
    await smtp.next(cy.email);
    const other = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: cy.email, password: cy.password })
      .expect(200);

    const accepted = await request(t.app).post('/api/v1/auth/password-reset').send({ email: cy.email }).expect(202);
    const mail = await smtp.next(cy.email);
    expect(mail.subject).toBe('Reset your Primo password');
    expect(mail.text).toMatch(/one hour/);
    const token = linkToken(mail, 'reset-password');

    await request(t.app).post('/api/v1/auth/password-reset/confirm').send({ token, password: 'short' }).expect(400);
    await request(t.app)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, password: 'a brand new passphrase' })
      .expect(204);
    const replay = await request(t.app)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token, password: 'yet another passphrase' })
      .expect(400);
    expect(replay.body.detail).toMatch(/reset link is not valid/);

    for (const refreshToken of [cy.refreshToken, other.body.refreshToken as string]) {
      await request(t.app).post('/api/v1/auth/refresh').send({ refreshToken }).expect(401);
    }
    await request(t.app).post('/api/v1/auth/login').send({ email: cy.email, password: cy.password }).expect(401);
    await request(t.app)
      .post('/api/v1/auth/login')
      .send({ email: cy.email, password: 'a brand new passphrase' })
      .expect(200);

    // An unknown address gets the very same answer, and no mail goes anywhere.
    const unknown = await request(t.app)
      .post('/api/v1/auth/password-reset')
      .send({ email: 'nobody-here@example.com' })
      .expect(202);
    expect(unknown.body).toEqual(accepted.body);
    await t.runtime.mail?.step();
    expect(smtp.messages.some((m) => m.text?.includes('nobody-here'))).toBe(false);
    expect(
      smtp.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.text.includes('nobody-here'))),
    ).toEqual([]);
  });

  it('when a second reset link is used, then the first stops working', async () => {
    const dee = await registerUser(t.app, { name: 'Dee' });
    await smtp.next(dee.email);
    await request(t.app).post('/api/v1/auth/password-reset').send({ email: dee.email }).expect(202);
    const first = linkToken(await smtp.next(dee.email), 'reset-password');
    await request(t.app).post('/api/v1/auth/password-reset').send({ email: dee.email }).expect(202);
    const second = linkToken(await smtp.next(dee.email), 'reset-password');
    await request(t.app)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: second, password: 'the second passphrase' })
      .expect(204);
    await request(t.app)
      .post('/api/v1/auth/password-reset/confirm')
      .send({ token: first, password: 'the first passphrase' })
      .expect(400);
  });

  it('when a reminder falls due, then it is also mailed, with a link to its project', async () => {
    const eve = await registerUser(t.app, { name: 'Eve' });
    await smtp.next(eve.email);
    const remindAt = new Date(Date.now() + 1500).toISOString();
    const task = await request(t.app)
      .post('/api/v1/tasks')
      .set(eve.auth)
      .send({ title: 'Water the plants', remindAt })
      .expect(201);
    const mail = await smtp.next(eve.email, 10_000);
    expect(mail.subject).toBe('Reminder: Water the plants');
    expect(mail.text).toContain(`${CLIENT_URL}/tasks?project=${task.body.projectId as string}`);
  });

  it('when the email is malformed or the body has extra fields, then 400 names the field', async () => {
    const bad = await request(t.app).post('/api/v1/auth/password-reset').send({ email: 'not-an-email' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'email' })]);
    await request(t.app).post('/api/v1/auth/password-reset').send({ email: 'a@b.test', admin: true }).expect(400);
  });
});

describe('password reset limits and answers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_RATE_LIMIT_MAX: '5', TRUST_PROXY: '1' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when an address is asked for six times in an hour, then the sixth is 429, from any IP', async () => {
    const email = 'limited@example.com';
    for (let i = 0; i < 5; i += 1) {
      await request(t.app)
        .post('/api/v1/auth/password-reset')
        .set('X-Forwarded-For', `203.0.113.${i}`)
        .send({ email })
        .expect(202);
    }
    const limited = await request(t.app)
      .post('/api/v1/auth/password-reset')
      .set('X-Forwarded-For', '203.0.113.99')
      .send({ email })
      .expect(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('when one IP asks for six addresses in an hour, then the sixth is 429', async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(t.app)
        .post('/api/v1/auth/password-reset')
        .set('X-Forwarded-For', '192.0.2.10')
        .send({ email: `someone${i}@example.com` })
        .expect(202);
    }
    await request(t.app)
      .post('/api/v1/auth/password-reset')
      .set('X-Forwarded-For', '192.0.2.10')
      .send({ email: 'someone-else@example.com' })
      .expect(429);
  });

  it('when the answer is sent, then the address has not been looked up yet, known or not', async () => {
    // Over a store whose address lookups wait until the test lets them go: the answers must come first.
    const temp = await openTempSqliteStorage();
    const held: Array<() => void> = [];
    const users = temp.storage.users;
    const storage: Storage = {
      ...temp.storage,
      users: {
        ...users,
        findByEmail: (email: string) => new Promise((resolve) => held.push(() => resolve(users.findByEmail(email)))),
      },
    };
    const slow = await createTestApp({ storage });
    try {
      const known = await users.create({ email: 'known@example.com', name: 'Known', passwordHash: 'x' }, new Date());
      const [a, b] = await Promise.all(
        [known?.email ?? '', 'stranger@example.com'].map((email) =>
          request(slow.app).post('/api/v1/auth/password-reset').send({ email }),
        ),
      );
      expect(a?.status).toBe(202);
      expect(b?.status).toBe(202);
      expect(a?.body).toEqual(b?.body);
      expect(held).toHaveLength(2);
      for (const release of held) release();
    } finally {
      await slow.close();
      await temp.cleanup();
    }
  });
});
