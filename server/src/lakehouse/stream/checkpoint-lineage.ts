import type { ShardCheckpoint } from './checkpoint-store.ts';
import type { StreamIdentity } from './stream-identity.ts';

/** A shard as ListShards describes it: where its sequence numbers start and, once closed, end. */
export interface ShardRange {
  readonly shardId: string;
  readonly startingSequence: string;
  readonly endingSequence?: string;
}

/**
 * Does a saved checkpoint belong to this shard of this stream? Returns undefined when it does,
 * otherwise why not (for the one warning the consumer logs before starting the shard afresh).
 *
 * - Recorded with a stream creation time: it must be the current stream's.
 * - Recorded with the shard's starting sequence number (its lineage): it must be this shard's; a
 *   recreated stream reuses shard ids, never starting sequence numbers.
 * - Any checkpoint (including those saved before identities were recorded): its sequence number
 *   must lie within the shard's range. Kinesis sequence numbers grow within a shard, so one below
 *   the shard's start comes from an older shard of the same id.
 */
export function checkpointMismatch(saved: ShardCheckpoint, shard: ShardRange, identity: StreamIdentity): string | undefined {
  if (saved.streamCreatedAt && identity.createdAt && saved.streamCreatedAt !== identity.createdAt) {
    return `saved for the stream created at ${saved.streamCreatedAt}; the stream now was created at ${identity.createdAt}`;
  }
  if (saved.shardStart && saved.shardStart !== shard.startingSequence) {
    return `saved for an earlier ${shard.shardId} (starting at sequence ${saved.shardStart}; it now starts at ${shard.startingSequence})`;
  }
  if (saved.sequenceNumber) {
    const at = toBigInt(saved.sequenceNumber);
    const start = toBigInt(shard.startingSequence);
    const end = shard.endingSequence ? toBigInt(shard.endingSequence) : undefined;
    if (at === undefined || start === undefined) return `sequence number ${saved.sequenceNumber} cannot be compared with the shard's range`;
    if (at < start || (end !== undefined && at > end)) {
      return `sequence number ${saved.sequenceNumber} lies outside ${shard.shardId} (${shard.startingSequence}…${shard.endingSequence ?? ''})`;
    }
  }
  return undefined;
}

function toBigInt(text: string): bigint | undefined {
  return /^\d+$/.test(text) ? BigInt(text) : undefined;
}
