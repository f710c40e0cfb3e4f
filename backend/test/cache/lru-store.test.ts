import { describe, expect, it } from 'vitest';
import { LruStore } from '../../src/cache/lru-store.js';

describe('LruStore', () => {
  it('when more entries than allowed are stored, then the least recently used ones are evicted', () => {
    const store = new LruStore({ maxEntries: 2, maxBytes: 10_000 });
    store.set('a', '1', 60_000);
    store.set('b', '2', 60_000);
    expect(store.get('a')).toBe('1');
    store.set('c', '3', 60_000);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('1');
    expect(store.get('c')).toBe('3');
    expect(store.size).toBe(2);
  });

  it('when the byte budget is exceeded, then old entries are evicted until it fits', () => {
    const store = new LruStore({ maxEntries: 100, maxBytes: 30 });
    store.set('k1', 'x'.repeat(10), 60_000);
    store.set('k2', 'y'.repeat(10), 60_000);
    store.set('k3', 'z'.repeat(10), 60_000);
    expect(store.get('k1')).toBeUndefined();
    expect(store.get('k3')).toBe('z'.repeat(10));
    expect(store.totalBytes).toBeLessThanOrEqual(30);
  });

  it('when a value is larger than the whole budget, then it is not stored and nothing else is lost', () => {
    const store = new LruStore({ maxEntries: 10, maxBytes: 20 });
    store.set('a', 'small', 60_000);
    expect(store.set('big', 'b'.repeat(50), 60_000)).toBe(false);
    expect(store.get('big')).toBeUndefined();
    expect(store.get('a')).toBe('small');
  });

  it('when an entry outlives its TTL, then it is gone and its bytes are released', () => {
    const clock = { now: 0 };
    const store = new LruStore({ maxEntries: 10, maxBytes: 1000, now: () => clock.now });
    store.set('a', 'value', 1000);
    clock.now = 999;
    expect(store.get('a')).toBe('value');
    clock.now = 1000;
    expect(store.get('a')).toBeUndefined();
    expect(store.totalBytes).toBe(0);
  });

  it('when a key is overwritten, then its size is counted once', () => {
    const store = new LruStore({ maxEntries: 10, maxBytes: 1000 });
    store.set('a', '12345', 1000);
    store.set('a', '123', 1000);
    expect(store.totalBytes).toBe(4);
    expect(store.get('a')).toBe('123');
  });
});
