import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { columnListSql, fileListSql, missingReasonSql, relativeSourceSql } from './load-sql.ts';

/**
 * Loads JSON-lines files. Fast path: DuckDB's JSON reader with every field as text; a file whose
 * every line parsed and cast cleanly is loaded from there. Any other file (a line that is not JSON,
 * an unparseable value, a missing key) is re-read as numbered text lines so each bad line is
 * quarantined with its line number and raw text instead of being skipped or failing the batch.
 */
export async function loadJsonLinesFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<void> {
  const value = (i: number) => source.columns[i]![0];
  const varchar = `{${source.columns.map(([n]) => `${sqlString(n)}: 'VARCHAR'`).join(', ')}}`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE stage_json_fast AS SELECT *, ${reasonSql(source, value)} AS reason
    FROM read_json(${fileListSql(files)}, format = 'newline_delimited', columns = ${varchar}, filename = true, ignore_errors = true)`);
  const perFile = new Map((await connection.runAndReadAll(
    'SELECT filename, count(*), count(reason) FROM stage_json_fast GROUP BY filename')).getRows().map(([f, n, bad]) => [String(f), [Number(n), Number(bad)]]));
  const slow = files.filter((f) => { const [n, bad] = perFile.get(f.absolutePath) ?? [0, 0]; return n !== f.lineCount || bad! > 0; });
  const slowList = slow.length > 0 ? `AND filename NOT IN (SELECT unnest(${fileListSql(slow)}))` : '';
  await connection.run(`INSERT INTO bronze.${source.table} (${columnListSql(source)}, _ingested_at, _source, _batch_id)
    SELECT ${source.columns.map(([name, type]) => `CAST(${name} AS ${type})`).join(', ')}, TIMESTAMP '${ctx.ingestedAt}',
      ${relativeSourceSql(ctx, 'filename')}, ${sqlString(ctx.batchId)}
    FROM stage_json_fast WHERE true ${slowList}`);
  await connection.run('DROP TABLE stage_json_fast');
  if (slow.length > 0) await loadAsNumberedLines(connection, source, slow, ctx);
}

/** Why a record (fields as text, read by `valueOf(column index)`) cannot go to bronze, or NULL. */
function reasonSql(source: LandingSource, valueOf: (i: number) => string): string {
  const castErrors = source.columns
    .map(([name, type], i) => (type === 'VARCHAR' ? null
      : `CASE WHEN ${valueOf(i)} IS NOT NULL AND TRY_CAST(${valueOf(i)} AS ${type}) IS NULL THEN '${name}: cannot parse ''' || ${valueOf(i)} || ''' as ${type}' END`))
    .filter((e): e is string => e !== null);
  return `nullif(concat_ws('; ', ${missingReasonSql(source, (_c, i) => valueOf(i))}, ${castErrors.join(', ')}), '')`;
}

async function loadAsNumberedLines(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<void> {
  const paths = source.columns.map(([name]) => sqlString(`$.${name}`)).join(', ');
  const value = (i: number) => `v[${i + 1}]`;
  await connection.run(`CREATE OR REPLACE TEMP TABLE stage_json_lines AS
    SELECT *, CASE WHEN v IS NULL THEN 'not a JSON object' ELSE ${reasonSql(source, value)} END AS reason FROM (
      SELECT ${relativeSourceSql(ctx, 'filename')} AS _source, line_no, line,
        CASE WHEN json_valid(line) THEN json_extract_string(line, [${paths}]) END AS v
      FROM (SELECT filename, unnest(lines) AS line, generate_subscripts(lines, 1) AS line_no
            FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(${fileListSql(files)})))
      WHERE trim(line) <> '')`);
  await connection.run(`INSERT INTO bronze.${source.table} (${columnListSql(source)}, _ingested_at, _source, _batch_id)
    SELECT ${source.columns.map(([, type], i) => `CAST(${value(i)} AS ${type})`).join(', ')}, TIMESTAMP '${ctx.ingestedAt}', _source, ${sqlString(ctx.batchId)}
    FROM stage_json_lines WHERE reason IS NULL`);
  await connection.run(`INSERT INTO bronze.quarantine
    SELECT _source, ${sqlString(ctx.batchId)}, TIMESTAMP '${ctx.ingestedAt}', line_no, reason, line FROM stage_json_lines WHERE reason IS NOT NULL`);
  await connection.run('DROP TABLE stage_json_lines');
}
