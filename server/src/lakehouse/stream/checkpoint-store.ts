import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Where a shard was read up to; `finished` once a closed shard was read to its end. The identity
 * fields tie it to one incarnation of the stream and of the shard (stream-identity.ts); they are
 * null on checkpoints saved before they were recorded.
 */
export interface ShardCheckpoint {
  readonly sequenceNumber: string | null;
  readonly finished: boolean;
  /** StreamCreationTimestamp (ISO) of the stream the checkpoint was saved on. */
  readonly streamCreatedAt: string | null;
  /** The shard's StartingSequenceNumber when the checkpoint was saved (its lineage). */
  readonly shardStart: string | null;
}

/**
 * Durable per-shard checkpoints in `bronze._stream_checkpoints`. Each save is one auto-committed
 * statement, written only after the batch it covers is committed to bronze: a crash in between
 * replays the batch, and the event_id dedupe in bronze makes the replay harmless.
 */
export class CheckpointStore {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly streamName: string,
  ) {}

  async load(): Promise<Map<string, ShardCheckpoint>> {
    const reader = await this.connection.runAndReadAll(
      `SELECT shard_id, sequence_number, finished, stream_created_at, shard_start_sequence
       FROM bronze._stream_checkpoints WHERE stream_name = $1`,
      [this.streamName],
    );
    const rows = reader.getRowObjectsJS() as {
      shard_id: string; sequence_number: string | null; finished: boolean; stream_created_at: string | null; shard_start_sequence: string | null;
    }[];
    return new Map(rows.map((r) => [r.shard_id, {
      sequenceNumber: r.sequence_number, finished: r.finished, streamCreatedAt: r.stream_created_at, shardStart: r.shard_start_sequence,
    }]));
  }

  async save(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    await this.connection.run(
      `INSERT OR REPLACE INTO bronze._stream_checkpoints
         (stream_name, shard_id, sequence_number, finished, updated_at, stream_created_at, shard_start_sequence)
       VALUES ($1, $2, $3, $4, current_timestamp, $5, $6)`,
      [this.streamName, shardId, checkpoint.sequenceNumber, checkpoint.finished, checkpoint.streamCreatedAt, checkpoint.shardStart],
    );
  }

  /** Forgets checkpoints that belong to another incarnation of the stream (one statement). */
  async discard(shardIds: readonly string[]): Promise<void> {
    if (shardIds.length === 0) return;
    const placeholders = shardIds.map((_, i) => `$${i + 2}`).join(', ');
    await this.connection.run(
      `DELETE FROM bronze._stream_checkpoints WHERE stream_name = $1 AND shard_id IN (${placeholders})`,
      [this.streamName, ...shardIds],
    );
  }
}
