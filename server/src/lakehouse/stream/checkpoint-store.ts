import type { DuckDBConnection } from '@duckdb/node-api';

/** Where a shard was read up to; `finished` once a closed shard was read to its end. */
export interface ShardCheckpoint {
  readonly sequenceNumber: string | null;
  readonly finished: boolean;
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
      'SELECT shard_id, sequence_number, finished FROM bronze._stream_checkpoints WHERE stream_name = $1',
      [this.streamName],
    );
    const rows = reader.getRowObjectsJS() as { shard_id: string; sequence_number: string | null; finished: boolean }[];
    return new Map(rows.map((r) => [r.shard_id, { sequenceNumber: r.sequence_number, finished: r.finished }]));
  }

  async save(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    await this.connection.run(
      `INSERT OR REPLACE INTO bronze._stream_checkpoints (stream_name, shard_id, sequence_number, finished, updated_at)
       VALUES ($1, $2, $3, $4, current_timestamp)`,
      [this.streamName, shardId, checkpoint.sequenceNumber, checkpoint.finished],
    );
  }
}
