/**
 * Prometheus metrics of the real-time path (lakehouse/stream), read from its StreamMonitor:
 * consumer lag, event → queryable freshness, micro-batch durations and errors, readiness. Gauges
 * and totals are read at scrape time from the monitor (one source of truth with /readyz);
 * histograms observe every micro-batch and every event as they happen.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StreamMonitor } from '../lakehouse/stream/stream-monitor.ts';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const FRESHNESS_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300];

/** Registers the stream metrics; the returned function stops listening (the gauges stay). */
export function registerStreamMetrics(registry: Registry, monitor: StreamMonitor): () => void {
  const registers = [registry];
  new Gauge({
    name: 'stream_consumer_lag_seconds',
    help: 'Time since the event stream was last known to be entirely in bronze (grows while the consumer fails or falls behind)',
    registers,
    collect() {
      this.set(monitor.snapshot().lagMs / 1000);
    },
  });
  new Gauge({
    name: 'stream_consumer_behind_latest_seconds',
    help: "Kinesis' MillisBehindLatest of the consumer's last round (kinesalite always reports 0)",
    registers,
    collect() {
      this.set(monitor.snapshot().millisBehindLatest / 1000);
    },
  });
  new Gauge({
    name: 'stream_ready',
    help: '1 while the real-time path is healthy (consumer and micro-batches succeed, lag under the threshold), as /readyz reports',
    registers,
    collect() {
      this.set(monitor.health().ready ? 1 : 0);
    },
  });
  totalFrom(registry, 'stream_records_read_total', 'Records the consumer read from the stream', () => monitor.snapshot().recordsRead);
  totalFrom(registry, 'stream_consumer_errors_total', 'Consumer failures (each followed by a restart from the checkpoint, with backoff)', () => monitor.snapshot().consumerErrors);
  totalFrom(registry, 'stream_micro_batch_errors_total', 'Failed near-real-time micro-batches (retried with backoff)', () => monitor.snapshot().microBatchErrors);

  const duration = new Histogram({
    name: 'stream_micro_batch_duration_seconds',
    help: 'Duration of requested micro-batches (bronze → silver/gold real-time tables), by outcome',
    labelNames: ['outcome'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const freshness = new Histogram({
    name: 'stream_event_freshness_seconds',
    help: 'Per event: from its arrival in the stream to the micro-batch commit that made it queryable in gold',
    buckets: FRESHNESS_BUCKETS,
    registers,
  });
  return monitor.subscribe({
    microBatch: (outcome) => duration.observe({ outcome: outcome.ok ? 'ok' : 'error' }, outcome.durationMs / 1000),
    freshness: (seconds, count) => {
      for (let i = 0; i < count; i++) freshness.observe(seconds);
    },
  });
}

/** A counter whose value is a running total kept elsewhere (read at scrape time). */
function totalFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}
