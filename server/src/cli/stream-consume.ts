import { Command } from 'commander';
import { UserError } from '../errors/user-error.ts';
import { createKinesisClient } from '../lakehouse/stream/create-kinesis-client.ts';
import { EventConsumer } from '../lakehouse/stream/event-consumer.ts';
import { MicroBatchRunner } from '../lakehouse/stream/micro-batch-runner.ts';
import { WriteLock } from '../lakehouse/stream/write-lock.ts';
import { withStreamErrors } from './kinesis-errors.ts';
import { addLakehouseOptions, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { openCliLakehouse } from './open-cli-lakehouse.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { runningServerFor } from './running-server-client.ts';
import { resolveStreamTarget, type StreamTargetOptions } from './stream-target.ts';

interface ConsumeOptions extends LakehouseCliOptions, StreamTargetOptions {
  archive?: string;
  drain: boolean;
  transform: boolean;
}

/**
 * `stream consume`: reads every shard into bronze.events (raw archive under <lakehouse-dir>/bronze/…),
 * then runs the near-real-time silver/gold micro-batch after each batch. --drain exits when the
 * stream is idle; otherwise it runs until Ctrl-C. It writes the lakehouse, so it refuses to run
 * beside an `npm start` holding it (which consumes its own stream already).
 */
export function streamConsumeCommand(): Command {
  return addLakehouseOptions(
    new Command('consume')
      .description('consume a Kinesis stream into bronze.events and the real-time gold tables (a lakehouse no server holds)')
      .option('--stream <name>', 'stream name (env KINESIS_STREAM_NAME)')
      .option('--endpoint <url>', 'Kinesis endpoint, e.g. a kinesalite (env KINESIS_ENDPOINT)')
      .option('--aws', 'consume from AWS Kinesis (region AWS_REGION, the SDK\'s credentials)')
      .option('--archive <dir>', 'raw archive root standing for the S3 bucket (default <lakehouse-dir>)')
      .option('--drain', 'stop once the stream has no new records', false)
      .option('--no-transform', 'only ingest into bronze; skip the silver/gold micro-batches'),
  ).action(async (options: ConsumeOptions) => {
    const paths = pathsFromOptions(options);
    const server = runningServerFor(paths.dir, paths.duckdbPath);
    if (server) {
      throw new UserError('LAKEHOUSE_BUSY', `${paths.duckdbPath} is held by ${server.description}, which consumes its own stream into it already`, {
        hint: 'Use `stream produce` to add events (they land within seconds), or stop the server to consume here.' });
    }
    const target = resolveStreamTarget(options, paths, 'consume');
    const client = createKinesisClient(target);
    const writeLock = new WriteLock();
    const runner = new MicroBatchRunner({ connection: await openCliLakehouse(paths.duckdbPath), writeLock });
    const progress = createProgressReporter();
    const consumer = new EventConsumer({
      client, streamName: target.streamName, connection: await openCliLakehouse(paths.duckdbPath), writeLock,
      archiveRoot: options.archive ?? paths.dir,
      onBatchCommitted: () => {
        const s = consumer.stats;
        progress.update('consume', `${s.inserted} stored, ${s.duplicates} duplicates, ${s.quarantined} quarantined`, s.records, s.records);
        if (options.transform) runner.request((error) => process.stderr.write(`micro-batch failed: ${String(error)}\n`));
      },
    });
    try {
      await withStreamErrors(target, async () => {
        await consumer.init();
        if (options.drain) await consumer.drain();
        else {
          const abort = new AbortController();
          process.once('SIGINT', () => abort.abort());
          await consumer.run(abort.signal);
        }
      });
      await runner.idle();
      progress.stop();
      const s = consumer.stats;
      process.stdout.write(`${s.records} records read: ${s.inserted} stored in bronze.events, ${s.duplicates} duplicates skipped, ${s.quarantined} quarantined\n`);
    } finally {
      progress.stop();
      client.destroy();
    }
  });
}
