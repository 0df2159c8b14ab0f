import { describe, it, expect } from 'vitest';
import { BoundedStore } from './bounded-store.ts';

describe('BoundedStore', () => {
  it('expires entries after the TTL', () => {
    let now = 1_000;
    const cache = new BoundedStore<string>({ maxEntries: 10, ttlMs: 100, now: () => now });
    cache.set('k', 'v');
    now = 1_050;
    expect(cache.get('k')).toBe('v');
    now = 1_101;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new BoundedStore<number>({ maxEntries: 2, ttlMs: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('keeps nothing with maxEntries 0 (a switched-off layer)', () => {
    const cache = new BoundedStore<number>({ maxEntries: 0 });
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
