import type { Clock } from '../domain/clock.js';
import { EmailTaken, InvalidInput, NotAuthenticated } from '../domain/errors.js';
import { newObjectId } from '../domain/ids.js';
import type { MailTemplates } from '../mail/mail-messages.js';
import type { MailOutbox } from '../mail/mail-outbox.js';
import type { Metrics } from '../observability/metrics.js';
import type { OneTimePurpose, OneTimeTokenRepository } from './one-time-tokens.repository.js';
import type { ProjectRepository } from '../projects/projects.repository.js';
import type { PasswordHasher } from './password.js';
import type { RefreshTokenRepository } from './refresh-tokens.repository.js';
import { hashOpaqueToken, newOpaqueToken, type AccessTokens } from './tokens.js';
import type { UserRecord, UserRepository } from './users.repository.js';

export interface Session {
  user: UserRecord;
  accessToken: string;
  refreshToken: string;
}

export interface AuthServiceDeps {
  users: UserRepository;
  /** Every account starts with its personal project. */
  projects: Pick<ProjectRepository, 'ensurePersonal'>;
  refreshTokens: RefreshTokenRepository;
  passwords: PasswordHasher;
  accessTokens: AccessTokens;
  refreshTtlMs: number;
  metrics: Metrics;
  clock: Clock;
  /** Password-reset and email-verification links: their tokens, and the mail that carries them. */
  oneTimeTokens: OneTimeTokenRepository;
  mail: MailOutbox;
  templates: MailTemplates;
}

/** How long an emailed link works. */
export const LINK_TTL_MS: Record<OneTimePurpose, number> = {
  'password-reset': 60 * 60 * 1000,
  'email-verification': 48 * 60 * 60 * 1000,
};

const BAD_CREDENTIALS = 'The email or password is incorrect.';
const BAD_REFRESH = 'The refresh token is not valid; sign in again.';
const BAD_LINK: Record<OneTimePurpose, string> = {
  'password-reset':
    'This reset link is not valid: it was used already, has expired or was replaced by a newer one. Ask for a new one.',
  'email-verification': 'This verification link is not valid: it was used already or has expired. Ask for a new one.',
};

