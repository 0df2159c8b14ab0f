import fs from 'node:fs';
import { Command } from 'commander';
import { createKinesisClient } from '../lakehouse/stream/create-kinesis-client.ts';
import { ensureStream } from '../lakehouse/stream/ensure-stream.ts';
import { defaultEventCatalog, loadEventCatalog, type EventCatalog } from '../lakehouse/stream/event-catalog.ts';
import { EventGenerator } from '../lakehouse/stream/event-generator.ts';
import { EventProducer } from '../lakehouse/stream/event-producer.ts';
import { produceAtRate } from '../lakehouse/stream/produce-at-rate.ts';
import { withStreamErrors } from './kinesis-errors.ts';
import { addLakehouseOptions, parseNumber, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { openCliLakehouse } from './open-cli-lakehouse.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { resolveStreamTarget, type StreamTarget, type StreamTargetOptions } from './stream-target.ts';

interface ProduceOptions extends LakehouseCliOptions, StreamTargetOptions {
  rate: number;
  count?: number;
  shards: number;
  catalog: boolean;
}

/**
 * `stream produce`: synthetic site/app session funnels into a Kinesis stream, at --rate events/s
 * until --count events or Ctrl-C. By default the local stream of the `npm start` running on this
 * lakehouse (stream-target.ts); AWS only with --aws. The first failed put stops the run with the
 * reason (unreachable, no credentials …) instead of counting failures.
 */
export function streamProduceCommand(): Command {
  return addLakehouseOptions(
    new Command('produce')
      .description('produce site/app events to the Kinesis stream (default: the local stream of the running npm start)')
      .option('--rate <n>', 'events per second', parseNumber('--rate'), 50)
      .option('--count <n>', 'stop after this many events', parseNumber('--count'))
      .option('--stream <name>', 'stream name (env KINESIS_STREAM_NAME; default the running server\'s)')
      .option('--endpoint <url>', 'Kinesis endpoint, e.g. a kinesalite (env KINESIS_ENDPOINT)')
      .option('--aws', 'produce to AWS Kinesis (region AWS_REGION, the SDK\'s credentials)')
      .option('--shards <n>', 'shards when the stream must be created', parseNumber('--shards'), 2)
      .option('--no-catalog', 'do not read campaign/product/customer ids from the lakehouse'),
  ).action(async (options: ProduceOptions) => {
    const paths = pathsFromOptions(options);
    const target = resolveStreamTarget(options, paths);
    const catalog = options.catalog ? await readCatalog(target, paths.duckdbPath) : defaultEventCatalog();
    const client = createKinesisClient(target);
    const progress = createProgressReporter();
    try {
      await withStreamErrors(target, async () => {
        await ensureStream(client, target.streamName, options.shards);
        let failure: unknown;
        const running = produceAtRate({
          producer: new EventProducer({ client, streamName: target.streamName, recordAcknowledged: false }),
          generator: new EventGenerator({ catalog, seed: Date.now() % 100_000 }), ratePerSecond: options.rate, maxEvents: options.count,
          onSent: () => progress.update('produce', `${running.sent()} acknowledged`, running.sent(), options.count ?? running.sent()),
          onError: (error) => {
            failure ??= error;
            void running.stop();
          },
        });
        process.once('SIGINT', () => void running.stop());
        await running.done;
        progress.stop();
        process.stdout.write(`${running.sent()} events acknowledged on ${target.streamName} (${target.description})\n`);
        if (failure !== undefined) throw failure;
      });
    } finally {
      progress.stop();
      client.destroy();
    }
  });
}

/** The ids events draw from: the running server's lakehouse, else the lakehouse file, else the built-in catalog. */
async function readCatalog(target: StreamTarget, duckdbPath: string): Promise<EventCatalog> {
  if (target.server) return target.server.eventCatalog();
  if (!fs.existsSync(duckdbPath)) return defaultEventCatalog();
  const connection = await openCliLakehouse(duckdbPath);
  try {
    return await loadEventCatalog(connection);
  } finally {
    connection.closeSync();
  }
}
