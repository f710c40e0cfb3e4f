import bcrypt from 'bcrypt';

/** Hashes and checks passwords at a fixed bcrypt cost; unknown users are checked against a decoy hash so timing does not reveal them. */
export class PasswordHasher {
  private decoy: Promise<string> | undefined;

  constructor(private readonly rounds: number) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.rounds);
  }

  /** Compares against `hash`, or against a decoy of the same cost when there is no user, and answers false then. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) {
      this.decoy ??= bcrypt.hash('decoy-password-for-timing', this.rounds);
      await bcrypt.compare(password, await this.decoy);
      return false;
    }
    return bcrypt.compare(password, hash);
  }
}
