import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { resolveLakehousePaths } from '../lakehouse-paths.ts';
import { openLakehouse } from '../open-lakehouse.ts';
import { createKinesisClient } from './create-kinesis-client.ts';
import { ensureStream } from './ensure-stream.ts';
import { loadEventCatalog } from './event-catalog.ts';
import { EventConsumer, type EventConsumerOptions } from './event-consumer.ts';
import { EventGenerator } from './event-generator.ts';
import { EventProducer } from './event-producer.ts';
import { MicroBatchRunner } from './micro-batch-runner.ts';
import { produceAtRate, type RunningProducer } from './produce-at-rate.ts';
import { readStreamConfig } from './stream-config.ts';
import { StreamMonitor } from './stream-monitor.ts';
import { startKinesalite, supportsPersistentKinesalite, type LocalKinesis } from './start-kinesalite.ts';
import { superviseConsumer } from './supervise-consumer.ts';
import { WriteLock } from './write-lock.ts';

/**
 * Idle polling of the in-process kinesalite: from 20 ms after the last records up to 5 s. Every
 * put it answers wakes the consumer at once (LocalKinesis.onPut), so the slow polls only bound the
 * wait for a wake that could be missed; an idle server then costs next to nothing.
 */
const LOCAL_IDLE_POLL_MS = { first: 20, max: 5_000 };
/** AWS serves 5 GetRecords per shard per second. */
const AWS_IDLE_POLL_MS = { first: 200, max: 1_000 };
/**
 * New shards are listed at least this often. A split or merge is found sooner: the consumer lists
 * shards as soon as it reads a parent to its end; a stream created again is found at the next list.
 */
const SHARD_REFRESH_MS = 10_000;
/** The synthetic producer puts its events once a second. */
const SYNTHETIC_TICK_MS = 1_000;
/** A failed micro-batch is retried after 1 s, then 2, 4 … up to 30 s, until one succeeds. */
const MICRO_BATCH_RETRY_MS = { first: 1_000, max: 30_000 };

