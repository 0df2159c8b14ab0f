import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { fileListSql, relativeSourceSql } from './load-sql.ts';
import { loadTextRecords, problemColumn, textColumn } from './load-text-records.ts';

/** One CSV field (RFC 4180): quoted, with `""` for a quote inside, or unquoted without quotes or commas. */
const FIELD = '("(?:[^"]|"")*"|[^",]*)';

/**
 * Loads CSV files (header already checked against the contract) one line per record. A line that
 * is not a sequence of RFC 4180 fields (an unterminated or misplaced quote) or has the wrong number
 * of fields is quarantined as malformed, with its line number, and the lines after it load as
 * usual; a field that does not fit its column's type is quarantined with the column and the value.
 * An empty field, quoted or not, is NULL. https://www.rfc-editor.org/rfc/rfc4180#section-2
 *
 * DuckDB's CSV reader (`store_rejects`) cannot do this: a quoted value may span lines there, so one
 * unterminated quote swallows the rest of the file, and a file mixing CRLF and LF fails the scan.
 */
export async function loadCsvFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<ReadonlyMap<string, number>> {
  const n = source.columns.length;
  const fields = source.columns.map((_c, i) => `_f[${i + 1}] AS ${textColumn(i)}, NULL::VARCHAR AS ${problemColumn(i)}`);
  const columns = source.columns.map((_c, i) => `'${textColumn(i)}': 'VARCHAR'`).join(', ');
  return loadTextRecords(connection, source, files, ctx, {
    header: true,
    // No quote in a plain file: DuckDB's scan splits on commas exactly as the line parser does, and
    // skips a line with the wrong number of fields (its file is then read again for the quarantine).
    plainFieldsSql: (plain) => `SELECT ${relativeSourceSql(ctx, 'filename')} AS _source, NULL::BIGINT AS _line_no, NULL::VARCHAR AS _line,
        ${source.columns.map((_c, i) => `${textColumn(i)}, NULL::VARCHAR AS ${problemColumn(i)}`).join(', ')}, NULL::VARCHAR AS _malformed
      FROM read_csv(${fileListSql(plain)}, columns = {${columns}}, header = true, auto_detect = false, delim = ',', quote = '', escape = '',
        new_line = '\\n', filename = true, ignore_errors = true)`,
    fieldsSql: (lines) => `SELECT _source, _line_no, _line, ${fields.join(', ')},
        CASE WHEN NOT _well_formed THEN 'malformed CSV record: unterminated or misplaced quote'
             WHEN len(_f) <> ${n} THEN 'malformed CSV record: expected ${n} fields, found ' || len(_f) END AS _malformed
      FROM (SELECT *,
          CASE WHEN NOT contains(_line, '"') THEN list_transform(string_split(_line, ','), v -> nullif(v, ''))
               WHEN _well_formed THEN list_transform(regexp_extract_all(',' || _line, ',${FIELD}', 1),
                 v -> nullif(CASE WHEN starts_with(v, '"') THEN replace(v[2:-2], '""', '"') ELSE v END, ''))
          END AS _f
        FROM (SELECT *, NOT contains(_line, '"') OR regexp_full_match(_line, '${FIELD}(?:,${FIELD})*') AS _well_formed FROM ${lines}))`,
  });
}
