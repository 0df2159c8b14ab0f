import { describe, it, expect } from 'vitest';
import { ResultCache } from './result-cache.ts';

const base = { query: { measures: ['a.count'] }, securityContext: { storeId: 1 }, refreshKeyValues: ['k1'], modelVersion: 'v1' };

describe('ResultCache', () => {
  it('keys on query, security context, refresh keys and model version', () => {
    const key = ResultCache.key(base);
    expect(ResultCache.key({ ...base, query: { measures: ['a.count'] } })).toBe(key);
    expect(ResultCache.key({ ...base, securityContext: { storeId: 2 } })).not.toBe(key);
    expect(ResultCache.key({ ...base, refreshKeyValues: ['k2'] })).not.toBe(key);
    expect(ResultCache.key({ ...base, modelVersion: 'v2' })).not.toBe(key);
    expect(ResultCache.key({ ...base, query: { measures: ['a.sum'] } })).not.toBe(key);
  });

  it('ignores object key order but not array order', () => {
    expect(ResultCache.key({ ...base, query: { a: 1, b: 2 } })).toBe(ResultCache.key({ ...base, query: { b: 2, a: 1 } }));
    expect(ResultCache.key({ ...base, query: { m: ['x', 'y'] } })).not.toBe(ResultCache.key({ ...base, query: { m: ['y', 'x'] } }));
  });

  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new ResultCache<string>({ maxEntries: 10, ttlMs: 100, now: () => now });
    cache.set('k', 'v');
    now = 50;
    expect(cache.get('k')?.value).toBe('v');
    now = 151;
    expect(cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = new ResultCache<number>({ maxEntries: 2, ttlMs: 1_000 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe(1);
    expect(cache.get('c')?.value).toBe(3);
  });
});
