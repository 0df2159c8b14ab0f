import { ListShardsCommand, type KinesisClient, type Shard, type _Record } from '@aws-sdk/client-kinesis';
import { checkpointMismatch } from './checkpoint-lineage.ts';
import type { CheckpointStore, ShardCheckpoint } from './checkpoint-store.ts';
import type { StreamIdentity } from './stream-identity.ts';

/** The consumer's view of one shard: lineage, position, and the live iterator if any. */
export interface TrackedShard {
  readonly shardId: string;
  readonly parents: readonly string[];
  /** The shard's StartingSequenceNumber: with the stream's creation time, which shard this is. */
  readonly startingSequence: string;
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
  /** How far behind the tip of the shard this read was (GetRecords' MillisBehindLatest). */
  readonly millisBehindLatest: number;
  /** When the GetRecords was sent (ms): the moment its answer describes. */
  readonly requestedAtMs: number;
}

/** Checkpoints found to belong to another incarnation of the stream or shard, with why. */
export interface StaleCheckpoint {
  readonly shardId: string;
  readonly checkpoint: ShardCheckpoint;
  readonly reason: string;
}

/** What a refresh found: checkpoints to forget, and whether the stream was recreated under us. */
export interface ShardRefresh {
  readonly stale: readonly StaleCheckpoint[];
  /** A tracked shard now starts at another sequence number: the stream was deleted and created again. */
  readonly recreated: boolean;
}

/**
 * Discovers shards with ListShards and decides which may be read now. After a split or merge the
 * children must wait until every parent was read to its end, so that a session's events stay in
 * order (https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html).
 * A parent no longer listed (expired past retention) does not block its children.
 *
 * A saved checkpoint is used only when it belongs to the listed shard of the current stream
 * (checkpoint-lineage.ts); otherwise the refresh reports it as stale and the shard starts afresh.
 */
export class ShardTracker {
  private readonly shards = new Map<string, TrackedShard>();

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    private readonly checkpoints: CheckpointStore,
  ) {}

  async refresh(identity: StreamIdentity): Promise<ShardRefresh> {
    const listed = (await this.listShards()).filter((s): s is Shard & { ShardId: string } => !!s.ShardId);
    const recreated = listed.some((s) => {
      const known = this.shards.get(s.ShardId);
      return known !== undefined && known.startingSequence !== (s.SequenceNumberRange?.StartingSequenceNumber ?? '');
    });
    if (recreated) return { stale: [], recreated };
    const fresh = listed.filter((s) => !this.shards.has(s.ShardId));
    if (fresh.length === 0) return { stale: [], recreated: false };
    // Checkpoints are read only when shards appear (start, reshard), not on every refresh.
    const saved = await this.checkpoints.load();
    const stale: StaleCheckpoint[] = [];
    for (const shard of fresh) {
      const range = {
        shardId: shard.ShardId,
        startingSequence: shard.SequenceNumberRange?.StartingSequenceNumber ?? '',
        endingSequence: shard.SequenceNumberRange?.EndingSequenceNumber,
      };
      let checkpoint = saved.get(shard.ShardId);
      const reason = checkpoint && checkpointMismatch(checkpoint, range, identity);
      if (checkpoint && reason) {
        stale.push({ shardId: shard.ShardId, checkpoint, reason });
        checkpoint = undefined;
      }
      this.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parents: [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => !!p),
        startingSequence: range.startingSequence,
        sequenceNumber: checkpoint?.sequenceNumber ?? null,
        finished: checkpoint?.finished ?? false,
      });
    }
    if (this.shards.size === fresh.length) {
      // First look at this stream: checkpoints of shards it no longer lists but that were saved on
      // another stream of this name are stale too (a recreated stream with fewer shards).
      for (const [shardId, checkpoint] of saved) {
        if (this.shards.has(shardId) || !checkpoint.streamCreatedAt || checkpoint.streamCreatedAt === identity.createdAt) continue;
        stale.push({ shardId, checkpoint, reason: `saved for the stream created at ${checkpoint.streamCreatedAt}` });
      }
    }
    return { stale, recreated: false };
  }

  /** Forgets every shard (the stream was recreated): the next refresh starts over. */
  reset(): void {
    this.shards.clear();
  }

  /** Unfinished shards whose parents are all finished (or gone). */
  readable(): TrackedShard[] {
    return [...this.shards.values()].filter(
      (s) => !s.finished && s.parents.every((p) => this.shards.get(p)?.finished ?? true),
    );
  }

  /** Was this shard born of a split or merge whose parent this consumer tracks? */
  hasTrackedParent(shard: TrackedShard): boolean {
    return shard.parents.some((p) => this.shards.has(p));
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
