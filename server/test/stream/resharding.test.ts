import { MergeShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForStreamActive } from '../../src/lakehouse/stream/ensure-stream.ts';
import { EventGenerator } from '../../src/lakehouse/stream/event-generator.ts';
import { produceAtRate } from '../../src/lakehouse/stream/produce-at-rate.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';

describe('resharding while producing and consuming', () => {
  let h: StreamHarness;
  beforeEach(async () => {
    h = await createStreamHarness(2);
  });
  afterEach(async () => {
    await h.close();
  });

  it('loses nothing across a shard split and a merge, and reads parents before children', async () => {
    const producing = produceAtRate({ producer: h.producer, generator: new EventGenerator({ seed: 11 }), ratePerSecond: 2_000, tickMs: 20 });
    const consumer = await h.consumer({ recordsPerCall: 150 });
    const abort = new AbortController();
    const consuming = consumer.run(abort.signal);

    await sleep(600);
    // Split shard 0 in the middle of its hash range: children shardId-…2 and shardId-…3.
    await h.client.send(new SplitShardCommand({ StreamName: h.streamName, ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 126n).toString() }));
    await waitForStreamActive(h.client, h.streamName);
    await sleep(600);
    // Merge the upper child with the adjacent shard 1 into shardId-…4.
    await h.client.send(new MergeShardsCommand({ StreamName: h.streamName, ShardToMerge: 'shardId-000000000003', AdjacentShardToMerge: 'shardId-000000000001' }));
    await waitForStreamActive(h.client, h.streamName);
    await sleep(600);

    await producing.stop();
    abort.abort();
    await consuming;
    await consumer.drain();

    const rows = await h.query<{ event_id: string }>('SELECT event_id FROM bronze.events');
    expect(rows.length).toBe(new Set(rows.map((r) => r.event_id)).size);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(h.producer.acknowledged);
    expect(h.producer.acknowledged.size).toBeGreaterThan(2_000);

    const spans = await h.query<{ shard: string; first: number; last: number; n: bigint }>(
      `SELECT _source AS shard, min(epoch_ms(_ingested_at)) AS first, max(epoch_ms(_ingested_at)) AS last, count(*) AS n
       FROM bronze.events GROUP BY 1 ORDER BY 1`,
    );
    const span = new Map(spans.map((s) => [s.shard, s]));
    expect([...span.keys()]).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
    const lineage: [string, string[]][] = [
      ['shardId-000000000002', ['shardId-000000000000']],
      ['shardId-000000000003', ['shardId-000000000000']],
      ['shardId-000000000004', ['shardId-000000000003', 'shardId-000000000001']],
    ];
    for (const [child, parents] of lineage) {
      for (const parent of parents) expect(Number(span.get(child)!.first)).toBeGreaterThan(Number(span.get(parent)!.last));
    }
    const finished = new Map(consumer.shards().map((s) => [s.shardId, s.finished]));
    expect(finished.get('shardId-000000000000')).toBe(true);
    expect(finished.get('shardId-000000000003')).toBe(true);
    expect(finished.get('shardId-000000000004')).toBe(false);
  });
});
