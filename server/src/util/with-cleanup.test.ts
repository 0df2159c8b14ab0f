import { describe, expect, it } from 'vitest';
import { withCleanup } from './with-cleanup.ts';

async function* numbers(n: number, failAt?: number): AsyncIterable<number> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error('boom');
    yield i;
  }
}

describe('withCleanup', () => {
  it('cleans up once after a complete iteration', async () => {
    let calls = 0;
    const seen: number[] = [];
    for await (const x of withCleanup(numbers(3), () => calls++)) seen.push(x);
    expect(seen).toEqual([0, 1, 2]);
    expect(calls).toBe(1);
  });

  it('cleans up once when the source throws, and when the consumer stops early', async () => {
    let calls = 0;
    await expect(async () => {
      for await (const _ of withCleanup(numbers(3, 1), () => calls++)) void _;
    }).rejects.toThrow('boom');
    expect(calls).toBe(1);
    for await (const x of withCleanup(numbers(5), () => calls++)) if (x === 1) break;
    expect(calls).toBe(2);
  });

  it('cleans up when closed before the first next(), which a plain async generator would not', async () => {
    let calls = 0;
    const iterator = withCleanup(numbers(3), () => calls++)[Symbol.asyncIterator]();
    await iterator.return!();
    await iterator.return!();
    expect(calls).toBe(1);
  });
});
