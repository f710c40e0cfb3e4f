import { createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from '../helpers/app.js';
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp-peer.js';
import { openTempSqliteStorage } from '../helpers/storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { MAIL_ATTEMPTS } from '../../src/mail/in-process-mail.js';

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

  it('when a user turns reminder emails off, then the switch is kept, the reminder still notifies, and no email goes', async () => {
    const fay = await registerUser(t.app, { name: 'Fay' });
    await smtp.next(fay.email);
    const initial = await request(t.app).get('/api/v1/notifications/preferences').set(fay.auth).expect(200);
    expect(initial.body).toEqual({ email: { assigned: true, reminder: true, invited: true, 'member.added': true } });
    const changed = await request(t.app)
      .patch('/api/v1/notifications/preferences')
      .set(fay.auth)
      .send({ email: { reminder: false } })
      .expect(200);
    expect(changed.body.email).toEqual({ assigned: true, reminder: false, invited: true, 'member.added': true });
    for (const bad of [{}, { email: {} }, { email: { reminder: 'no' } }, { email: { weekly: true } }]) {
      await request(t.app).patch('/api/v1/notifications/preferences').set(fay.auth).send(bad).expect(400);
    }
    await request(t.app).get('/api/v1/notifications/preferences').expect(401);

    await request(t.app)
      .post('/api/v1/tasks')
      .set(fay.auth)
      .send({ title: 'Quiet reminder', remindAt: new Date(Date.now() + 1000).toISOString() })
      .expect(201);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const list = await request(t.app).get('/api/v1/notifications').set(fay.auth).expect(200);
      if (list.body.data.length === 1) break;
      if (Date.now() > deadline) throw new Error('the reminder did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await t.runtime.mail?.step();
    await expect(smtp.next(fay.email, 500)).rejects.toThrow(/no mail/);
  });

  it('when someone is invited, then the link is mailed to any address, and a verified account is also notified', async () => {
    const verified = async (name: string) => {
      const user = await registerUser(t.app, { name });
      const token = linkToken(await smtp.next(user.email), 'verify-email');
      await request(t.app).post('/api/v1/auth/verify-email').send({ token }).expect(204);
      return user;
    };
    const gus = await verified('Gus');
    const hal = await verified('Hal');
    const ivy = await registerUser(t.app, { name: 'Ivy' });
    await smtp.next(ivy.email);
    const project = await request(t.app).post('/api/v1/projects').set(gus.auth).send({ name: 'Orchard' }).expect(201);
    const invite = async (email: string) =>
      request(t.app)
        .post(`/api/v1/projects/${project.body.id as string}/invitations`)
        .set(gus.auth)
        .send({ email, role: 'editor' })
        .expect(201);

    const stranger = await invite('stranger-to-primo@example.com');
    const mail = await smtp.next('stranger-to-primo@example.com');
    expect(mail.subject).toBe('Gus invited you to Orchard on Primo');
    expect(mail.text).toContain(`${CLIENT_URL}/invite/${stranger.body.token as string}`);
    expect(mail.text).toMatch(/as an editor/);

    await invite(hal.email);
    expect((await smtp.next(hal.email)).subject).toBe('Gus invited you to Orchard on Primo');
    const halList = await request(t.app).get('/api/v1/notifications').set(hal.auth).expect(200);
    expect(halList.body.data).toEqual([
      expect.objectContaining({
        type: 'invited',
        actor: { id: gus.id, name: 'Gus' },
        project: { id: project.body.id, name: 'Orchard' },
      }),
    ]);

    // Not verified: the email goes, no notification.
    await invite(ivy.email);
    await smtp.next(ivy.email);
    const ivyList = await request(t.app).get('/api/v1/notifications').set(ivy.auth).expect(200);
    expect(ivyList.body.data).toEqual([]);
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

describe('mail while the SMTP server is down', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A port that nothing listens on.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    t = await createTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        JOBS_IN_PROCESS: 'true',
        JOBS_POLL_MS: '20',
        MAIL_RETRY_MS: '20',
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('when email cannot be sent, then it is retried, then kept as failed, and the API answers throughout', async () => {
    const jo = await registerUser(t.app, { name: 'Jo' });
    await request(t.app)
      .post('/api/v1/tasks')
      .set(jo.auth)
      .send({ title: 'Unmailable', remindAt: new Date(Date.now() + 500).toISOString() })
      .expect(201);
    await request(t.app).post('/api/v1/auth/password-reset').send({ email: jo.email }).expect(202);

    const failedMail = async () => {
      const text = (await request(t.app).get('/metrics').expect(200)).text;
      return Number(/primo_jobs_failed_total\{queue="mail"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const deadline = Date.now() + 20_000;
    // Every email tried MAIL_ATTEMPTS times: the verification, the reset link and the reminder.
    while (
      (await failedMail()) < 3 * MAIL_ATTEMPTS ||
      (await t.runtime.storage.notifications.pendingMail(10)).length > 0
    ) {
      if (Date.now() > deadline) throw new Error(`mail was not given up in time (${await failedMail()} failures)`);
      await request(t.app).get('/api/v1/tasks').set(jo.auth).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const list = await request(t.app).get('/api/v1/notifications').set(jo.auth).expect(200);
    expect(list.body.data).toEqual([expect.objectContaining({ type: 'reminder' })]);
    await request(t.app).get('/health/ready').expect(200);
  });
});
