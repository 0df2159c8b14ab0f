import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKinesisClient } from '../../src/lakehouse/stream/create-kinesis-client.ts';
import { ensureStream } from '../../src/lakehouse/stream/ensure-stream.ts';
import { EventConsumer, type EventConsumerOptions } from '../../src/lakehouse/stream/event-consumer.ts';
import { EventProducer } from '../../src/lakehouse/stream/event-producer.ts';
import { startKinesalite, type LocalKinesis } from '../../src/lakehouse/stream/start-kinesalite.ts';
import { WriteLock } from '../../src/lakehouse/stream/write-lock.ts';

/** Real kinesalite + a real DuckDB file in a temp dir, shared by the stream suites. */
export interface StreamHarness {
  readonly dir: string;
  readonly archiveRoot: string;
  readonly streamName: string;
  readonly kinesis: LocalKinesis;
  readonly client: KinesisClient;
  readonly producer: EventProducer;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  readonly lock: WriteLock;
  consumer(extra?: Partial<EventConsumerOptions>): Promise<EventConsumer>;
  /** Closes and reopens the DuckDB file, as a restarted process would. */
  reopen(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function createStreamHarness(shardCount = 2): Promise<StreamHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'stream-test-'));
  const kinesis = await startKinesalite();
  const client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
  const streamName = 'events-test';
  await ensureStream(client, streamName, shardCount);
  const dbPath = join(dir, 'lakehouse.duckdb');
  const harness: StreamHarness = {
    dir,
    archiveRoot: join(dir, 'lake'),
    streamName,
    kinesis,
    client,
    producer: new EventProducer({ client, streamName, baseBackoffMs: 5 }),
    instance: await DuckDBInstance.create(dbPath),
    connection: undefined as unknown as DuckDBConnection,
    lock: new WriteLock(),
    async consumer(extra = {}) {
      const consumer = new EventConsumer({
        client, streamName, connection: harness.connection, archiveRoot: harness.archiveRoot,
        writeLock: harness.lock, idlePollMs: 20, shardRefreshMs: 100, ...extra,
      });
      await consumer.init();
      return consumer;
    },
    async reopen() {
      harness.connection.closeSync();
      harness.instance.closeSync();
      harness.instance = await DuckDBInstance.create(dbPath);
      harness.connection = await harness.instance.connect();
    },
    async query<T>(sql: string) {
      return (await harness.connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
    },
    async close() {
      harness.connection.closeSync();
      harness.instance.closeSync();
      client.destroy();
      await kinesis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  harness.connection = await harness.instance.connect();
  return harness;
}
