import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '../domain/clock.js';

export interface AccessTokenOptions {
  secret: string;
  ttlMs: number;
  issuer: string;
  audience: string;
  clock: Clock;
}

const ALGORITHM = 'HS256';
const ACCESS_TYPE = 'access';
/** Verified tokens remembered per instance: a few thousand active sessions, about 150 bytes each. */
const VERIFIED_MAX = 10_000;

export type AccessTokenCheck =
  { ok: true; userId: string; expiresAt: Date } | { ok: false; reason: 'expired' | 'invalid' };

/** Signs and verifies access JWTs: HS256 only, with `iss`, `aud`, `exp` and a token type so nothing else passes as one. */
export class AccessTokens {
  /**
   * A KeyObject made once: given a string, jsonwebtoken first tries to parse it as a public key on
   * every call, and that failed parse was the most expensive step of an authenticated request.
   */
  private readonly key: KeyObject;
  /**
   * Tokens already verified, by their SHA-256, with what they say: an access token cannot be revoked,
   * so until it expires the answer stays the same and is not worked out again on every request. Least
   * recently used first (a Map keeps insertion order), dropped beyond `VERIFIED_MAX`.
   */
  private readonly verified = new Map<string, { userId: string; expiresAt: Date }>();

  constructor(private readonly options: AccessTokenOptions) {
    this.key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  sign(userId: string): string {
    return jwt.sign({ typ: ACCESS_TYPE, iat: this.seconds() }, this.key, {
      algorithm: ALGORITHM,
      subject: userId,
      issuer: this.options.issuer,
      audience: this.options.audience,
      expiresIn: Math.max(1, Math.floor(this.options.ttlMs / 1000)),
    });
  }

  private seconds(): number {
    return Math.floor(this.options.clock().getTime() / 1000);
  }

  verify(token: string): AccessTokenCheck {
    const digest = createHash('sha256').update(token).digest('base64');
    const known = this.verified.get(digest);
    if (known !== undefined) {
      this.verified.delete(digest);
      if (known.expiresAt.getTime() <= this.options.clock().getTime()) return { ok: false, reason: 'expired' };
      this.verified.set(digest, known);
      return { ok: true, ...known };
    }
    const check = this.check(token);
    if (check.ok) {
      this.verified.set(digest, { userId: check.userId, expiresAt: check.expiresAt });
      if (this.verified.size > VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value as string);
    }
    return check;
  }

  private check(token: string): AccessTokenCheck {
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTimestamp: this.seconds(),
      });
      if (
        typeof payload !== 'object' ||
        payload.typ !== ACCESS_TYPE ||
        typeof payload.sub !== 'string' ||
        typeof payload.exp !== 'number'
      ) {
        return { ok: false, reason: 'invalid' };
      }
      return { ok: true, userId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
    } catch (err) {
      return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}

/** A new opaque token (refresh tokens, invitations): 256 random bits, URL-safe. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Opaque tokens are stored only as this hash. */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
