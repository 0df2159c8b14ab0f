import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  ProvisionedThroughputExceededException,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeArchive, type ArchiveLine } from './archive-writer.ts';
import { ensureBronzeEventsTables } from './bronze-events-tables.ts';
import { commitBronzeBatch, type BronzeBatch, type BronzeCommitResult } from './bronze-events-writer.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { parseEventRecord } from './parse-event-record.ts';
import { ShardTracker, type ShardRead, type StaleCheckpoint, type TrackedShard } from './shard-tracker.ts';
import type { InitialPosition } from './stream-config.ts';
import { describeStreamIdentity, type StreamIdentity } from './stream-identity.ts';
import { WakeSignal } from './wake-signal.ts';
import { WriteLock } from './write-lock.ts';

/**
 * Points where tests stop the consumer as a crash would: inside the bronze transaction before its
 * commit, or after the bronze commit but before the checkpoint is written.
 */
export interface ConsumerHooks {
  readonly beforeBronzeCommit?: (batch: BronzeBatch) => void | Promise<void>;
  readonly afterBronzeCommit?: (batch: BronzeBatch) => void | Promise<void>;
}

/** Consumer settings. `archiveRoot` (a folder standing for the S3 bucket) enables the raw archive. */
export interface EventConsumerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly connection: DuckDBConnection;
  readonly archiveRoot?: string;
  readonly writeLock?: WriteLock;
  /**
   * Pause after a round that returned nothing (AWS allows 5 GetRecords per shard per second). In
   * `run`, each further empty round doubles it up to `maxIdlePollMs` (default: no growth), so an
   * idle stream costs a few requests a second; `wake()` ends the pause when new data is known.
   */
  readonly idlePollMs?: number;
  readonly maxIdlePollMs?: number;
  /** Where shards without a valid checkpoint start (default TRIM_HORIZON; stream-config.ts). */
  readonly initialPosition?: InitialPosition;
  /** Expected conditions worth one line in the log (checkpoints of a recreated stream dropped). */
  readonly onWarning?: (message: string, details: object) => void;
  /** After every round: records read, and up to when the stream is known to be in bronze. */
  readonly onRound?: (round: ConsumerRound) => void;
  readonly recordsPerCall?: number;
  readonly shardRefreshMs?: number;
  readonly hooks?: ConsumerHooks;
  readonly onBatchCommitted?: (result: BronzeCommitResult & { readonly batch: BronzeBatch }) => void;
  /**
   * Called once per round, as soon as the round's last batch is committed to bronze (before its
   * checkpoint): start a micro-batch. Once per round, not per shard: a micro-batch costs about the
   * same whatever its size, and the shards of a round are committed a few ms apart.
   */
  readonly onBronzeCommitted?: () => void;
  /** Time spent per stage of a batch (the bench's profile); `read` is the wait for GetRecords. */
  readonly onTiming?: (stage: ConsumerStage, ms: number) => void;
}

/** One round over the readable shards, as reported to `onRound`. */
export interface ConsumerRound {
  readonly records: number;
  /**
   * Every record that arrived before this time (ms) is committed to bronze: set when each shard
   * answered with less than a full batch, at the moment its read was requested minus how far
   * behind the tip Kinesis said it was. Undefined when some shard may hold more.
   */
  readonly caughtUpAtMs?: number;
  readonly millisBehindLatest: number;
}

/** Stages of one consumer batch, as reported to `onTiming`. */
export type ConsumerStage = 'read' | 'parse' | 'archive' | 'lock' | 'bronze' | 'checkpoint';

/** Running totals, for logs, tests and the bench. */
export interface ConsumerStats {
  records: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  batches: number;
}

/**
 * Reads every shard of the stream into bronze: GetRecords → archive → bronze transaction (dedupe on
 * event_id) → checkpoint, in that order, so a crash at any point replays at most the last batch and
 * the replay adds nothing twice.
 */
export class EventConsumer {
  readonly stats: ConsumerStats = { records: 0, inserted: 0, duplicates: 0, quarantined: 0, batches: 0 };
  private readonly lock: WriteLock;
  private readonly checkpoints: CheckpointStore;
  private readonly tracker: ShardTracker;
  private identity?: StreamIdentity;
  private lastRefresh = 0;
  private readonly idle = new WakeSignal();

