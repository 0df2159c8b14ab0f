import { describe, expect, it } from 'vitest';
import { WakeSignal } from './wake-signal.ts';

describe('WakeSignal', () => {
  it('waits the whole time when nobody wakes it', async () => {
    const started = performance.now();
    expect(await new WakeSignal().wait(60)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('ends the wait at once when woken, and remembers a wake that came between two waits', async () => {
    const signal = new WakeSignal();
    const started = performance.now();
    const waiting = signal.wait(10_000);
    setTimeout(() => signal.wake(), 20);
    expect(await waiting).toBe(true);
    signal.wake();
    expect(await signal.wait(10_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await signal.wait(30)).toBe(false); // the remembered wake was used once
  });

  it('ends the wait when aborted', async () => {
    const abort = new AbortController();
    const waiting = new WakeSignal().wait(10_000, abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
  });
});
