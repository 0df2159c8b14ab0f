import { ListShardsCommand, type KinesisClient, type Shard, type _Record } from '@aws-sdk/client-kinesis';
import type { CheckpointStore } from './checkpoint-store.ts';

/** The consumer's view of one shard: lineage, position, and the live iterator if any. */
export interface TrackedShard {
  readonly shardId: string;
  readonly parents: readonly string[];
  sequenceNumber: string | null;
  finished: boolean;
  iterator?: string;
  /** The next GetRecords, already in flight while the previous batch is being committed. */
  prefetched?: Promise<ShardRead | undefined>;
}

/** One GetRecords answer; `nextIterator` is undefined once a closed shard was read to its end. */
export interface ShardRead {
  readonly records: _Record[];
  readonly nextIterator?: string;
}

/**
 * Discovers shards with ListShards and decides which may be read now. After a split or merge the
 * children must wait until every parent was read to its end, so that a session's events stay in
 * order (https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html).
 * A parent no longer listed (expired past retention) does not block its children.
 */
export class ShardTracker {
  private readonly shards = new Map<string, TrackedShard>();

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly checkpoints: CheckpointStore,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.listShards();
    const saved = await this.checkpoints.load();
    for (const shard of listed) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      const checkpoint = saved.get(shard.ShardId);
      this.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => !!p),
        sequenceNumber: checkpoint?.sequenceNumber ?? null,
        finished: checkpoint?.finished ?? false,
      });
    }
  }

  /** Unfinished shards whose parents are all finished (or gone). */
  readable(): TrackedShard[] {
    return [...this.shards.values()].filter(
      (s) => !s.finished && s.parents.every((p) => this.shards.get(p)?.finished ?? true),
    );
  }

  all(): readonly TrackedShard[] {
    return [...this.shards.values()];
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }),
      );
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }
}
