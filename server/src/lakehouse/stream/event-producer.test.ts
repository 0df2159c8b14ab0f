import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKinesisClient } from './create-kinesis-client.ts';
import { ensureStream } from './ensure-stream.ts';
import { EventGenerator } from './event-generator.ts';
import { chunkRecords, EventProducer, type OutgoingRecord } from './event-producer.ts';
import { startKinesalite, type LocalKinesis } from './start-kinesalite.ts';

async function readAll(client: KinesisClient, streamName: string): Promise<string[]> {
  const ids: string[] = [];
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards ?? []) {
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const { Records } = await client.send(new GetRecordsCommand({ ShardIterator }));
    for (const r of Records ?? []) ids.push(JSON.parse(Buffer.from(r.Data!).toString()).event_id);
  }
  return ids;
}

/**
 * kinesalite never throttles, so throttling is the one boundary we cannot reach for real: this
 * wrapper lets through only the first `passRatio` of each PutRecords call to the real kinesalite
 * and reports the rest as throttled, like Kinesis does per record.
 */
function throttlingClient(real: KinesisClient, passRatio: number, calls: number[]): KinesisClient {
  return {
    send: async (command: PutRecordsCommand) => {
      const records = command.input.Records ?? [];
      calls.push(records.length);
      const pass = Math.ceil(records.length * passRatio);
      const accepted = pass > 0 ? await real.send(new PutRecordsCommand({ ...command.input, Records: records.slice(0, pass) })) : { Records: [] };
      const throttled = records.slice(pass).map(() => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard' }));
      return { FailedRecordCount: throttled.length, Records: [...(accepted.Records ?? []), ...throttled] };
    },
  } as unknown as KinesisClient;
}

describe('EventProducer', () => {
  let kinesis: LocalKinesis;
  let client: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesalite();
    client = createKinesisClient({ region: 'us-east-1', endpoint: kinesis.endpoint });
  });
  afterAll(async () => {
    client.destroy();
    await kinesis.stop();
  });

  it('splits PutRecords calls at 500 records and at 5 MB', () => {
    const small = Array.from({ length: 1_201 }, (_, i): OutgoingRecord => ({ id: String(i), data: Buffer.alloc(10), partitionKey: 'k' }));
    expect(chunkRecords(small).map((c) => c.length)).toEqual([500, 500, 201]);
    const big = Array.from({ length: 12 }, (_, i): OutgoingRecord => ({ id: String(i), data: Buffer.alloc(1_000_000), partitionKey: 'k' }));
    expect(chunkRecords(big).map((c) => c.length)).toEqual([5, 5, 2]);
    expect(() => chunkRecords([{ id: 'x', data: Buffer.alloc(1_048_577), partitionKey: 'k' }])).toThrow(/at most 1 MiB/);
  });

  it('retries only the throttled records until every event is acknowledged once', async () => {
    await ensureStream(client, 'throttled', 2);
    const calls: number[] = [];
    const producer = new EventProducer({ client: throttlingClient(client, 0.5, calls), streamName: 'throttled', baseBackoffMs: 1, maxAttempts: 12 });
    const events = new EventGenerator({ seed: 2 }).take(800);
    const result = await producer.send(events);

    expect(result.failed).toEqual([]);
    expect(calls.slice(0, 4)).toEqual([500, 250, 125, 62]);
    expect(producer.acknowledged).toEqual(new Set(events.map((e) => e.event_id)));
    const stored = await readAll(client, 'throttled');
    expect(stored.length).toBe(800);
    expect(new Set(stored)).toEqual(producer.acknowledged);
  });

  it('gives up after maxAttempts and reports the records it could not deliver', async () => {
    await ensureStream(client, 'always-throttled', 1);
    const producer = new EventProducer({ client: throttlingClient(client, 0, []), streamName: 'always-throttled', baseBackoffMs: 1, maxAttempts: 3 });
    const events = new EventGenerator({ seed: 4 }).take(3);
    const result = await producer.send(events);
    expect(result.acknowledged).toEqual([]);
    expect(result.failed).toEqual(events.map((e) => ({ id: e.event_id, errorCode: 'ProvisionedThroughputExceededException' })));
  });
});
