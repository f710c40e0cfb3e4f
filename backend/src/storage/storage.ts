import type { ChangeRepository } from '../changes/changes.repository.js';
import type { IdempotencyRepository } from '../idempotency/idempotency.repository.js';
import type { JobRepository } from '../jobs/jobs.repository.js';
import type { NotificationRepository } from '../notifications/notifications.repository.js';
import type { OneTimeTokenRepository } from '../auth/one-time-tokens.repository.js';
import type { RefreshTokenRepository } from '../auth/refresh-tokens.repository.js';
import type { UserRepository } from '../auth/users.repository.js';
import type { StoreReadiness } from '../domain/readiness.js';
import type { InvitationRepository, ProjectRepository } from '../projects/projects.repository.js';
import type { TaskRepository } from '../tasks/tasks.repository.js';

/** One opened store: its repositories plus the store's own lifecycle. */
export interface Storage {
  readonly kind: 'sqlite' | 'mongo';
  readonly users: UserRepository;
  readonly tasks: TaskRepository;
  readonly projects: ProjectRepository;
  readonly invitations: InvitationRepository;
  readonly refreshTokens: RefreshTokenRepository;
  /** Tokens of password-reset and email-verification links. */
  readonly oneTimeTokens: OneTimeTokenRepository;
  readonly changes: ChangeRepository;
  readonly idempotency: IdempotencyRepository;
  readonly notifications: NotificationRepository;
  readonly jobs: JobRepository;
  /** True while the store can serve reads and writes. Must answer within about a second. */
  ping(): Promise<boolean>;
  /** Whether this instance may take traffic as far as the store goes (ping plus required indexes). */
  readiness(): Promise<StoreReadiness>;
  close(): Promise<void>;
}