/** Minimal logger shape (pino and console both fit). */
export interface StreamLogger {
  info(object: object, message?: string): void;
  warn?(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** Options of the local streaming stack; every field has a default suited to `npm start`. */
export interface LocalStreamingOptions {
  /** Lakehouse DuckDB file (default: resolveLakehousePaths().duckdbPath). */
  readonly duckdbPath?: string;
  /** Folder standing for the raw-archive S3 bucket (default: the lakehouse folder). */
  readonly archiveRoot?: string;
  /**
   * Where the in-process kinesalite keeps its streams (LevelDB), so a restart finds the stream,
   * its retained records and its identity as Kinesis would: default `kinesis/` beside the DuckDB file;
   * `false` keeps them in memory (gone at exit).
   */
  readonly kinesisDataDir?: string | false;
  /** Events per second of the synthetic producer; 0 disables it (default 5). */
  readonly ratePerSecond?: number;
  readonly shardCount?: number;
  /** /readyz turns not ready past this consumer lag (default 60 s). */
  readonly maxLagMs?: number;
  readonly logger?: StreamLogger;
  /** Per-stage timings of the consumer and of the micro-batches (the bench's profile). */
  readonly onConsumerTiming?: EventConsumerOptions['onTiming'];
  readonly onMicroBatchTiming?: (step: string, ms: number) => void;
}

/** The running stack; `stop()` ends producer, consumer, micro-batches and kinesalite, in that order. */
export interface LocalStreaming {
  readonly endpoint: string;
  readonly streamName: string;
  /** Puts events on the stream (and wakes the consumer); the synthetic loop uses it when the rate is above 0. */
  readonly producer: EventProducer;
  readonly runner: MicroBatchRunner;
  /** Health and numbers of the path: /readyz and /metrics read them. */
  readonly monitor: StreamMonitor;
  stop(): Promise<void>;
}

/**
 * Starts the real-time path in this process: kinesalite (unless KINESIS_ENDPOINT points elsewhere)
 * with its streams on disk, the stream, a gentle producer, the consumer into bronze.events and the
 * near-real-time micro-batches, so campaign metrics move while the server runs.
 *
 * Nothing here polls hot: the consumer waits for data — the in-process kinesalite wakes it after
 * every put it answers, the producer after every put it makes — and polls an idle stream every 5 s
 * locally (every second against AWS or an external endpoint); a micro-batch runs only when the
 * consumer committed rows (once at start for rows committed before a crash; again after a failure,
 * with backoff). A failing consumer is restarted from its checkpoint with backoff; the monitor
 * reports it to /readyz.
 */
export async function startLocalStreaming(options: LocalStreamingOptions = {}): Promise<LocalStreaming> {
  const config = readStreamConfig();
  const logger = options.logger ?? consoleLogger;
  const warn = (object: object, message: string) => (logger.warn ? logger.warn(object, message) : logger.info(object, message));
  const paths = resolveLakehousePaths(options.duckdbPath ? { duckdbPath: options.duckdbPath } : {});
  // Beside the DuckDB file: the stream and the checkpoints saved on it live and go together.
  const kinesis: LocalKinesis | undefined = config.endpoint ? undefined : await startLocalKinesis(options, path.dirname(paths.duckdbPath), warn);
  const endpoint = config.endpoint ?? kinesis!.endpoint;
  const client = createKinesisClient({ region: config.region, endpoint });
  const monitor = new StreamMonitor({ maxLagMs: options.maxLagMs ?? 60_000 });

  // Held until stop: DuckDB's instance cache busy-spins in a later open of the same file when every
  // handle of an instance was released (a garbage-collected wrapper) while connections live on.
  let instance: DuckDBInstance | undefined = await DuckDBInstance.fromCache(paths.duckdbPath);
  const consumerConnection = await openLakehouse(paths.duckdbPath);
  const runnerConnection = await openLakehouse(paths.duckdbPath);
  const writeLock = new WriteLock();
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = MICRO_BATCH_RETRY_MS.first;
  let stopping = false;
  // The runner has its own connection, so consumer commits go on while a micro-batch computes.
  const runner: MicroBatchRunner = new MicroBatchRunner({
    connection: runnerConnection, writeLock, overlapConsumerCommits: true, onTiming: options.onMicroBatchTiming,
    onReport: (report) => {
      monitor.microBatchFinished({ ok: report.ok, durationMs: report.durationMs, bronzeRows: report.ok ? report.result.bronzeRows : 0, error: report.ok ? undefined : report.error });
      if (report.ok) retryMs = MICRO_BATCH_RETRY_MS.first;
    },
    onQueryable: (at, arrivals) => monitor.eventsQueryable(at, arrivals),
  });
  const requestMicroBatch = (): void => runner.request(onMicroBatchError);
  const onMicroBatchError = (error: unknown): void => {
    logger.error({ err: error, retryInMs: retryMs }, 'streaming micro-batch failed');
    if (stopping || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      requestMicroBatch();
    }, retryMs);
    retryMs = Math.min(MICRO_BATCH_RETRY_MS.max, retryMs * 2);
  };

  // The stream exists before this returns (the producer writes to it at once); if Kinesis cannot
  // be reached now the server still starts, and the supervisor keeps trying (/readyz says so).
  let ensured = await ensureStream(client, config.streamName, options.shardCount ?? 2).then(
    () => true,
    (error: unknown) => {
      monitor.consumerFailed(error);
      logger.error({ err: error, endpoint }, 'Kinesis stream unavailable; streaming retries in the background');
      return false;
    },
  );
  let current: EventConsumer | undefined;
  kinesis?.onPut(() => current?.wake());
  const producer = new EventProducer({ client, streamName: config.streamName, recordAcknowledged: false, onAcknowledged: () => current?.wake() });
  const abort = new AbortController();
  const idle = kinesis ? LOCAL_IDLE_POLL_MS : AWS_IDLE_POLL_MS;
  const consuming = superviseConsumer({
    signal: abort.signal,
    logger,
    monitor,
    create: async () => {
      // After a failure the stream may be gone (deleted, or an external kinesalite restarted in memory).
      if (!ensured) await ensureStream(client, config.streamName, options.shardCount ?? 2);
      ensured = false;
      current = new EventConsumer({
        client, streamName: config.streamName, connection: consumerConnection, writeLock,
        archiveRoot: options.archiveRoot ?? paths.dir,
        initialPosition: config.initialPosition,
        idlePollMs: idle.first, maxIdlePollMs: idle.max, shardRefreshMs: SHARD_REFRESH_MS,
        onBronzeCommitted: requestMicroBatch,
        onTiming: options.onConsumerTiming,
        onRound: (round) => monitor.consumerRound(round),
        onWarning: (message, details) => warn(details, message),
      });
      return current;
    },
  });
  requestMicroBatch(); // rows committed to bronze before a crash, not yet in gold

  const rate = options.ratePerSecond ?? 5;
  const producerErrors = streakLogger(logger, 'event producer failed');
  let producing: RunningProducer | undefined;
  if (rate > 0) {
    const generator = new EventGenerator({ catalog: await loadEventCatalog(consumerConnection), seed: Date.now() % 100_000 });
    producing = produceAtRate({
      // One put a second: each put wakes the consumer and costs a micro-batch (≈ 0.6 s of CPU on
      // the default lakehouse, whatever its size; bench/README.md), so the demo traffic moves the
      // dashboards every second without paying a micro-batch per event.
      producer, generator, ratePerSecond: rate, tickMs: SYNTHETIC_TICK_MS,
      onSent: producerErrors.succeeded,
      onError: producerErrors.failed,
    });
  }
  logger.info({ endpoint, stream: config.streamName, kinesisData: kinesis?.path ?? null, producerRate: rate }, 'streaming started');

  return {
    endpoint,
    streamName: config.streamName,
    producer,
    runner,
    monitor,
    async stop() {
      await producing?.stop();
      abort.abort();
      await consuming;
      stopping = true;
      clearTimeout(retryTimer);
      await runner.idle();
      monitor.consumerStopped();
      for (const c of [consumerConnection, runnerConnection]) closeQuietly(c);
      instance?.closeSync();
      instance = undefined;
      client.destroy();
      await kinesis?.stop();
    },
  };
}

/**
 * Creates the real-time tables of the local lakehouse (bronze.events, the streaming silver and
 * gold tables) when missing, so the cubes over them and their rollups answer (empty) from the
 * first start, streaming on or off. `npm start` runs it before the server and the refresh worker.
 */
export async function ensureLocalStreamingTables(duckdbPath: string): Promise<void> {
  const connection = await openLakehouse(duckdbPath);
  try {
    await new MicroBatchRunner({ connection }).createTables();
  } finally {
    closeQuietly(connection);
  }
}

/** kinesalite on disk under the lakehouse folder (or in memory when asked, or when LevelDB is missing). */
async function startLocalKinesis(options: LocalStreamingOptions, lakehouseDir: string, warn: (o: object, m: string) => void): Promise<LocalKinesis> {
  if (options.kinesisDataDir === false) return startKinesalite();
  const dir = options.kinesisDataDir ?? path.join(lakehouseDir, 'kinesis');
  if (!supportsPersistentKinesalite()) {
    warn({ dir }, 'kinesalite cannot keep streams on disk here (leveldown missing): the local stream starts empty at every start');
    return startKinesalite();
  }
  return startKinesalite({ path: dir });
}

/**
 * Logs the first failure of a streak, then at most one line a minute with the count, and one line
 * when it ends: a producer ticking five times a second against an unreachable stream must not
 * write five error lines a second.
 */
function streakLogger(logger: StreamLogger, message: string): { failed: (error: unknown) => void; succeeded: () => void } {
  let failures = 0;
  let lastLoggedMs = 0;
  return {
    failed(error) {
      failures++;
      if (failures > 1 && Date.now() - lastLoggedMs < 60_000) return;
      lastLoggedMs = Date.now();
      logger.error({ err: error, failures }, message);
    },
    succeeded() {
      if (failures > 0) logger.info({ failures }, `${message}: recovered`);
      failures = 0;
    },
  };
}

function closeQuietly(connection: DuckDBConnection): void {
  try {
    connection.closeSync();
  } catch {
    // Already closed with its instance: nothing left to release.
  }
}

const consoleLogger: StreamLogger = {
  info: (object, message) => console.log(message ?? '', object),
  warn: (object, message) => console.warn(message ?? '', object),
  error: (object, message) => console.error(message ?? '', object),
};
