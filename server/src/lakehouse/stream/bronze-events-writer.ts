import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { ParsedEvent } from './parse-event-record.ts';

/** One consumer batch as it goes to bronze: valid events and malformed records of one shard. */
export interface BronzeBatch {
  readonly batchId: string;
  /** The shard id the records came from (bronze `_source`). */
  readonly source: string;
  readonly ingestedAtMs: number;
  readonly events: readonly { readonly parsed: ParsedEvent; readonly sequenceNumber: string; readonly arrivalMs: number }[];
  readonly malformed: readonly { readonly reason: string; readonly raw: string; readonly sequenceNumber: string; readonly arrivalMs: number }[];
}

/** What a commit did: rows added, events skipped as already stored, records quarantined. */
export interface BronzeCommitResult {
  readonly inserted: number;
  readonly duplicates: number;
  readonly quarantined: number;
}

const STAGE_DDL = `
CREATE TEMP TABLE IF NOT EXISTS events_stage (
  ord INT, event_id VARCHAR, event_type VARCHAR, event_time_us BIGINT, session_id VARCHAR, anonymous_id VARCHAR,
  customer_id VARCHAR, device VARCHAR, channel VARCHAR, utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR,
  product_id VARCHAR, price DOUBLE, quantity INT, order_id VARCHAR, arrival_us BIGINT, sequence_number VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS quarantine_stage (arrival_us BIGINT, sequence_number VARCHAR, reason VARCHAR, raw VARCHAR);
DELETE FROM events_stage;
DELETE FROM quarantine_stage;`;

// Exactly once per event_id: the first copy inside the batch wins, and ids already in bronze are
// skipped. The ids already stored are found with an inner join driven by the small staged batch.
const INSERT_EVENTS = `
INSERT INTO bronze.events
WITH firsts AS (
  SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY ord) AS rn FROM events_stage) WHERE rn = 1
), already AS (
  SELECT e.event_id FROM bronze.events e JOIN firsts f ON e.event_id = f.event_id
)
SELECT event_id, event_type, make_timestamp(event_time_us), session_id, anonymous_id, customer_id, device, channel,
  utm_source, utm_medium, utm_campaign, product_id, CAST(price AS DECIMAL(18,2)), quantity, order_id,
  make_timestamp(arrival_us), make_timestamp(CAST($ingested_us AS BIGINT)), $source, $batch_id, sequence_number
FROM firsts WHERE event_id NOT IN (SELECT event_id FROM already)`;

// A replayed batch must not quarantine the same record twice: (shard, sequence number) identifies it.
const INSERT_QUARANTINE = `
INSERT INTO bronze.events_quarantine
SELECT $source, $batch_id, make_timestamp(CAST($ingested_us AS BIGINT)), make_timestamp(q.arrival_us), q.sequence_number, q.reason, q.raw
FROM quarantine_stage q
WHERE NOT EXISTS (SELECT 1 FROM bronze.events_quarantine x WHERE x._source = $source AND x._sequence_number = q.sequence_number)`;

/**
 * Commits one batch to bronze.events and bronze.events_quarantine in a single DuckDB transaction.
 * `beforeCommit` runs inside the transaction (tests use it to die before the commit); on any
 * error the transaction is rolled back, so bronze never holds half a batch.
 */
export async function commitBronzeBatch(
  connection: DuckDBConnection,
  batch: BronzeBatch,
  beforeCommit?: () => void | Promise<void>,
): Promise<BronzeCommitResult> {
  await connection.run(STAGE_DDL);
  await connection.run('BEGIN TRANSACTION');
  try {
    await appendEvents(connection, batch);
    await appendMalformed(connection, batch);
    const params = { ingested_us: BigInt(batch.ingestedAtMs) * 1000n, source: batch.source, batch_id: batch.batchId };
    const inserted = batch.events.length ? (await connection.run(INSERT_EVENTS, params)).rowsChanged : 0;
    const quarantined = batch.malformed.length ? (await connection.run(INSERT_QUARANTINE, params)).rowsChanged : 0;
    await beforeCommit?.();
    await connection.run('COMMIT');
    return { inserted, duplicates: batch.events.length - inserted, quarantined };
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function appendEvents(connection: DuckDBConnection, batch: BronzeBatch): Promise<void> {
  if (batch.events.length === 0) return;
  const appender = await connection.createAppender('events_stage', 'main', 'temp');
  batch.events.forEach(({ parsed, sequenceNumber, arrivalMs }, ord) => {
    const e = parsed.event;
    appender.appendInteger(ord);
    appender.appendVarchar(e.event_id);
    appender.appendVarchar(e.event_type);
    appender.appendBigInt(BigInt(parsed.eventTimeMs) * 1000n);
    for (const text of [e.session_id, e.anonymous_id, e.customer_id, e.device, e.channel, e.utm_source, e.utm_medium, e.utm_campaign, e.product_id]) {
      appendText(appender, text);
    }
    if (e.price == null) appender.appendNull();
    else appender.appendDouble(e.price);
    if (e.quantity == null) appender.appendNull();
    else appender.appendInteger(e.quantity);
    appendText(appender, e.order_id);
    appender.appendBigInt(BigInt(arrivalMs) * 1000n);
    appender.appendVarchar(sequenceNumber);
    appender.endRow();
  });
  appender.closeSync();
}

async function appendMalformed(connection: DuckDBConnection, batch: BronzeBatch): Promise<void> {
  if (batch.malformed.length === 0) return;
  const appender = await connection.createAppender('quarantine_stage', 'main', 'temp');
  for (const m of batch.malformed) {
    appender.appendBigInt(BigInt(m.arrivalMs) * 1000n);
    appender.appendVarchar(m.sequenceNumber);
    appender.appendVarchar(m.reason);
    appender.appendVarchar(m.raw);
    appender.endRow();
  }
  appender.closeSync();
}

function appendText(appender: DuckDBAppender, value: string | null | undefined): void {
  if (value == null) appender.appendNull();
  else appender.appendVarchar(value);
}
