import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { StreamMonitor } from '../lakehouse/stream/stream-monitor.ts';
import { registerStreamMetrics } from './stream-metrics.ts';

describe('registerStreamMetrics', () => {
  it('exposes the stream monitor: lag, readiness, totals, micro-batch durations and per-event freshness', async () => {
    let now = 1_000_000;
    const monitor = new StreamMonitor({ maxLagMs: 5_000, now: () => now });
    const registry = new Registry();
    registerStreamMetrics(registry, monitor);

    now += 2_000;
    monitor.consumerRound({ records: 7, caughtUpAtMs: now - 500, millisBehindLatest: 250 });
    monitor.microBatchFinished({ ok: true, durationMs: 40, bronzeRows: 7 });
    monitor.microBatchFinished({ ok: false, durationMs: 3_000, bronzeRows: 0, error: new Error('boom') });
    monitor.eventsQueryable(now, [{ arrivalMs: now - 250, count: 3 }, { arrivalMs: now - 2_000, count: 4 }]);
    monitor.consumerFailed(new Error('gone'));

    const text = await registry.metrics();
    expect(text).toContain('stream_consumer_lag_seconds 0.5');
    expect(text).toContain('stream_consumer_behind_latest_seconds 0.25');
    expect(text).toContain('stream_ready 0');
    expect(text).toContain('stream_records_read_total 7');
    expect(text).toContain('stream_consumer_errors_total 1');
    expect(text).toContain('stream_micro_batch_errors_total 1');
    expect(text).toContain('stream_micro_batch_duration_seconds_count{outcome="ok"} 1');
    expect(text).toContain('stream_micro_batch_duration_seconds_bucket{le="0.05",outcome="ok"} 1');
    expect(text).toContain('stream_micro_batch_duration_seconds_count{outcome="error"} 1');
    // 3 events 0.25 s after arrival, 4 events 2 s after.
    expect(text).toContain('stream_event_freshness_seconds_bucket{le="0.3"} 3');
    expect(text).toContain('stream_event_freshness_seconds_bucket{le="2"} 7');
    expect(text).toContain('stream_event_freshness_seconds_count 7');
    // Scraping twice does not double the totals.
    expect(await registry.metrics()).toContain('stream_records_read_total 7');
  });
});
