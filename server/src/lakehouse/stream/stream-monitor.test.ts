import { describe, expect, it } from 'vitest';
import { StreamMonitor } from './stream-monitor.ts';

function monitorAt(start: number) {
  let now = start;
  const monitor = new StreamMonitor({ maxLagMs: 10_000, now: () => now });
  return { monitor, advance: (ms: number) => void (now += ms), now: () => now };
}

describe('StreamMonitor', () => {
  it('is ready while rounds keep the stream caught up, and lag is the time since then', () => {
    const { monitor, advance, now } = monitorAt(1_000_000);
    advance(1_000);
    monitor.consumerRound({ records: 5, caughtUpAtMs: now() - 200, millisBehindLatest: 0 });
    advance(500);
    expect(monitor.lagMs()).toBe(700);
    expect(monitor.health()).toEqual({ ready: true });
    expect(monitor.snapshot()).toMatchObject({ consumer: 'running', rounds: 1, recordsRead: 5 });
  });

  it('turns not ready once the consumer lags past the threshold (rounds that cannot say they caught up)', () => {
    const { monitor, advance } = monitorAt(1_000_000);
    for (let i = 0; i < 11; i++) {
      advance(1_000);
      monitor.consumerRound({ records: 10_000, caughtUpAtMs: undefined, millisBehindLatest: 0 });
    }
    expect(monitor.health()).toEqual({ ready: false, reason: 'stream consumer is 11.0 s behind (threshold 10 s)' });
  });

  it('turns not ready at once while the consumer fails, and ready again after a good round', () => {
    const { monitor, now } = monitorAt(1_000_000);
    monitor.consumerFailed(new Error('connect ECONNREFUSED 127.0.0.1:4567'));
    expect(monitor.health()).toEqual({ ready: false, reason: 'stream consumer failing: connect ECONNREFUSED 127.0.0.1:4567' });
    expect(monitor.snapshot().consumerErrors).toBe(1);
    monitor.consumerRound({ records: 0, caughtUpAtMs: now(), millisBehindLatest: 0 });
    expect(monitor.health().ready).toBe(true);
  });

  it('turns not ready while micro-batches fail, and reports every outcome and freshness to listeners', () => {
    const { monitor } = monitorAt(1_000_000);
    const seen: string[] = [];
    monitor.subscribe({ microBatch: (o) => seen.push(`batch ${o.ok}`), freshness: (s, n) => seen.push(`fresh ${s}×${n}`) });
    monitor.microBatchFinished({ ok: false, durationMs: 5, bronzeRows: 0, error: new Error('disk full') });
    expect(monitor.health()).toEqual({ ready: false, reason: 'real-time micro-batch failing: disk full' });
    monitor.microBatchFinished({ ok: true, durationMs: 7, bronzeRows: 3 });
    monitor.eventsQueryable(2_000, [{ arrivalMs: 1_750, count: 2 }, { arrivalMs: 1_500, count: 1 }]);
    expect(monitor.health().ready).toBe(true);
    expect(seen).toEqual(['batch false', 'batch true', 'fresh 0.25×2', 'fresh 0.5×1']);
    expect(monitor.snapshot().microBatchErrors).toBe(1);
  });
});
