import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../errors/user-error.ts';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import { batchRowsPerFile } from './batch-rows-per-file.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { columnListSql, fileListSql, lineageSql, missingReasonSql, relativeSourceSql, requiredMissingSql } from './load-sql.ts';

/**
 * Loads Parquet files already checked by `checkParquetFiles` (`rowsByPath`: their footers' row
 * counts) in one scan, leaving out the rows missing a required key. Those are rare, so only the files
 * where fewer rows landed than the footer counts are read again, for the quarantine (with the row
 * number). Filtering them out rather than deleting them after keeps the append one DuckDB writes
 * straight to the database file: a delete in the same transaction made the commit rewrite the batch.
 * Returns this batch's accepted rows per file.
 */
export async function loadParquetFiles(
  connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext, rowsByPath: ReadonlyMap<string, number>,
): Promise<ReadonlyMap<string, number>> {
  const casts = source.columns.map(([name, type]) => `CAST(${name} AS ${type}) AS ${name}`).join(', ');
  await connection.run(`INSERT INTO bronze.${source.table} (${columnListSql(source)}, _ingested_at, _source, _batch_id)
    SELECT ${casts}, ${lineageSql(ctx, 'filename')} FROM read_parquet(${fileListSql(files)}, filename = true)
    WHERE NOT (${requiredMissingSql(source)})`);
  const accepted = await batchRowsPerFile(connection, source.table, ctx);
  const short = files.filter((f) => (accepted.get(f.relativePath) ?? 0) < (rowsByPath.get(f.absolutePath) ?? 0));
  if (short.length === 0) return accepted;
  await connection.run(`INSERT INTO bronze.quarantine
    SELECT ${relativeSourceSql(ctx, 'filename')}, ${sqlString(ctx.batchId)}, TIMESTAMP '${ctx.ingestedAt}', file_row_number + 1,
      ${missingReasonSql(source, (c) => c)}, CAST(to_json(struct_pack(${source.columns.map(([n]) => `${n} := ${n}`).join(', ')})) AS VARCHAR)
    FROM read_parquet(${fileListSql(short)}, filename = true, file_row_number = true) WHERE ${requiredMissingSql(source)}`);
  return accepted;
}

/**
 * Reads each file's footer before the batch starts (a failed statement would abort the batch's
 * transaction): row counts for reconciliation by absolute path, and a clear error for a corrupt
 * file or one missing a column.
 */
export async function checkParquetFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const columnsByFile = new Map<string, string[]>();
  // One read of every footer gives both: a row per column chunk, so per file its row groups' row
  // counts (column 0) and its columns' names (two table functions read each footer twice).
  let rows: unknown[][];
  try {
    rows = (await connection.runAndReadAll(`SELECT file_name, sum(row_group_num_rows) FILTER (WHERE column_id = 0), list(DISTINCT path_in_schema)
      FROM parquet_metadata(${fileListSql(files)}) GROUP BY file_name`)).getRows();
  } catch (error) {
    await findCorruptFile(connection, files, error);
    throw error;
  }
  for (const [name, n, columns] of rows) {
    counts.set(String(name), Number(n ?? 0));
    columnsByFile.set(String(name), (columns as { items: unknown[] }).items.map(String));
  }
  // A file without row groups has no column chunks: its schema is read on its own.
  const empty = files.filter((f) => !counts.has(f.absolutePath));
  if (empty.length > 0) {
    const schema = await connection.runAndReadAll(`SELECT file_name, list(name) FROM parquet_schema(${fileListSql(empty)}) GROUP BY file_name`);
    for (const [name, columns] of schema.getRows()) {
      counts.set(String(name), 0);
      columnsByFile.set(String(name), (columns as { items: unknown[] }).items.map(String));
    }
  }
  const expected = source.columns.map(([name]) => name);
  for (const [name, found] of columnsByFile) {
    const missing = expected.filter((c) => !found.includes(c));
    if (missing.length > 0) {
      const file = files.find((f) => f.absolutePath === name);
      throw new UserError('PIPELINE_INPUT', `${file?.relativePath ?? name}: Parquet file lacks column(s) ${missing.join(', ')} of ${source.table}`, {
        location: file ? { file: file.relativePath, line: 0 } : undefined, hint: 'Nothing was ingested.' });
    }
  }
  return counts;
}

async function findCorruptFile(connection: DuckDBConnection, files: readonly LandingFile[], cause: unknown): Promise<void> {
  for (const file of files) {
    try {
      await connection.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${sqlString(file.absolutePath)})`);
    } catch (error) {
      throw new UserError('PIPELINE_INPUT', `${file.relativePath}: not a readable Parquet file (${(error as Error).message.split('\n')[0]})`, {
        location: { file: file.relativePath, line: 0 }, hint: 'Replace the file in the landing folder; nothing was ingested.', cause: error });
    }
  }
  throw cause;
}
