import { describe, it, expect } from 'vitest';
import { answerKey } from './answer-key.ts';

const base = { query: ['SELECT count(*) FROM a', []], securityContext: { storeId: 1 }, freshness: ['a:1'], modelVersion: 'v1' };

describe('answerKey', () => {
  it('keys on query, security context, freshness values and model version', () => {
    const key = answerKey(base);
    expect(answerKey({ ...base, query: ['SELECT count(*) FROM a', []] })).toBe(key);
    expect(answerKey({ ...base, securityContext: { storeId: 2 } })).not.toBe(key);
    expect(answerKey({ ...base, freshness: ['a:2'] })).not.toBe(key);
    expect(answerKey({ ...base, modelVersion: 'v2' })).not.toBe(key);
    expect(answerKey({ ...base, query: ['SELECT sum(x) FROM a', []] })).not.toBe(key);
    expect(answerKey({ ...base, query: ['SELECT count(*) FROM a', [1]] })).not.toBe(key);
  });

  it('ignores the key order of the security context but not the order of parameters', () => {
    expect(answerKey({ ...base, securityContext: { a: 1, b: 2 } })).toBe(answerKey({ ...base, securityContext: { b: 2, a: 1 } }));
    expect(answerKey({ ...base, query: ['q', ['x', 'y']] })).not.toBe(answerKey({ ...base, query: ['q', ['y', 'x']] }));
  });

  it('keeps parts apart: text moved from one part to the next is another key', () => {
    expect(answerKey({ ...base, freshness: ['a', 'b'] })).not.toBe(answerKey({ ...base, freshness: ['a\tb'] }));
    expect(answerKey({ ...base, freshness: ['a', 'b'] })).not.toBe(answerKey({ ...base, freshness: ['a,b'] }));
    expect(answerKey({ ...base, securityContext: 'x\n"y"' })).not.toBe(answerKey({ ...base, securityContext: 'x', freshness: ['y'] }));
  });
});

