import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * DDL of the streaming bronze tables (contract: notebooks/sql/README.md, section "Streaming").
 * `event_time` is when the event happened, `_arrival_time` when Kinesis received it,
 * `_ingested_at` when the consumer committed it; `_source` is the shard id. Checkpoints carry the
 * identity of the stream and shard they were saved on (stream-identity.ts).
 */
export const BRONZE_EVENTS_DDL = `
CREATE SCHEMA IF NOT EXISTS bronze;
CREATE TABLE IF NOT EXISTS bronze.events (
  event_id STRING, event_type STRING, event_time TIMESTAMP, session_id STRING, anonymous_id STRING,
  customer_id STRING, device STRING, channel STRING, utm_source STRING, utm_medium STRING,
  utm_campaign STRING, product_id STRING, price DECIMAL(18,2), quantity INT, order_id STRING,
  _arrival_time TIMESTAMP, _ingested_at TIMESTAMP, _source STRING, _batch_id STRING, _sequence_number STRING
);
CREATE TABLE IF NOT EXISTS bronze.events_quarantine (
  _source STRING, _batch_id STRING, _ingested_at TIMESTAMP, _arrival_time TIMESTAMP,
  _sequence_number STRING, reason STRING, raw STRING
);
CREATE TABLE IF NOT EXISTS bronze._stream_checkpoints (
  stream_name STRING, shard_id STRING, sequence_number STRING, finished BOOLEAN, updated_at TIMESTAMP,
  stream_created_at STRING, shard_start_sequence STRING,
  PRIMARY KEY (stream_name, shard_id)
);`;

/**
 * Checkpoint identity columns (checkpoint-store.ts) for lakehouse files created before them:
 * `CREATE TABLE IF NOT EXISTS` leaves an existing table as it was.
 */
const LOCAL_MIGRATIONS = `
ALTER TABLE bronze._stream_checkpoints ADD COLUMN IF NOT EXISTS stream_created_at STRING;
ALTER TABLE bronze._stream_checkpoints ADD COLUMN IF NOT EXISTS shard_start_sequence STRING;`;

/** Creates the streaming bronze tables when missing (idempotent). */
export async function ensureBronzeEventsTables(connection: DuckDBConnection): Promise<void> {
  await connection.run(BRONZE_EVENTS_DDL);
  await connection.run(LOCAL_MIGRATIONS);
}
