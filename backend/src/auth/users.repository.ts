export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: Date;
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
}