  constructor(private readonly options: EventConsumerOptions) {
    this.lock = options.writeLock ?? new WriteLock();
    this.checkpoints = new CheckpointStore(options.connection, options.streamName);
    this.tracker = new ShardTracker(options.client, options.streamName, this.checkpoints);
  }

  async init(): Promise<void> {
    // Under the lock: a micro-batch runner on another connection may be creating the same tables.
    await this.lock.run(() => ensureBronzeEventsTables(this.options.connection));
    this.identity = await describeStreamIdentity(this.options.client, this.options.streamName);
    await this.refreshShards();
  }

  /** The stream this consumer reads (after `init`). */
  streamIdentity(): StreamIdentity | undefined {
    return this.identity;
  }

  /** One round over the readable shards; returns how many records it read. */
  async pollOnce(): Promise<number> {
    if (Date.now() - this.lastRefresh > (this.options.shardRefreshMs ?? 1_000)) await this.refreshShards();
    const shards = this.tracker.readable();
    const readStarted = performance.now();
    const reads = await Promise.all(shards.map((shard) => this.takeRead(shard)));
    this.options.onTiming?.('read', performance.now() - readStarted);
    let count = 0;
    let shardFinished = false;
    let caughtUpAtMs: number | undefined = Number.POSITIVE_INFINITY;
    let millisBehindLatest = 0;
    const limit = this.options.recordsPerCall ?? 10_000;
    for (const [i, read] of reads.entries()) {
      if (!read) {
        caughtUpAtMs = undefined;
        continue;
      }
      // A full shard is read ahead: Kinesis serves the next batch while this one is committed.
      if (read.records.length > 0 && read.nextIterator) {
        const ahead = this.read(shards[i]!, read.nextIterator);
        ahead.catch(() => undefined); // awaited (and its error raised) by the next round, if any
        shards[i]!.prefetched = ahead;
      }
      const lastWithRecords = read.records.length > 0 && !reads.some((r, j) => j > i && r && r.records.length > 0);
      await this.commit(shards[i]!, read.records, read.nextIterator, lastWithRecords);
      count += read.records.length;
      shardFinished ||= shards[i]!.finished;
      millisBehindLatest = Math.max(millisBehindLatest, read.millisBehindLatest);
      if (caughtUpAtMs !== undefined) {
        caughtUpAtMs = read.records.length >= limit ? undefined : Math.min(caughtUpAtMs, read.requestedAtMs - read.millisBehindLatest);
      }
    }
    if (shardFinished) await this.refreshShards();
    const caughtUp = caughtUpAtMs !== undefined && Number.isFinite(caughtUpAtMs) ? caughtUpAtMs : shards.length === 0 ? Date.now() : undefined;
    this.options.onRound?.({ records: count, caughtUpAtMs: caughtUp, millisBehindLatest });
    return count;
  }

  /**
   * Polls until `signal` aborts; rejects on the first error (the supervisor restarts it). An idle
   * stream is polled less and less often (idlePollMs doubling up to maxIdlePollMs) until records
   * come back or `wake()` says some were just put.
   */
  async run(signal: AbortSignal): Promise<void> {
    const base = this.options.idlePollMs ?? 200;
    const max = Math.max(base, this.options.maxIdlePollMs ?? base);
    let idleMs = base;
    while (!signal.aborted) {
      const count = await this.pollOnce();
      if (count > 0) {
        idleMs = base;
        continue;
      }
      if (await this.idle.wait(idleMs, signal)) idleMs = base;
      else idleMs = Math.min(max, idleMs * 2);
    }
  }

  /** New records were put (the in-process producer says so): end the idle pause now. */
  wake(): void {
    this.idle.wake();
  }

  /** Polls until `idleRounds` consecutive rounds read nothing (tests, bench and `stream consume --drain`). */
  async drain(idleRounds = 3): Promise<void> {
    for (let idle = 0; idle < idleRounds; ) {
      const count = await this.pollOnce();
      idle = count === 0 ? idle + 1 : 0;
      if (count === 0) await sleep(this.options.idlePollMs ?? 50);
    }
  }

  /** The consumer's shard view (tests check that parents finished before children). */
  shards(): readonly TrackedShard[] {
    return this.tracker.all();
  }

