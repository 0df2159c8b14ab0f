import { Command } from 'commander';
import { openLakehouse } from '../lakehouse/open-lakehouse.ts';
import { createKinesisClient } from '../lakehouse/stream/create-kinesis-client.ts';
import { ensureStream } from '../lakehouse/stream/ensure-stream.ts';
import { defaultEventCatalog, loadEventCatalog } from '../lakehouse/stream/event-catalog.ts';
import { EventGenerator } from '../lakehouse/stream/event-generator.ts';
import { EventProducer } from '../lakehouse/stream/event-producer.ts';
import { produceAtRate } from '../lakehouse/stream/produce-at-rate.ts';
import { readStreamConfig } from '../lakehouse/stream/stream-config.ts';
import { addLakehouseOptions, parseNumber, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { createProgressReporter } from './progress-reporter.ts';

interface ProduceOptions extends LakehouseCliOptions {
  rate: number;
  count?: number;
  stream?: string;
  endpoint?: string;
  shards: number;
  catalog: boolean;
}

/**
 * `stream produce`: synthetic site/app session funnels into the Kinesis stream (KINESIS_ENDPOINT,
 * KINESIS_STREAM_NAME, AWS_REGION), at --rate events/s until --count events or Ctrl-C.
 */
export function streamProduceCommand(): Command {
  return addLakehouseOptions(
    new Command('produce')
      .description('produce site/app events to the Kinesis stream')
      .option('--rate <n>', 'events per second', parseNumber('--rate'), 50)
      .option('--count <n>', 'stop after this many events', parseNumber('--count'))
      .option('--stream <name>', 'stream name (env KINESIS_STREAM_NAME)')
      .option('--endpoint <url>', 'Kinesis endpoint, e.g. a kinesalite (env KINESIS_ENDPOINT); AWS when absent')
      .option('--shards <n>', 'shards when the stream must be created', parseNumber('--shards'), 2)
      .option('--no-catalog', 'do not read campaign/product/customer ids from the lakehouse'),
  ).action(async (options: ProduceOptions) => {
    const env = readStreamConfig();
    const config = { ...env, streamName: options.stream ?? env.streamName, endpoint: options.endpoint ?? env.endpoint };
    const client = createKinesisClient(config);
    await ensureStream(client, config.streamName, options.shards);
    const catalog = options.catalog ? await loadEventCatalog(await openLakehouse(pathsFromOptions(options).duckdbPath)) : defaultEventCatalog();
    const producer = new EventProducer({ client, streamName: config.streamName, recordAcknowledged: false });
    const progress = createProgressReporter();
    let failed = 0;
    const running = produceAtRate({
      producer, generator: new EventGenerator({ catalog, seed: Date.now() % 100_000 }), ratePerSecond: options.rate,
      maxEvents: options.count,
      onSent: () => progress.update('produce', `${running.sent()} acknowledged, ${failed} failed`, running.sent(), options.count ?? running.sent()),
      onError: () => (failed += 1),
    });
    process.once('SIGINT', () => void running.stop());
    await running.done;
    progress.stop();
    process.stdout.write(`${running.sent()} events acknowledged on ${config.streamName}\n`);
    client.destroy();
  });
}
