import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OneTimeTokenRepository } from '../../src/auth/one-time-tokens.repository.js';
import type { RefreshTokenRepository } from '../../src/auth/refresh-tokens.repository.js';
import type { UserRepository } from '../../src/auth/users.repository.js';
import { createMongoOneTimeTokenRepository } from '../../src/storage/mongo/mongo-one-time-tokens.repository.js';
import { createMongoRefreshTokenRepository } from '../../src/storage/mongo/mongo-refresh-tokens.repository.js';
import { createMongoUserRepository } from '../../src/storage/mongo/mongo-users.repository.js';
import { plain } from './mingo-helpers.js';
import { recordingStore, type RecordingStore } from './recording-store.js';

// Verification, password and email switches of users, the tokens of emailed links and ending every
// session, over models whose driver collections record what mongoose sends and answer from
// documents in memory (see recording-store.ts).

const T0 = Date.UTC(2026, 2, 15, 10);
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms);

let store: RecordingStore;
let users: UserRepository;
let oneTime: OneTimeTokenRepository;
let refresh: RefreshTokenRepository;

beforeEach(() => {
  store = recordingStore();
  users = createMongoUserRepository(store.models.users, store.run);
  oneTime = createMongoOneTimeTokenRepository(store.models.oneTimeTokens, store.run);
  refresh = createMongoRefreshTokenRepository(store.models.refreshTokens, store.run);
});
afterEach(async () => {
  await store.close();
});

const newUser = async (email = 'ada@example.test') => {
  const user = await users.create({ email, name: 'Ada', passwordHash: 'h' }, at(T0));
  if (user === null) throw new Error('not created');
  return user;
};

describe('users', () => {
  it('when an account from before verification existed is read, then it is unverified with every switch on', async () => {
    const user = await newUser();
    // As such a document is stored: neither field present.
    const held = store.data.users?.[0];
    if (held) {
      delete held.emailVerified;
      delete held.emailOff;
    }
    expect(await users.findById(user.id)).toMatchObject({
      emailVerified: false,
      emailPreferences: { assigned: true, reminder: true, invited: true, 'member.added': true },
    });
  });

  it('when switches change, then off types are kept as a list (no dotted field names) and on ones leave it', async () => {
    const user = await newUser();
    await users.setEmailPreferences(user.id, { 'member.added': false, reminder: false });
    expect(store.data.users?.[0]?.emailOff).toEqual(['reminder', 'member.added']);
    const changed = await users.setEmailPreferences(user.id, { reminder: true, assigned: false });
    expect(changed?.emailPreferences).toEqual({
      assigned: false,
      reminder: true,
      invited: true,
      'member.added': false,
    });
    const updates = store.calls('users').filter((call) => call.method !== 'insertOne' && call.method !== 'findOne');
    expect(updates.map((call) => plain(call.args[1]))).toEqual([
      { $addToSet: { emailOff: { $each: ['reminder', 'member.added'] } } },
      { $pull: { emailOff: { $in: ['reminder'] } } },
      { $addToSet: { emailOff: { $each: ['assigned'] } } },
    ]);
  });

  it('when an address is verified or a password set, then one update by id says so; unknown ids answer false', async () => {
    const user = await newUser();
    expect(await users.markEmailVerified(user.id)).toBe(true);
    expect(await users.setPasswordHash(user.id, 'h2')).toBe(true);
    expect(await users.findById(user.id)).toMatchObject({ emailVerified: true, passwordHash: 'h2' });
    expect(await users.markEmailVerified('ffffffffffffffffffffffff')).toBe(false);
  });
});

describe('one-time tokens', () => {
  it('when a token is consumed, then the filter names its purpose, that it is unspent and unexpired, and it works once', async () => {
    const user = await newUser();
    await oneTime.create({
      hash: 'h'.repeat(43),
      userId: user.id,
      purpose: 'password-reset',
      createdAt: at(T0),
      expiresAt: at(T0 + HOUR),
    });
    expect(await oneTime.consume('h'.repeat(43), 'email-verification', at(T0 + 1))).toBeNull();
    expect(await oneTime.consume('h'.repeat(43), 'password-reset', at(T0 + HOUR))).toBeNull();
    expect(await oneTime.consume('h'.repeat(43), 'password-reset', at(T0 + 1))).toBe(user.id);
    expect(await oneTime.consume('h'.repeat(43), 'password-reset', at(T0 + 2))).toBeNull();
    const [first] = store.calls('one_time_tokens', 'findOneAndUpdate');
    expect(plain(first?.args[0])).toEqual({
      _id: 'h'.repeat(43),
      purpose: 'email-verification',
      usedAt: null,
      expiresAt: { $gt: at(T0 + 1) },
    });
  });

  it("when a user's links are spent, then only their unspent ones of that purpose are", async () => {
    const user = await newUser();
    const other = await newUser('bob@example.test');
    for (const [hash, userId, purpose] of [
      ['a', user.id, 'password-reset'],
      ['b', user.id, 'email-verification'],
      ['c', other.id, 'password-reset'],
    ] as const) {
      await oneTime.create({ hash, userId, purpose, createdAt: at(T0), expiresAt: at(T0 + HOUR) });
    }
    await oneTime.spendAll(user.id, 'password-reset', at(T0 + 1));
    expect(await oneTime.consume('a', 'password-reset', at(T0 + 2))).toBeNull();
    expect(await oneTime.consume('b', 'email-verification', at(T0 + 2))).toBe(user.id);
    expect(await oneTime.consume('c', 'password-reset', at(T0 + 2))).toBe(other.id);
  });
});

describe('refresh tokens', () => {
  it("when every session of a user ends, then all of that user's live tokens are revoked and no one else's", async () => {
    const user = await newUser();
    const other = await newUser('bob@example.test');
    for (const [hash, userId] of [
      ['t1', user.id],
      ['t2', user.id],
      ['t3', other.id],
    ] as const) {
      await refresh.create({ hash, userId, familyId: hash, createdAt: at(T0), expiresAt: at(T0 + HOUR) });
    }
    await refresh.revokeAllForUser(user.id, at(T0 + 1));
    expect((await refresh.consume('t1', at(T0 + 2))).kind).toBe('revoked');
    expect((await refresh.consume('t2', at(T0 + 2))).kind).toBe('revoked');
    expect((await refresh.consume('t3', at(T0 + 2))).kind).toBe('consumed');
  });
});
