import { Command } from 'commander';
import { openLakehouse } from '../lakehouse/open-lakehouse.ts';
import { createKinesisClient } from '../lakehouse/stream/create-kinesis-client.ts';
import { EventConsumer } from '../lakehouse/stream/event-consumer.ts';
import { MicroBatchRunner } from '../lakehouse/stream/micro-batch-runner.ts';
import { readStreamConfig } from '../lakehouse/stream/stream-config.ts';
import { WriteLock } from '../lakehouse/stream/write-lock.ts';
import { addLakehouseOptions, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { createProgressReporter } from './progress-reporter.ts';

interface ConsumeOptions extends LakehouseCliOptions {
  stream?: string;
  endpoint?: string;
  archive?: string;
  drain: boolean;
  transform: boolean;
}

/**
 * `stream consume`: reads every shard into bronze.events (raw archive under <lakehouse-dir>/bronze/…),
 * then runs the near-real-time silver/gold micro-batch after each batch. --drain exits when the
 * stream is idle; otherwise it runs until Ctrl-C. The DuckDB file must not be open in another process.
 */
export function streamConsumeCommand(): Command {
  return addLakehouseOptions(
    new Command('consume')
      .description('consume the Kinesis stream into bronze.events and the real-time gold tables')
      .option('--stream <name>', 'stream name (env KINESIS_STREAM_NAME)')
      .option('--endpoint <url>', 'Kinesis endpoint, e.g. a kinesalite (env KINESIS_ENDPOINT); AWS when absent')
      .option('--archive <dir>', 'raw archive root standing for the S3 bucket (default <lakehouse-dir>)')
      .option('--drain', 'stop once the stream has no new records', false)
      .option('--no-transform', 'only ingest into bronze; skip the silver/gold micro-batches'),
  ).action(async (options: ConsumeOptions) => {
    const env = readStreamConfig();
    const config = { ...env, streamName: options.stream ?? env.streamName, endpoint: options.endpoint ?? env.endpoint };
    const paths = pathsFromOptions(options);
    const client = createKinesisClient(config);
    const writeLock = new WriteLock();
    const runner = new MicroBatchRunner({ connection: await openLakehouse(paths.duckdbPath), writeLock });
    const progress = createProgressReporter();
    const consumer = new EventConsumer({
      client, streamName: config.streamName, connection: await openLakehouse(paths.duckdbPath), writeLock,
      archiveRoot: options.archive ?? paths.dir,
      onBatchCommitted: () => {
        const s = consumer.stats;
        progress.update('consume', `${s.inserted} stored, ${s.duplicates} duplicates, ${s.quarantined} quarantined`, s.records, s.records);
        if (options.transform) runner.request((error) => process.stderr.write(`micro-batch failed: ${String(error)}\n`));
      },
    });
    await consumer.init();
    if (options.drain) await consumer.drain();
    else {
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      await consumer.run(abort.signal);
    }
    await runner.idle();
    progress.stop();
    const s = consumer.stats;
    process.stdout.write(`${s.records} records read: ${s.inserted} stored in bronze.events, ${s.duplicates} duplicates skipped, ${s.quarantined} quarantined\n`);
    client.destroy();
  });
}
