import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { loadTextRecords, problemColumn, textColumn } from './load-text-records.ts';
import { jsonKindsFor } from './text-value-sql.ts';

/** The JSON type of `value` as a reader of JSON names it (string, number, boolean, object, array). */
const kindNameSql = (value: string) => `CASE json_type(${value}) WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean'
  WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' ELSE 'number' END`;

/**
 * Loads JSON-lines files one line per record. A line that is not a JSON object is quarantined as
 * `not a JSON object`; a field whose JSON type does not fit its column (a number where the contract
 * has a string, an object, a string where it has a number) is quarantined as
 * `<column>: expected a JSON string, got number 12`, never coerced to text; strings are then cast
 * like CSV text (`text-value-sql.ts`). Keys outside the contract are ignored.
 */
export async function loadJsonLinesFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<void> {
  const paths = source.columns.map(([name]) => sqlString(`$.${name}`)).join(', ');
  const fields = source.columns.map(([name, type], i) => {
    const { kinds, expected } = jsonKindsFor(type);
    const allowed = ['NULL', ...kinds].map((k) => `'${k}'`).join(', ');
    const value = `_j[${i + 1}]`;
    const problem = `CASE WHEN json_type(${value}) NOT IN (${allowed})
      THEN '${name}: expected ${expected}, got ' || ${kindNameSql(value)} || ' ' || CAST(${value} AS VARCHAR) END`;
    return `${value} ->> '$' AS ${textColumn(i)}, ${problem} AS ${problemColumn(i)}`;
  });
  await loadTextRecords(connection, source, files, ctx, {
    header: false,
    fieldsSql: (lines) => `SELECT _source, _line_no, _line, ${fields.join(', ')},
        CASE WHEN _j IS NULL THEN 'not a JSON object' END AS _malformed
      FROM (SELECT *, CASE WHEN json_valid(_line) THEN CASE WHEN json_type(_line) = 'OBJECT' THEN json_extract(_line, [${paths}]) END END AS _j
        FROM ${lines})`,
  });
}
