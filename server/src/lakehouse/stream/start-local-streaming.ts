import type { DuckDBConnection } from '@duckdb/node-api';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveLakehousePaths } from '../lakehouse-paths.ts';
import { openLakehouse } from '../open-lakehouse.ts';
import { createKinesisClient } from './create-kinesis-client.ts';
import { ensureStream } from './ensure-stream.ts';
import { loadEventCatalog } from './event-catalog.ts';
import { EventConsumer, type EventConsumerOptions } from './event-consumer.ts';
import { EventGenerator } from './event-generator.ts';
import { EventProducer } from './event-producer.ts';
import { MicroBatchRunner } from './micro-batch-runner.ts';
import { produceAtRate } from './produce-at-rate.ts';
import { readStreamConfig } from './stream-config.ts';
import { startKinesalite, type LocalKinesis } from './start-kinesalite.ts';
import { WriteLock } from './write-lock.ts';

const LOCAL_IDLE_POLL_MS = 20;
const AWS_IDLE_POLL_MS = 200;

/** Minimal logger shape (pino and console both fit). */
export interface StreamLogger {
  info(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** Options of the local streaming stack; every field has a default suited to `npm start`. */
export interface LocalStreamingOptions {
  /** Lakehouse DuckDB file (default: resolveLakehousePaths().duckdbPath). */
  readonly duckdbPath?: string;
  /** Folder standing for the raw-archive S3 bucket (default: the lakehouse folder). */
  readonly archiveRoot?: string;
  /** Events per second of the synthetic producer; 0 disables it. */
  readonly ratePerSecond?: number;
  readonly shardCount?: number;
  /** Micro-batches also run on this interval (besides after every consumer batch). */
  readonly microBatchIntervalMs?: number;
  readonly logger?: StreamLogger;
  /** Per-stage timings of the consumer and of the micro-batches (the bench's profile). */
  readonly onConsumerTiming?: EventConsumerOptions['onTiming'];
  readonly onMicroBatchTiming?: (step: string, ms: number) => void;
}

/** The running stack; `stop()` ends producer, consumer, micro-batches and kinesalite, in that order. */
export interface LocalStreaming {
  readonly endpoint: string;
  readonly streamName: string;
  readonly producer: EventProducer;
  readonly runner: MicroBatchRunner;
  stop(): Promise<void>;
}

/**
 * Starts the real-time path in this process: kinesalite (unless KINESIS_ENDPOINT points elsewhere),
 * the stream, a gentle producer, the consumer into bronze.events and the near-real-time micro-batches,
 * so campaign metrics move while the server runs. A failing consumer is restarted from its checkpoint.
 */
export async function startLocalStreaming(options: LocalStreamingOptions = {}): Promise<LocalStreaming> {
  const config = readStreamConfig();
  const logger = options.logger ?? consoleLogger;
  const paths = resolveLakehousePaths(options.duckdbPath ? { duckdbPath: options.duckdbPath } : {});
  const kinesis: LocalKinesis | undefined = config.endpoint ? undefined : await startKinesalite();
  const endpoint = config.endpoint ?? kinesis!.endpoint;
  const client = createKinesisClient({ region: config.region, endpoint });
  await ensureStream(client, config.streamName, options.shardCount ?? 2);

  const consumerConnection = await openLakehouse(paths.duckdbPath);
  const runnerConnection = await openLakehouse(paths.duckdbPath);
  const writeLock = new WriteLock();
  // The runner has its own connection, so consumer commits go on while a micro-batch computes.
  const runner = new MicroBatchRunner({ connection: runnerConnection, writeLock, overlapConsumerCommits: true, onTiming: options.onMicroBatchTiming });
  const onError = (error: unknown) => logger.error({ err: error }, 'streaming micro-batch failed');
  const producer = new EventProducer({ client, streamName: config.streamName, recordAcknowledged: false });
  const generator = new EventGenerator({ catalog: await loadEventCatalog(consumerConnection), seed: Date.now() % 100_000 });
  const producing = produceAtRate({
    producer, generator, ratePerSecond: options.ratePerSecond ?? 5, tickMs: 200,
    onError: (error) => logger.error({ err: error }, 'event producer failed'),
  });

  const abort = new AbortController();
  const consuming = superviseConsumer(abort.signal, logger, () =>
    new EventConsumer({
      client, streamName: config.streamName, connection: consumerConnection, writeLock,
      archiveRoot: options.archiveRoot ?? paths.dir,
      // AWS serves 5 GetRecords per shard per second; kinesalite has no such limit, so poll often.
      idlePollMs: kinesis ? LOCAL_IDLE_POLL_MS : AWS_IDLE_POLL_MS,
      onBronzeCommitted: () => runner.request(onError),
      onTiming: options.onConsumerTiming,
    }),
  );
  const timer = setInterval(() => runner.request(onError), options.microBatchIntervalMs ?? 5_000);
  logger.info({ endpoint, stream: config.streamName }, 'streaming started');

  return {
    endpoint,
    streamName: config.streamName,
    producer,
    runner,
    async stop() {
      await producing.stop();
      abort.abort();
      await consuming;
      clearInterval(timer);
      await runner.idle();
      for (const c of [consumerConnection, runnerConnection]) closeQuietly(c);
      client.destroy();
      await kinesis?.stop();
    },
  };
}

/** Runs the consumer until aborted, restarting it (from the durable checkpoint) after a failure. */
async function superviseConsumer(signal: AbortSignal, logger: StreamLogger, create: () => EventConsumer): Promise<void> {
  while (!signal.aborted) {
    try {
      const consumer = create();
      await consumer.init();
      await consumer.run(signal);
    } catch (error) {
      logger.error({ err: error }, 'stream consumer failed; restarting from the checkpoint');
      await sleep(1_000);
    }
  }
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
  error: (object, message) => console.error(message ?? '', object),
};