  /**
   * Lists shards; checkpoints saved on another incarnation of the stream (deleted and created
   * again, before this start or while running) are dropped with one warning, and their shards
   * start where the configuration says — never retried against a stream that refuses them.
   */
  private async refreshShards(): Promise<void> {
    this.identity ??= await describeStreamIdentity(this.options.client, this.options.streamName);
    let refresh = await this.tracker.refresh(this.identity);
    if (refresh.recreated) {
      this.identity = await describeStreamIdentity(this.options.client, this.options.streamName);
      this.tracker.reset();
      refresh = await this.tracker.refresh(this.identity);
    }
    await this.forget(refresh.stale);
    this.lastRefresh = Date.now();
  }

  private async forget(stale: readonly StaleCheckpoint[]): Promise<void> {
    if (stale.length === 0) return;
    await this.lock.run(() => this.checkpoints.discard(stale.map((s) => s.shardId)));
    this.options.onWarning?.(
      `stream ${this.options.streamName} is not the one ${stale.length} saved checkpoint(s) belong to (it was created again); ` +
        `reading its shards from ${this.options.initialPosition ?? 'TRIM_HORIZON'}`,
      { stream: this.identity, dropped: stale.map((s) => ({ shardId: s.shardId, sequenceNumber: s.checkpoint.sequenceNumber, reason: s.reason })) },
    );
  }

  private takeRead(shard: TrackedShard): Promise<ShardRead | undefined> {
    const read = shard.prefetched ?? this.read(shard);
    shard.prefetched = undefined;
    return read;
  }

  private async read(shard: TrackedShard, iterator = shard.iterator): Promise<ShardRead | undefined> {
    try {
      const shardIterator = iterator ?? (shard.iterator = await this.openIterator(shard));
      const requestedAtMs = Date.now();
      const response = await this.options.client.send(
        new GetRecordsCommand({ ShardIterator: shardIterator, Limit: this.options.recordsPerCall ?? 10_000 }),
      );
      return {
        records: response.Records ?? [], nextIterator: response.NextShardIterator ?? undefined,
        millisBehindLatest: response.MillisBehindLatest ?? 0, requestedAtMs,
      };
    } catch (error) {
      // An expired iterator is reopened from the checkpoint; throttling waits for the next round.
      if (error instanceof ExpiredIteratorException) shard.iterator = undefined;
      else if (!(error instanceof ProvisionedThroughputExceededException)) throw error;
      return undefined;
    }
  }

  private async openIterator(shard: TrackedShard): Promise<string> {
    if (shard.sequenceNumber) {
      try {
        return await this.getIterator(shard, { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: shard.sequenceNumber });
      } catch (error) {
        // The lineage check missed it (e.g. a stream recreated within the same second): Kinesis
        // says the sequence number is not this shard's. Drop it once, start as configured.
        if (!(error instanceof InvalidArgumentException)) throw error;
        const checkpoint = { sequenceNumber: shard.sequenceNumber, finished: false, streamCreatedAt: null, shardStart: null };
        shard.sequenceNumber = null;
        await this.forget([{ shardId: shard.shardId, checkpoint, reason: error.message }]);
      }
    }
    // Children of a split or merge read from their start once their parents are done (no loss).
    const type = this.tracker.hasTrackedParent(shard) ? 'TRIM_HORIZON' : (this.options.initialPosition ?? 'TRIM_HORIZON');
    return this.getIterator(shard, { ShardIteratorType: type });
  }

