import type { ConsumerRound } from './event-consumer.ts';

/** Is the real-time path serving fresh data? `reason` says why not. */
export interface StreamHealth {
  readonly ready: boolean;
  readonly reason?: string;
}

/** How one requested micro-batch ended. */
export interface MicroBatchOutcome {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly bronzeRows: number;
  readonly error?: unknown;
}

/** The numbers /metrics shows (observability/stream-metrics.ts). */
export interface StreamSnapshot {
  readonly consumer: 'starting' | 'running' | 'failing' | 'stopped';
  /** How long ago the stream was last known to be fully in bronze (see `lagMs()`). */
  readonly lagMs: number;
  readonly millisBehindLatest: number;
  /** Consumer rounds completed (GetRecords over every readable shard, and their commits). */
  readonly rounds: number;
  readonly recordsRead: number;
  readonly consumerErrors: number;
  readonly microBatchErrors: number;
}

/** Receives what happens, as it happens (histograms need every observation). */
export interface StreamListener {
  microBatch?(outcome: MicroBatchOutcome): void;
  /** `count` events became queryable `seconds` after they arrived in the stream. */
  freshness?(seconds: number, count: number): void;
}

/**
 * The health of the streaming path in one place: the consumer supervisor, the consumer's rounds
 * and the micro-batches report here; /readyz asks `health()`, /metrics reads `snapshot()` and
 * listens. Plain data, no metrics library: the lakehouse does not depend on observability.
 *
 * Lag: the time since the stream was last known to be entirely in bronze (a round in which every
 * shard answered with less than a full batch, minus Kinesis' MillisBehindLatest). It grows while
 * the consumer fails, hangs or falls behind, and stays under a second or two while it keeps up.
 */
export class StreamMonitor {
  private consumer: StreamSnapshot['consumer'] = 'starting';
  private caughtUpAtMs: number;
  private millisBehindLatest = 0;
  private recordsRead = 0;
  private rounds = 0;
  private consumerErrors = 0;
  private microBatchErrors = 0;
  private lastConsumerError?: string;
  private lastMicroBatchError?: string;
  private readonly listeners = new Set<StreamListener>();
  private readonly now: () => number;

  constructor(private readonly options: { readonly maxLagMs: number; readonly now?: () => number }) {
    this.now = options.now ?? Date.now;
    this.caughtUpAtMs = this.now();
  }

  consumerRound(round: ConsumerRound): void {
    this.consumer = 'running';
    this.lastConsumerError = undefined;
    this.recordsRead += round.records;
    this.rounds++;
    this.millisBehindLatest = round.millisBehindLatest;
    if (round.caughtUpAtMs !== undefined) this.caughtUpAtMs = Math.max(this.caughtUpAtMs, round.caughtUpAtMs);
  }

  consumerFailed(error: unknown): void {
    this.consumer = 'failing';
    this.consumerErrors++;
    this.lastConsumerError = messageOf(error);
  }

  consumerStopped(): void {
    this.consumer = 'stopped';
  }

  microBatchFinished(outcome: MicroBatchOutcome): void {
    if (outcome.ok) this.lastMicroBatchError = undefined;
    else {
      this.microBatchErrors++;
      this.lastMicroBatchError = messageOf(outcome.error);
    }
    for (const l of this.listeners) l.microBatch?.(outcome);
  }

  /** Arrival times (ms) of the events a micro-batch just made queryable at `queryableAtMs`. */
  eventsQueryable(queryableAtMs: number, arrivals: readonly { readonly arrivalMs: number; readonly count: number }[]): void {
    for (const a of arrivals) {
      const seconds = Math.max(0, queryableAtMs - a.arrivalMs) / 1000;
      for (const l of this.listeners) l.freshness?.(seconds, a.count);
    }
  }

  subscribe(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lagMs(): number {
    return Math.max(0, this.now() - this.caughtUpAtMs);
  }

  /** Not ready while the consumer or the micro-batches fail, or the consumer lags past `maxLagMs`. */
  health(): StreamHealth {
    if (this.consumer === 'stopped') return { ready: false, reason: 'streaming is stopped' };
    if (this.consumer === 'failing') return { ready: false, reason: `stream consumer failing: ${this.lastConsumerError}` };
    if (this.lastMicroBatchError !== undefined) return { ready: false, reason: `real-time micro-batch failing: ${this.lastMicroBatchError}` };
    const lag = this.lagMs();
    if (lag > this.options.maxLagMs) {
      return { ready: false, reason: `stream consumer is ${(lag / 1000).toFixed(1)} s behind (threshold ${(this.options.maxLagMs / 1000).toFixed(0)} s)` };
    }
    return { ready: true };
  }

  snapshot(): StreamSnapshot {
    return {
      consumer: this.consumer,
      lagMs: this.lagMs(),
      millisBehindLatest: this.millisBehindLatest,
      rounds: this.rounds,
      recordsRead: this.recordsRead,
      consumerErrors: this.consumerErrors,
      microBatchErrors: this.microBatchErrors,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
