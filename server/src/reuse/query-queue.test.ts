import { describe, it, expect } from 'vitest';
import { QueryQueue } from './query-queue.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('QueryQueue', () => {
  it('never runs more than `concurrency` queries at once', async () => {
    const queue = new QueryQueue({ concurrency: 2, executionTimeoutMs: 5_000 });
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return 1;
    };
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => queue.run(`q${i}`, task)));
    expect(results).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(peak).toBe(2);
  });

  it('coalesces identical concurrent queries into one execution', async () => {
    const queue = new QueryQueue({ concurrency: 4, executionTimeoutMs: 5_000 });
    let executions = 0;
    const gate = deferred<void>();
    const task = async () => {
      executions++;
      await gate.promise;
      return { rows: 3 };
    };
    const waiting = Array.from({ length: 5 }, () => queue.run('same', task));
    gate.resolve();
    const results = await Promise.all(waiting);
    expect(executions).toBe(1);
    expect(results.every((r) => r === results[0])).toBe(true);
    expect(queue.stats().coalesced).toBe(4);
  });

  it('starts waiting queries by priority, higher first', async () => {
    const queue = new QueryQueue({ concurrency: 1, executionTimeoutMs: 5_000 });
    const order: string[] = [];
    const gate = deferred<void>();
    const blocker = queue.run('blocker', async () => gate.promise);
    const low = queue.run('low', async () => void order.push('low'), { priority: 0 });
    const high = queue.run('high', async () => void order.push('high'), { priority: 10 });
    gate.resolve();
    await Promise.all([blocker, low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('cancels a query that outlives its timeout and tells the caller', async () => {
    const queue = new QueryQueue({ concurrency: 1, executionTimeoutMs: 30 });
    let sawAbort = false;
    const run = queue.run('slow', (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => { sawAbort = true; reject(signal.reason); })));
    await expect(run).rejects.toMatchObject({ code: 'QUERY_TIMEOUT' });
    expect(sawAbort).toBe(true);
  });

  it('cancels the execution only when the last waiter leaves', async () => {
    const queue = new QueryQueue({ concurrency: 1, executionTimeoutMs: 5_000 });
    let aborted = false;
    const gate = deferred<string>();
    const task = (signal: AbortSignal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return gate.promise;
    };
    const a = new AbortController();
    const first = queue.run('k', task, { signal: a.signal });
    const second = queue.run('k', task);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    expect(aborted).toBe(false);
    gate.resolve('done');
    await expect(second).resolves.toBe('done');
  });

  it('drops a queued query whose only caller cancelled, without running it', async () => {
    const queue = new QueryQueue({ concurrency: 1, executionTimeoutMs: 5_000 });
    const gate = deferred<void>();
    const blocker = queue.run('blocker', () => gate.promise);
    let ran = false;
    const c = new AbortController();
    const queued = queue.run('queued', async () => void (ran = true), { signal: c.signal });
    c.abort();
    await expect(queued).rejects.toMatchObject({ code: 'QUERY_CANCELLED' });
    gate.resolve();
    await blocker;
    expect(ran).toBe(false);
  });

  it('refuses new work beyond maxQueued with a rate-limit error', async () => {
    const queue = new QueryQueue({ concurrency: 1, executionTimeoutMs: 5_000, maxQueued: 1 });
    const gate = deferred<void>();
    const running = queue.run('a', () => gate.promise);
    const queued = queue.run('b', async () => 'b');
    await expect(queue.run('c', async () => 'c')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    gate.resolve();
    await running;
    await expect(queued).resolves.toBe('b');
  });
});