  private async getIterator(
    shard: TrackedShard,
    position: { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' | 'TRIM_HORIZON' | 'LATEST'; StartingSequenceNumber?: string },
  ): Promise<string> {
    const response = await this.options.client.send(
      new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: shard.shardId, ...position }),
    );
    if (!response.ShardIterator) throw new Error(`Kinesis returned no iterator for ${shard.shardId}`);
    return response.ShardIterator;
  }

  /** The identity saved with a checkpoint of this shard. */
  private checkpointOf(shard: TrackedShard, sequenceNumber: string | null, finished: boolean) {
    return { sequenceNumber, finished, streamCreatedAt: this.identity?.createdAt || null, shardStart: shard.startingSequence || null };
  }

  private async commit(shard: TrackedShard, records: readonly _Record[], nextIterator: string | undefined, lastOfRound: boolean): Promise<void> {
    const finished = nextIterator === undefined;
    if (records.length === 0) {
      if (finished) await this.lock.run(() => this.checkpoints.save(shard.shardId, this.checkpointOf(shard, shard.sequenceNumber, finished)));
      shard.finished = finished;
      shard.iterator = nextIterator;
      return;
    }
    const timing = this.options.onTiming;
    let mark = performance.now();
    const lap = (stage: ConsumerStage): void => {
      if (!timing) return;
      const now = performance.now();
      timing(stage, now - mark);
      mark = now;
    };
    const { batch, archive, errors } = this.prepare(shard.shardId, records);
    lap('parse');
    // The archive is written while bronze commits; both are done before the checkpoint moves, so a
    // crash in between replays the batch (the archive is at-least-once, bronze dedupes).
    const archiving = this.options.archiveRoot ? this.archive(archive, errors) : undefined;
    archiving?.catch(() => undefined); // awaited below, before the checkpoint
    const lastSequence = records[records.length - 1]!.SequenceNumber!;
    const committed = await this.lock.run(async (stampMs) => {
      lap('lock');
      const stamped = { ...batch, ingestedAtMs: stampMs };
      const result = await commitBronzeBatch(this.options.connection, stamped, () => this.options.hooks?.beforeBronzeCommit?.(stamped));
      lap('bronze');
      return { ...result, batch: stamped };
    });
    if (lastOfRound) this.options.onBronzeCommitted?.();
    await this.options.hooks?.afterBronzeCommit?.(committed.batch);
    await archiving;
    lap('archive');
    // Under the lock: a runner sharing this connection may be inside its transaction otherwise.
    await this.lock.run(() => this.checkpoints.save(shard.shardId, this.checkpointOf(shard, lastSequence, finished)));
    lap('checkpoint');
    const result = committed;
    Object.assign(shard, { sequenceNumber: lastSequence, finished, iterator: nextIterator });
    this.count(records.length, result);
    this.options.onBatchCommitted?.(result);
  }

  private prepare(shardId: string, records: readonly _Record[]): { batch: BronzeBatch; archive: ArchiveLine[]; errors: ArchiveLine[] } {
    const events: BronzeBatch['events'][number][] = [];
    const malformed: BronzeBatch['malformed'][number][] = [];
    const archive: ArchiveLine[] = [];
    const errors: ArchiveLine[] = [];
    for (const record of records) {
      const data = record.Data ?? new Uint8Array();
      const arrivalMs = record.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
      const sequenceNumber = record.SequenceNumber!;
      const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
      const parsed = parseEventRecord(raw);
      if (parsed.ok) {
        events.push({ parsed, sequenceNumber, arrivalMs });
        archive.push({ line: raw.includes('\n') ? JSON.stringify(parsed.event) : raw, arrivalMs });
      } else {
        malformed.push({ reason: parsed.reason, raw, sequenceNumber, arrivalMs });
        errors.push({ line: firehoseErrorLine(shardId, sequenceNumber, arrivalMs, data, parsed.reason), arrivalMs });
      }
    }
    return { batch: { batchId: randomUUID(), source: shardId, ingestedAtMs: 0, events, malformed }, archive, errors };
  }

  private async archive(lines: ArchiveLine[], errors: ArchiveLine[]): Promise<void> {
    const common = { root: this.options.archiveRoot!, streamName: this.options.streamName };
    if (lines.length) await writeArchive({ ...common, prefix: 'bronze/events', lines });
    if (errors.length) await writeArchive({ ...common, prefix: 'bronze/events_errors', lines: errors });
  }

  private count(records: number, result: BronzeCommitResult): void {
    this.stats.records += records;
    this.stats.inserted += result.inserted;
    this.stats.duplicates += result.duplicates;
    this.stats.quarantined += result.quarantined;
    this.stats.batches += 1;
  }
}

/** A failed record in the shape Firehose writes under its error prefix (raw data in base64). */
function firehoseErrorLine(shardId: string, sequenceNumber: string, arrivalMs: number, data: Uint8Array, reason: string): string {
  return JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: arrivalMs,
    errorCode: 'MalformedEvent',
    errorMessage: reason,
    shardId,
    sequenceNumber,
    rawData: Buffer.from(data).toString('base64'),
  });
}
