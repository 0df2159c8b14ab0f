import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * DDL of the streaming bronze tables (contract: notebooks/sql/README.md, section "Streaming").
 * `event_time` is when the event happened, `_arrival_time` when Kinesis received it,
 * `_ingested_at` when the consumer committed it; `_source` is the shard id.
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
  PRIMARY KEY (stream_name, shard_id)
);`;

/** Creates the streaming bronze tables when missing (idempotent). */
export async function ensureBronzeEventsTables(connection: DuckDBConnection): Promise<void> {
  await connection.run(BRONZE_EVENTS_DDL);
}
