import type { Clock } from '../domain/clock.js';
import { EmailTaken, NotAuthenticated } from '../domain/errors.js';
import { newObjectId } from '../domain/ids.js';
import type { Metrics } from '../observability/metrics.js';
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
}

const BAD_CREDENTIALS = 'The email or password is incorrect.';
const BAD_REFRESH = 'The refresh token is not valid; sign in again.';

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
    return this.startSession(user, newObjectId());
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
