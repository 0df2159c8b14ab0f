import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { columnListSql, fileListSql, lineageSql, relativeSourceSql } from './load-sql.ts';

/**
 * Loads CSV files into their bronze table in one typed scan. DuckDB's `store_rejects` keeps the
 * lines it cannot parse (bad dates, bad numbers, wrong field count) with their line number and raw
 * text; those become quarantine rows. Rows missing a required key are moved out afterwards by the
 * caller (`moveMissingKeysToQuarantine`). https://duckdb.org/docs/stable/data/csv/reading_faulty_csv_files
 */
export async function loadCsvFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<void> {
  const types = `{${source.columns.map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`).join(', ')}}`;
  const rejects = `rejects_${source.table}`;
  await connection.run(`DROP TABLE IF EXISTS ${rejects}_errors; DROP TABLE IF EXISTS ${rejects}_scans;`);
  await connection.run(`INSERT INTO bronze.${source.table} (${columnListSql(source)}, _ingested_at, _source, _batch_id)
    SELECT ${columnListSql(source)}, ${lineageSql(ctx, 'filename')}
    FROM read_csv(${fileListSql(files)}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false,
      columns = ${types}, filename = true, store_rejects = true, rejects_table = '${rejects}_errors', rejects_scan = '${rejects}_scans')`);
  await connection.run(`INSERT INTO bronze.quarantine
    SELECT ${relativeSourceSql(ctx, 's.file_path')}, ${sqlString(ctx.batchId)}, TIMESTAMP '${ctx.ingestedAt}', e.line,
      string_agg(coalesce(e.column_name || ': ', '') || e.error_message, '; ' ORDER BY e.column_idx), min(e.csv_line)
    FROM ${rejects}_errors e JOIN ${rejects}_scans s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
    GROUP BY s.file_path, e.line`);
  await connection.run(`DROP TABLE ${rejects}_errors; DROP TABLE ${rejects}_scans;`);
}
