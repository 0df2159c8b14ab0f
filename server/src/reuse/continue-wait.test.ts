import { describe, expect, it } from 'vitest';
import { ContinueWait } from './continue-wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ContinueWait', () => {
  it('returns the value when the query finishes within the wait', async () => {
    const inFlight = new ContinueWait();
    expect(await inFlight.run('k', async () => 42, 1000)).toEqual({ done: true, value: 42 });
    expect(inFlight.size).toBe(0);
  });

  it('answers "still running" after the wait and hands the same run to the retry', async () => {
    const inFlight = new ContinueWait();
    let starts = 0;
    const start = async () => {
      starts++;
      await sleep(120);
      return 'rows';
    };
    expect(await inFlight.run('k', start, 20)).toEqual({ done: false });
    expect(await inFlight.run('k', start, 20)).toEqual({ done: false });
    expect(await inFlight.run('k', start, 1000)).toEqual({ done: true, value: 'rows' });
    expect(starts).toBe(1);
    expect(inFlight.size).toBe(0);
  });

  it('keeps a result finished between polls until the client comes back', async () => {
    const inFlight = new ContinueWait();
    expect(await inFlight.run('k', async () => { await sleep(40); return 1; }, 5)).toEqual({ done: false });
    await sleep(80);
    let started = false;
    expect(await inFlight.run('k', async () => { started = true; return 2; }, 5)).toEqual({ done: true, value: 1 });
    expect(started).toBe(false);
  });

  it('delivers a failure to the retry and forgets it', async () => {
    const inFlight = new ContinueWait();
    const fail = async () => { await sleep(30); throw new Error('boom'); };
    expect(await inFlight.run('k', fail, 5)).toEqual({ done: false });
    await expect(inFlight.run('k', fail, 1000)).rejects.toThrow('boom');
    expect(inFlight.size).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const inFlight = new ContinueWait();
    const [a, b] = await Promise.all([inFlight.run('a', async () => 'A', 100), inFlight.run('b', async () => 'B', 100)]);
    expect(a).toEqual({ done: true, value: 'A' });
    expect(b).toEqual({ done: true, value: 'B' });
  });

  it('frees an uncollected result after the pick-up window', async () => {
    const inFlight = new ContinueWait({ keepMs: 30 });
    await inFlight.run('k', async () => { await sleep(20); return 1; }, 1);
    await sleep(100);
    expect(inFlight.size).toBe(0);
  });
});