/** Registration, login and the refresh-token lifecycle (rotation with reuse detection). */
export class AuthService {
  private readonly now: Clock;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.clock;
  }

  async register(input: { email: string; password: string; name: string }): Promise<Session> {
    const passwordHash = await this.deps.passwords.hash(input.password);
    const user = await this.deps.users.create({ email: input.email, name: input.name, passwordHash }, this.now());
    if (user === null) {
      throw new EmailTaken();
    }
    await this.deps.projects.ensurePersonal(user.id, user.createdAt);
    this.deps.metrics.authEvents.inc({ event: 'register' });
    await this.sendVerification(user);
    return this.startSession(user, newObjectId());
  }

  /**
   * Mails a single-use reset link to the address if it has an account; nothing otherwise. The
   * caller answers the same either way without waiting for this (no enumeration, by content or time).
   */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.deps.users.findByEmail(email);
    if (user === null) return;
    const token = await this.issue(user.id, 'password-reset');
    this.deps.mail.post(this.deps.templates.passwordReset(user, token.value), `reset-${token.hash}`);
    this.deps.metrics.authEvents.inc({ event: 'password_reset_requested' });
  }

  /** Sets a new password with a reset link's token; every session of the account ends. */
  async resetPassword(token: string, password: string): Promise<void> {
    const now = this.now();
    const userId = await this.spend(token, 'password-reset');
    await this.deps.users.setPasswordHash(userId, await this.deps.passwords.hash(password));
    await this.deps.oneTimeTokens.spendAll(userId, 'password-reset', now);
    await this.deps.refreshTokens.revokeAllForUser(userId, now);
    this.deps.metrics.authEvents.inc({ event: 'password_reset' });
  }

  async verifyEmail(token: string): Promise<void> {
    const userId = await this.spend(token, 'email-verification');
    await this.deps.users.markEmailVerified(userId);
    await this.deps.oneTimeTokens.spendAll(userId, 'email-verification', this.now());
    this.deps.metrics.authEvents.inc({ event: 'email_verified' });
  }

  /** Mails a new verification link unless the address is verified already; answers the user. */
  async resendVerification(userId: string): Promise<UserRecord> {
    const user = await this.me(userId);
    if (!user.emailVerified) await this.sendVerification(user);
    return user;
  }

  private async sendVerification(user: UserRecord): Promise<void> {
    const token = await this.issue(user.id, 'email-verification');
    this.deps.mail.post(this.deps.templates.verification(user, token.value), `verify-${token.hash}`);
  }

  private async issue(userId: string, purpose: OneTimePurpose): Promise<{ value: string; hash: string }> {
    const now = this.now();
    const value = newOpaqueToken();
    const hash = hashOpaqueToken(value);
    await this.deps.oneTimeTokens.create({
      hash,
      userId,
      purpose,
      createdAt: now,
      expiresAt: new Date(now.getTime() + LINK_TTL_MS[purpose]),
    });
    return { value, hash };
  }

  private async spend(token: string, purpose: OneTimePurpose): Promise<string> {
    const userId = await this.deps.oneTimeTokens.consume(hashOpaqueToken(token), purpose, this.now());
    if (userId === null) throw new InvalidInput([{ path: 'token', message: 'is not valid' }], BAD_LINK[purpose]);
    return userId;
  }

  async login(input: { email: string; password: string }): Promise<Session> {
    const user = await this.deps.users.findByEmail(input.email);
    const ok = await this.deps.passwords.verify(input.password, user?.passwordHash ?? null);
    if (!ok || user === null) {
      this.deps.metrics.authEvents.inc({ event: 'login_failed' });
      throw new NotAuthenticated(BAD_CREDENTIALS);
    }
    this.deps.metrics.authEvents.inc({ event: 'login_ok' });
    return this.startSession(user, newObjectId());
  }

  /** Spends the refresh token and issues a new pair in the same family; a spent token revokes the family. */
  async refresh(token: string): Promise<Session> {
    const now = this.now();
    const outcome = await this.deps.refreshTokens.consume(hashOpaqueToken(token), now);
    if (outcome.kind === 'reused') {
      await this.deps.refreshTokens.revokeFamily(outcome.token.familyId, now);
      this.deps.metrics.authEvents.inc({ event: 'refresh_reuse' });
      throw new NotAuthenticated(BAD_REFRESH);
    }
    if (outcome.kind !== 'consumed') throw new NotAuthenticated(BAD_REFRESH);
    const user = await this.deps.users.findById(outcome.token.userId);
    if (user === null) throw new NotAuthenticated(BAD_REFRESH);
    this.deps.metrics.authEvents.inc({ event: 'refresh' });
    return this.startSession(user, outcome.token.familyId);
  }

  /** Revokes the whole family of the token; unknown tokens are ignored so logout is idempotent. */
  async logout(token: string): Promise<void> {
    const now = this.now();
    const outcome = await this.deps.refreshTokens.consume(hashOpaqueToken(token), now);
    if (outcome.kind !== 'unknown') await this.deps.refreshTokens.revokeFamily(outcome.token.familyId, now);
    this.deps.metrics.authEvents.inc({ event: 'logout' });
  }

  async me(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (user === null) throw new NotAuthenticated('The account of this token no longer exists.');
    return user;
  }

  private async startSession(user: UserRecord, familyId: string): Promise<Session> {
    const now = this.now();
    const refreshToken = newOpaqueToken();
    await this.deps.refreshTokens.create({
      hash: hashOpaqueToken(refreshToken),
      userId: user.id,
      familyId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.deps.refreshTtlMs),
    });
    return { user, accessToken: this.deps.accessTokens.sign(user.id), refreshToken };
  }
}
