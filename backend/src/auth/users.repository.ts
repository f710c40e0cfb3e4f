import type { EmailPreferences } from '../notifications/notification.model.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
  /** Whether the owner of the address has followed a verification link sent to it. */
  emailVerified: boolean;
  /** Which notifications are also mailed (every type until turned off). */
  emailPreferences: EmailPreferences;
}

export interface NewUser {
  /** Already lower-cased. */
  email: string;
  name: string;
  passwordHash: string;
}

/** Storage port for users. */
export interface UserRepository {
  /** Returns null when the email is already registered. */
  create(input: NewUser, now: Date): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  /** A malformed id is simply not found. */
  findById(id: string): Promise<UserRecord | null>;
  /** Marks the address verified; answers false when there is no such user. */
  markEmailVerified(id: string): Promise<boolean>;
  /** Replaces the password hash; answers false when there is no such user. */
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Changes the named switches, keeping the others; answers the user as now stored, or null. */
  setEmailPreferences(id: string, changes: Partial<EmailPreferences>): Promise<UserRecord | null>;
}
