import Database from 'better-sqlite3';
import type { NewUser, UserRecord, UserRepository } from '../../auth/users.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import {
  DEFAULT_EMAIL_PREFERENCES,
  NOTIFICATION_TYPES,
  type EmailPreferences,
} from '../../notifications/notification.model.js';
import type { StoreRunner } from './sqlite-errors.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  email_verified: number;
  /** The switches changed from the defaults, as JSON. */
  email_preferences: string;
}

const USER_COLUMNS = 'id, email, name, password_hash, created_at, email_verified, email_preferences';

/** The stored switches over the defaults; anything but a boolean is ignored. */
export function preferencesOf(stored: unknown): EmailPreferences {
  const preferences: EmailPreferences = { ...DEFAULT_EMAIL_PREFERENCES };
  if (typeof stored !== 'object' || stored === null) return preferences;
  for (const type of NOTIFICATION_TYPES) {
    const value = (stored as Record<string, unknown>)[type];
    if (typeof value === 'boolean') preferences[type] = value;
  }
  return preferences;
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
    emailVerified: row.email_verified === 1,
    emailPreferences: preferencesOf(JSON.parse(row.email_preferences)),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/** The users port over the `users` table. */
export function createSqliteUserRepository(db: Database.Database, run: StoreRunner): UserRepository {
  const insert = db.prepare<[UserRow]>(
    `INSERT INTO users (${USER_COLUMNS})
     VALUES (@id, @email, @name, @password_hash, @created_at, @email_verified, @email_preferences)`,
  );
  const byEmail = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`);
  const byId = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
  const verify = db.prepare<[string]>('UPDATE users SET email_verified = 1 WHERE id = ?');
  const setPassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?');
  // One statement merges the changed switches into the stored ones, so two concurrent changes to
  // different switches both hold.
  const setPreferences = db.prepare<[string, string], UserRow>(
    `UPDATE users SET email_preferences = json_patch(email_preferences, ?) WHERE id = ? RETURNING ${USER_COLUMNS}`,
  );

  return {
    async create(input: NewUser, now: Date) {
      const row: UserRow = {
        id: newObjectId(now.getTime()),
        email: input.email.toLowerCase(),
        name: input.name,
        password_hash: input.passwordHash,
        created_at: now.getTime(),
        email_verified: 0,
        email_preferences: '{}',
      };
      return run(() => {
        try {
          insert.run(row);
        } catch (error) {
          if (isUniqueViolation(error)) return null;
          throw error;
        }
        return toUser(row);
      });
    },
    async findByEmail(email: string) {
      return run(() => {
        const row = byEmail.get(email.toLowerCase());
        return row === undefined ? null : toUser(row);
      });
    },
    async findById(id: string) {
      if (!isObjectId(id)) return null;
      return run(() => {
        const row = byId.get(id);
        return row === undefined ? null : toUser(row);
      });
    },
    async markEmailVerified(id: string) {
      if (!isObjectId(id)) return false;
      return run(() => verify.run(id).changes === 1);
    },
    async setPasswordHash(id: string, passwordHash: string) {
      if (!isObjectId(id)) return false;
      return run(() => setPassword.run(passwordHash, id).changes === 1);
    },
    async setEmailPreferences(id: string, changes: Partial<EmailPreferences>) {
      if (!isObjectId(id)) return null;
      const patch: Partial<EmailPreferences> = {};
      for (const type of NOTIFICATION_TYPES) {
        const value = changes[type];
        if (typeof value === 'boolean') patch[type] = value;
      }
      return run(() => {
        const row = setPreferences.get(JSON.stringify(patch), id);
        return row === undefined ? null : toUser(row);
      });
    },
  };
}
