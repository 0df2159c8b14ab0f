import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingSource } from '../datagen/landing-layout.ts';
import { sqlString } from '../open-lakehouse.ts';
import type { BatchContext } from './ingest-types.ts';
import type { LandingFile } from './landing-files.ts';
import { loadTextRecords, problemColumn, textColumn } from './load-text-records.ts';
import { plainLinesSql } from './plain-lines-sql.ts';
import { jsonKindsFor } from './text-value-sql.ts';

/** A JSON type as DuckDB's `json_type` names it, in the words of a reader of JSON (string, number, boolean, object, array). */
const kindNameSql = (kind: string) => `CASE ${kind} WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean'
  WHEN 'OBJECT' THEN 'object' WHEN 'ARRAY' THEN 'array' ELSE 'number' END`;

/**
 * Loads JSON-lines files one line per record. A line that is not a JSON object is quarantined as
 * `not a JSON object`; a field whose JSON type does not fit its column (a number where the contract
 * has a string, an object, a string where it has a number) is quarantined as
 * `<column>: expected a JSON string, got number 12`, never coerced to text; strings are then cast
 * like CSV text (`text-value-sql.ts`). Keys outside the contract are ignored.
 *
 * Each line is parsed three times whatever its width (valid?, the types of the root and of every
 * contract field, their texts); only a mismatched field is looked up once more, for its message.
 */
export async function loadJsonLinesFiles(connection: DuckDBConnection, source: LandingSource, files: readonly LandingFile[], ctx: BatchContext): Promise<ReadonlyMap<string, number>> {
  const paths = source.columns.map(([name]) => sqlString(`$.${name}`)).join(', ');
  const fields = source.columns.map(([name, type], i) => {
    const { kinds, expected } = jsonKindsFor(type);
    const allowed = ['NULL', ...kinds].map((k) => `'${k}'`).join(', ');
    const kind = `_k[${i + 2}]`;
    const problem = `CASE WHEN ${kind} NOT IN (${allowed})
      THEN '${name}: expected ${expected}, got ' || ${kindNameSql(kind)} || ' ' || CAST(json_extract(_json, ${sqlString(`$.${name}`)}) AS VARCHAR) END`;
    return `_s[${i + 1}] AS ${textColumn(i)}, ${problem} AS ${problemColumn(i)}`;
  });
  const fieldsSql = (lines: string) => `SELECT _source, _line_no, _line, ${fields.join(', ')},
        CASE WHEN _k[1] IS DISTINCT FROM 'OBJECT' THEN 'not a JSON object' END AS _malformed
      FROM (SELECT *, json_type(_json, ['$', ${paths}]) AS _k, json_extract_string(_json, [${paths}]) AS _s
        FROM (SELECT *, CASE WHEN json_valid(_line) THEN _line END AS _json FROM ${lines}))`;
  return loadTextRecords(connection, source, files, ctx, {
    header: false, fieldsSql, plainFieldsSql: (plain) => fieldsSql(`(${plainLinesSql(plain, ctx, { header: false })})`),
  });
}
