import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessTokens } from '../../src/auth/tokens.js';

function tokensAt(now: { at: number }) {
  return new AccessTokens({
    secret: 'a-secret-of-at-least-thirty-two-characters',
    ttlMs: 15 * 60_000,
    issuer: 'primo',
    audience: 'primo-api',
    clock: () => new Date(now.at),
  });
}

describe('access tokens', () => {
  afterEach(() => vi.restoreAllMocks());

  it('when a token is verified again, then the remembered answer is used and the signature is not checked twice', () => {
    const now = { at: Date.parse('2026-12-04T10:00:00Z') };
    const tokens = tokensAt(now);
    const token = tokens.sign('user-1');
    const verify = vi.spyOn(jwt, 'verify');
    expect(tokens.verify(token)).toMatchObject({ ok: true, userId: 'user-1' });
    expect(tokens.verify(token)).toMatchObject({ ok: true, userId: 'user-1' });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('when a remembered token expires, then it is refused as expired', () => {
    const now = { at: Date.parse('2026-12-04T10:00:00Z') };
    const tokens = tokensAt(now);
    const token = tokens.sign('user-1');
    expect(tokens.verify(token).ok).toBe(true);
    now.at += 15 * 60_000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('when a token is tampered with, then it is invalid every time, however often it is sent', () => {
    const tokens = tokensAt({ at: Date.parse('2026-12-04T10:00:00Z') });
    const [header, payload, signature] = tokens.sign('user-1').split('.') as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user-2' })).toString('base64url')}.${signature}`;
    expect(tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
    expect(tokens.verify(forged)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('when more tokens are verified than it remembers, then the least recently used is checked afresh', () => {
    const now = { at: Date.parse('2026-12-04T10:00:00Z') };
    const tokens = tokensAt(now);
    const first = tokens.sign('user-0');
    tokens.verify(first);
    for (let index = 1; index <= 10_000; index += 1) tokens.verify(tokens.sign(`user-${index}`));
    const verify = vi.spyOn(jwt, 'verify');
    expect(tokens.verify(first)).toMatchObject({ ok: true, userId: 'user-0' });
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
