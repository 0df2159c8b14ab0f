import { DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import type { BatchContext } from './ingest-types.ts';
import { LANDING_SOURCES } from '../datagen/landing-layout.ts';
import { RDS_TABLES } from '../rds/rds-tables.ts';

/** Lineage columns every bronze row carries (notebooks/sql/README.md, "Bronze"). */
export const LINEAGE_COLUMNS = '_ingested_at TIMESTAMP, _source VARCHAR, _batch_id VARCHAR';

/** DuckDB types of the RDS columns in bronze (the RDS DDL speaks MySQL/Postgres types). */
function bronzeType(rdsType: string): string {
  if (rdsType.startsWith('VARCHAR')) return 'VARCHAR';
  if (rdsType.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  if (rdsType === 'INT') return 'INTEGER';
  return rdsType;
}

/** Bronze table name → columns with DuckDB types, for files and database extracts alike. */
export function bronzeColumns(table: string): readonly (readonly [string, string])[] {
  const file = LANDING_SOURCES.find((s) => s.table === table);
  if (file) return file.columns;
  const rds = RDS_TABLES.find((t) => t.name === table);
  if (rds) return rds.columns.map(([name, type]) => [name, bronzeType(type)] as const);
  throw new Error(`No bronze table ${table}`);
}

/** Creates the bronze tables, quarantine and ingest log when missing (idempotent). */
export async function ensureBronzeTables(connection: DuckDBConnection): Promise<void> {
  const tables = [...LANDING_SOURCES.map((s) => s.table), ...RDS_TABLES.map((t) => t.name)];
  const ddl = tables.map((table) =>
    `CREATE TABLE IF NOT EXISTS bronze.${table} (${bronzeColumns(table).map(([n, t]) => `${n} ${t}`).join(', ')}, ${LINEAGE_COLUMNS});`);
  ddl.push(`CREATE TABLE IF NOT EXISTS bronze.quarantine (_source VARCHAR, _batch_id VARCHAR, _ingested_at TIMESTAMP,
    line_no BIGINT, reason VARCHAR, raw VARCHAR);`);
  // One row per ingested file (path, size, mtime, checksum) or per database extract (watermark).
  ddl.push(`CREATE TABLE IF NOT EXISTS bronze._ingest_log (batch_id VARCHAR, target_table VARCHAR, path VARCHAR, size BIGINT,
    mtime_ms BIGINT, checksum VARCHAR, watermark VARCHAR, rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT,
    ingested_at TIMESTAMP);`);
  await connection.run(`CREATE SCHEMA IF NOT EXISTS bronze; ${ddl.join('\n')}`);
}

/** One row of `bronze._ingest_log`: a landing file (path, size, mtime, checksum) or a database extract (watermark). */
export interface IngestLogEntry {
  readonly table: string;
  readonly path: string;
  readonly size: number | null;
  readonly mtimeMs: number | null;
  readonly checksum: string | null;
  readonly watermark: string | null;
  readonly read: number;
  readonly accepted: number;
  readonly quarantined: number;
}

/**
 * Appends the batch's log rows through DuckDB's appender, inside the caller's transaction (a rollback
 * drops them with the data): values travel typed, never as SQL text, and a batch of thousands of
 * files costs a millisecond instead of parsing a VALUES list of that size.
 */
export async function appendIngestLog(connection: DuckDBConnection, ctx: BatchContext, entries: readonly IngestLogEntry[]): Promise<void> {
  await appendRows(connection, '_ingest_log', ctx, entries, (e, row) => {
    row.text(ctx.batchId); row.text(e.table); row.text(e.path); row.bigint(e.size); row.bigint(e.mtimeMs); row.text(e.checksum); row.text(e.watermark);
    row.bigint(e.read); row.bigint(e.accepted); row.bigint(e.quarantined); row.ingestedAt();
  });
}

/** One row of `bronze.quarantine`: a record that could not be used, with its file, line and why. */
export interface QuarantineEntry {
  readonly source: string;
  readonly lineNo: number;
  readonly reason: string;
  readonly raw: string;
}

/** Appends quarantine rows found outside SQL (see rejected-line-numbers.ts), like the ingest log. */
export async function appendQuarantine(connection: DuckDBConnection, ctx: BatchContext, entries: readonly QuarantineEntry[]): Promise<void> {
  await appendRows(connection, 'quarantine', ctx, entries, (e, row) => {
    row.text(e.source); row.text(ctx.batchId); row.ingestedAt(); row.bigint(e.lineNo); row.text(e.reason); row.text(e.raw);
  });
}

interface RowWriter { text(v: string | null): void; bigint(v: number | null): void; ingestedAt(): void }

async function appendRows<T>(connection: DuckDBConnection, table: string, ctx: BatchContext, entries: readonly T[], write: (entry: T, row: RowWriter) => void): Promise<void> {
  if (entries.length === 0) return;
  const appender = await connection.createAppender(table, 'bronze');
  // `ingestedAt` is a UTC timestamp to the millisecond ('YYYY-MM-DD HH:MM:SS.mmm'), as the bronze rows carry it.
  const ingestedAt = new DuckDBTimestampValue(BigInt(Date.parse(`${ctx.ingestedAt.replace(' ', 'T')}Z`)) * 1000n);
  const row: RowWriter = {
    text: (v) => (v === null ? appender.appendNull() : appender.appendVarchar(v)),
    bigint: (v) => (v === null ? appender.appendNull() : appender.appendBigInt(BigInt(v))),
    ingestedAt: () => appender.appendTimestamp(ingestedAt),
  };
  try {
    for (const entry of entries) {
      write(entry, row);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
