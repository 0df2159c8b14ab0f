import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../open-lakehouse.ts';
import type { RdsClient } from '../rds/rds-client.ts';
import { RDS_TABLES, type RdsTable } from '../rds/rds-tables.ts';
import { appendIngestLog, bronzeColumns } from './bronze-tables.ts';
import type { BatchContext, SourceIngestReport } from './ingest-types.ts';

/** Rows fetched from one RDS table since its watermark, still as strings. */
export interface RdsExtract {
  readonly table: RdsTable;
  readonly previousWatermark: string | null;
  readonly rows: readonly (readonly (string | null)[])[];
  readonly watermark: string | null;
}

/**
 * Fetches every row changed since the table's watermark (`updated_at >` the last one ingested)
 * through the real client. Runs before the DuckDB transaction opens, so an unreachable or failing
 * database leaves the lakehouse untouched.
 * Rows updated later in the same microsecond as the watermark would be missed; the sources stamp
 * `updated_at` with microseconds, which makes that practically impossible.
 */
export async function fetchRdsChanges(connection: DuckDBConnection, client: RdsClient): Promise<RdsExtract[]> {
  const extracts: RdsExtract[] = [];
  for (const table of RDS_TABLES) {
    const reader = await connection.runAndReadAll(
      `SELECT max(watermark) FROM bronze._ingest_log WHERE target_table = ${sqlString(table.name)} AND watermark IS NOT NULL`);
    const previous = reader.getRows()[0]?.[0];
    const previousWatermark = previous === null || previous === undefined ? null : String(previous);
    const columns = table.columns.map(([name]) => name);
    const where = previousWatermark === null ? '' : `WHERE updated_at > ${client.placeholder(1)}`;
    const result = await client.query(`SELECT ${columns.join(', ')} FROM ${table.name} ${where} ORDER BY updated_at, ${table.key}`,
      previousWatermark === null ? [] : [previousWatermark]);
    const rows = result.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
    const last = rows.at(-1);
    extracts.push({ table, previousWatermark, rows, watermark: last ? last[columns.indexOf('updated_at')]! : null });
  }
  return extracts;
}

/** Appends fetched rows to bronze (typed), quarantining rows whose values do not parse. */
export async function loadRdsExtract(connection: DuckDBConnection, extract: RdsExtract, ctx: BatchContext): Promise<SourceIngestReport> {
  const name = extract.table.name;
  const columns = bronzeColumns(name);
  await connection.run(`CREATE OR REPLACE TEMP TABLE stage_rds (${columns.map(([n]) => `${n} VARCHAR`).join(', ')}, row_no BIGINT)`);
  const appender = await connection.createAppender('stage_rds', 'main', 'temp');
  extract.rows.forEach((row, i) => {
    for (const value of row) { if (value === null) appender.appendNull(); else appender.appendVarchar(value); }
    appender.appendBigInt(BigInt(i + 1));
    appender.endRow();
  });
  appender.closeSync();
  const badCasts = columns.filter(([, t]) => t !== 'VARCHAR')
    .map(([n, t]) => `CASE WHEN ${n} IS NOT NULL AND TRY_CAST(${n} AS ${t}) IS NULL THEN '${n}: cannot parse ''' || ${n} || ''' as ${t}' END`);
  const reason = `nullif(concat_ws('; ', CASE WHEN ${extract.table.key} IS NULL THEN 'missing required field ${extract.table.key}' END, ${badCasts.join(', ')}), '')`;
  const source = sqlString(`rds:${name}`);
  await connection.run(`CREATE OR REPLACE TEMP TABLE stage_rds_checked AS SELECT *, ${reason} AS reason FROM stage_rds`);
  await connection.run(`INSERT INTO bronze.${name} (${columns.map(([n]) => n).join(', ')}, _ingested_at, _source, _batch_id)
    SELECT ${columns.map(([n, t]) => `CAST(${n} AS ${t})`).join(', ')}, TIMESTAMP '${ctx.ingestedAt}', ${source}, ${sqlString(ctx.batchId)}
    FROM stage_rds_checked WHERE reason IS NULL`);
  await connection.run(`INSERT INTO bronze.quarantine SELECT ${source}, ${sqlString(ctx.batchId)}, TIMESTAMP '${ctx.ingestedAt}', row_no, reason,
      CAST(to_json(struct_pack(${columns.map(([n]) => `${n} := ${n}`).join(', ')})) AS VARCHAR)
    FROM stage_rds_checked WHERE reason IS NOT NULL`);
  const counts = (await connection.runAndReadAll(
    'SELECT count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) FROM stage_rds_checked')).getRows()[0]!;
  await connection.run('DROP TABLE stage_rds; DROP TABLE stage_rds_checked;');
  const report = { table: name, files: 0, skippedFiles: 0, read: extract.rows.length, accepted: Number(counts[0]),
    quarantined: Number(counts[1]), watermark: extract.watermark };
  if (extract.watermark !== null) {
    await appendIngestLog(connection, ctx, [{ table: name, path: `rds:${name}`, size: null, mtimeMs: null, checksum: null,
      watermark: extract.watermark, read: report.read, accepted: report.accepted, quarantined: report.quarantined }]);
  }
  return report;
}
