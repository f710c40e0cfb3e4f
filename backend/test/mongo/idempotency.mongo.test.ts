import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaimLost, type StoredResponse } from '../../src/idempotency/idempotency.model.js';
import type { IdempotencyRepository } from '../../src/idempotency/idempotency.repository.js';
import { createMongoIdempotencyRepository } from '../../src/storage/mongo/mongo-idempotency.repository.js';
import { createMongoTaskRepository } from '../../src/storage/mongo/mongo-tasks.repository.js';
import type { NewTask, TaskRecord, TaskRepository } from '../../src/tasks/tasks.repository.js';
import { recordingStore, type RecordingStore } from './recording-store.js';

const T0 = Date.UTC(2026, 2, 15, 10);
const DAY = 86_400_000;
const LEASE = 10_000;
const at = (ms: number) => new Date(ms);
const USER = '65f0a0b00000000000000001';
const newTask = (title: string): NewTask => ({
  title,
  remindAt: null,
  recurrence: null,
  description: '',
  status: 'todo',
  priority: 'medium',
  dueDate: null,
  tags: [],
  assigneeId: null,
});
const answer = (task: TaskRecord): StoredResponse => ({ status: 201, headers: {}, body: { id: task.id } });

let store: RecordingStore;
let keys: IdempotencyRepository;
let tasks: TaskRepository;

beforeEach(() => {
  store = recordingStore();
  keys = createMongoIdempotencyRepository(store.models, store.run);
  tasks = createMongoTaskRepository(store.models, store.run, store.transact);
});
afterEach(async () => {
  await store.close();
});

const claim = (key: string, fingerprint: string, now: number) =>
  keys.claim({ userId: USER, key, fingerprint, now: at(now), leaseMs: LEASE });

describe('idempotency keys on MongoDB, as mongoose sends them', () => {
  it('when a key is claimed, then one insert keyed by user and key holds it; a second claim reads it and waits', async () => {
    const first = await claim('k', 'fp', T0);
    if (first.kind !== 'claimed') throw new Error(first.kind);
    expect(store.data.idempotencyKeys).toEqual([
      {
        _id: `${USER}:k`,
        fingerprint: 'fp',
        token: first.claim.token,
        state: 'pending',
        leaseUntil: at(T0 + LEASE),
        createdAt: at(T0),
        expiresAt: at(T0 + DAY),
      },
    ]);
    expect(await claim('k', 'fp', T0 + 1)).toEqual({ kind: 'in_flight', retryAfterMs: LEASE - 1 });
    expect(store.calls('idempotencyKeys', 'insertOne')).toHaveLength(2);
    expect(store.calls('idempotencyKeys', 'findOne')).toHaveLength(1);
  });

  it('when a keyed create commits, then the response is set on the claim inside the same transaction', async () => {
    const held = await claim('create', 'fp', T0);
    if (held.kind !== 'claimed') throw new Error(held.kind);
    const task = await tasks.create(USER, USER, newTask('Once'), at(T0 + 1), { claim: held.claim, respond: answer });
    const [completion] = store.calls('idempotencyKeys', 'updateOne');
    expect(completion?.inTransaction).toBe(true);
    expect(completion?.args[0]).toEqual({ _id: `${USER}:create`, token: held.claim.token, state: 'pending' });
    expect(store.transactions).toEqual(['committed']);
    expect(await claim('create', 'fp', T0 + 2)).toEqual({ kind: 'replay', response: answer(task) });
    expect(await claim('create', 'other', T0 + 3)).toEqual({ kind: 'mismatch' });
  });

  it('when a retry takes over a dead attempt’s key, then the late attempt’s transaction throws ClaimLost and writes nothing', async () => {
    const late = await claim('late', 'fp', T0);
    const retry = await claim('late', 'fp', T0 + LEASE);
    if (late.kind !== 'claimed' || retry.kind !== 'claimed') throw new Error('expected two claims');
    expect(store.calls('idempotencyKeys', 'updateOne').at(-1)?.args[0]).toEqual({
      _id: `${USER}:late`,
      token: late.claim.token,
      state: 'pending',
    });
    await expect(
      tasks.create(USER, USER, newTask('Late'), at(T0 + LEASE + 1), { claim: late.claim, respond: answer }),
    ).rejects.toBeInstanceOf(ClaimLost);
    expect(store.transactions).toEqual(['threw']);
    expect(store.data.tasks ?? []).toEqual([]);
    expect(store.data.changes ?? []).toEqual([]);
  });

  it('when a kept answer is past its 24 hours, then a new request replaces it; pruning deletes by the TTL field', async () => {
    const old = await claim('old', 'fp', T0);
    if (old.kind !== 'claimed') throw new Error(old.kind);
    await keys.settle(old.claim, { status: 204, headers: {}, body: null });
    expect((await claim('old', 'new', T0 + DAY)).kind).toBe('claimed');
    expect(store.calls('idempotencyKeys', 'replaceOne')).toHaveLength(1);
    expect(store.data.idempotencyKeys?.[0]).toMatchObject({ fingerprint: 'new', state: 'pending' });
    expect(await keys.prune(at(T0 + 2 * DAY))).toBe(1);
    expect(store.calls('idempotencyKeys', 'deleteMany')[0]?.args[0]).toEqual({ expiresAt: { $lte: at(T0 + 2 * DAY) } });
  });
});
