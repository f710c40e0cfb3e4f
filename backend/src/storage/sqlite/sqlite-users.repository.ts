import Database from 'better-sqlite3';
import type { NewUser, UserRecord, UserRepository } from '../../auth/users.repository.js';
import { isObjectId, newObjectId } from '../../domain/ids.js';
import type { StoreRunner } from './sqlite-errors.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

const USER_COLUMNS = 'id, email, name, password_hash, created_at';

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
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
    `INSERT INTO users (${USER_COLUMNS}) VALUES (@id, @email, @name, @password_hash, @created_at)`,
  );
  const byEmail = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`);
  const byId = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);

  return {
    async create(input: NewUser, now: Date) {
      const row: UserRow = {
        id: newObjectId(now.getTime()),
        email: input.email.toLowerCase(),
        name: input.name,
        password_hash: input.passwordHash,
        created_at: now.getTime(),
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
  };
}
