/**
 * Copies tables of a DuckDB database into Trino's memory catalog, row for row, so both engines
 * answer over the same data. Types are mapped column by column from DuckDB's catalog: integers keep
 * their width, DECIMAL(p,s) keeps precision and scale, DATE stays DATE, TIMESTAMP becomes
 * TIMESTAMP(3) (what Athena reads from Parquet/Hive tables; the fixtures hold no finer instants,
 * which `copyTablesToTrino` checks), text is VARCHAR, booleans BOOLEAN. Values travel as
 * `CAST('<DuckDB text>' AS <type>)` literals, so no value goes through a JavaScript number.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TrinoHttpDriver } from './trino-http-driver.ts';

/** Rows per INSERT statement (Trino parses each statement whole). */
const BATCH = 200;

/** Trino's type for a DuckDB column type, or an error naming the column for one the fixtures should not hold. */
export function trinoTypeOf(duckdbType: string, column: string): string {
  const t = duckdbType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  const simple: Record<string, string> = {
    TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', BIGINT: 'BIGINT',
    UTINYINT: 'SMALLINT', USMALLINT: 'INTEGER', UINTEGER: 'BIGINT',
    DOUBLE: 'DOUBLE', FLOAT: 'REAL', BOOLEAN: 'BOOLEAN', VARCHAR: 'VARCHAR', DATE: 'DATE',
    TIMESTAMP: 'TIMESTAMP(3)', 'TIMESTAMP_MS': 'TIMESTAMP(3)',
  };
  const mapped = simple[t];
  if (!mapped) throw new Error(`column ${column}: no Trino type for DuckDB type ${duckdbType}`);
  return mapped;
}

/** Text of a value as DuckDB renders it, turned into the literal Trino reads back as the same value. */
function literal(text: string | null, type: string): string {
  if (text === null) return 'NULL';
  return `CAST('${text.replace(/'/g, "''")}' AS ${type})`;
}

/**
 * Creates `<schema>.<table>` in Trino (catalog `memory`) for each DuckDB `table` of `duckdbSchema`
 * and inserts every row; returns the row counts copied, by table.
 */
export async function copyTablesToTrino(duckdb: DuckDBConnection, trino: TrinoHttpDriver, duckdbSchema: string, trinoSchema: string): Promise<Record<string, number>> {
  await trino.query(`CREATE SCHEMA IF NOT EXISTS memory.${trinoSchema}`, []);
  const columns = (await duckdb.runAndReadAll(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [duckdbSchema],
  )).getRowObjectsJS() as { table_name: string; column_name: string; data_type: string }[];
  const tables = new Map<string, { name: string; type: string }[]>();
  for (const c of columns) {
    const list = tables.get(c.table_name) ?? [];
    list.push({ name: c.column_name, type: trinoTypeOf(c.data_type, `${c.table_name}.${c.column_name}`) });
    tables.set(c.table_name, list);
  }
  // Read sequentially (one DuckDB connection), then create and fill the Trino tables concurrently.
  const contents: { table: string; cols: { name: string; type: string }[]; rows: (string | null)[][] }[] = [];
  for (const [table, cols] of tables) {
    // Every value as DuckDB prints it; a sub-millisecond part would be lost in TIMESTAMP(3), so refuse it.
    const select = cols.map((c) => `CAST("${c.name}" AS VARCHAR)`).join(', ');
    const rows = (await duckdb.runAndReadAll(`SELECT ${select} FROM "${duckdbSchema}"."${table}"`)).getRows() as (string | null)[][];
    for (const row of rows) {
      row.forEach((v, j) => {
        if (v !== null && cols[j]!.type === 'TIMESTAMP(3)' && /\.\d{4,}/.test(v)) throw new Error(`${table}.${cols[j]!.name}: ${v} is finer than a millisecond`);
      });
    }
    contents.push({ table, cols, rows });
  }
  const copied: Record<string, number> = {};
  await Promise.all(contents.map(async ({ table, cols, rows }) => {
    const target = `memory.${trinoSchema}.${table}`;
    await trino.query(`CREATE TABLE ${target} (${cols.map((c) => `"${c.name}" ${c.type}`).join(', ')})`, []);
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((row) => `(${row.map((v, j) => literal(v, cols[j]!.type)).join(', ')})`);
      await trino.query(`INSERT INTO ${target} VALUES ${values.join(', ')}`, []);
    }
    const count = await trino.query(`SELECT count(*) FROM ${target}`, []);
    copied[table] = Number(count.data[0]![0]);
    if (copied[table] !== rows.length) throw new Error(`${target}: ${copied[table]} rows in Trino, ${rows.length} in DuckDB`);
  }));
  return copied;
}
