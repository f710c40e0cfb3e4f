import type { AuthResponse, User } from './auth.schemas.js';
import type { Session } from './auth.service.js';
import type { UserRecord } from './users.repository.js';

/** An account as the API sends it: never the password hash. */
export function toUser(record: UserRecord): User {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    createdAt: record.createdAt.toISOString(),
    emailVerified: record.emailVerified,
  };
}

export function toAuthResponse(session: Session): AuthResponse {
  return { user: toUser(session.user), accessToken: session.accessToken, refreshToken: session.refreshToken };
}
