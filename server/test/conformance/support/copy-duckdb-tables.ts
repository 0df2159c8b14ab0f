/**
 * Copies the tables of a DuckDB fixture into a Postgres database with the same schema, names,
 * column types and rows, so both engines answer over identical data. Rows travel as bound
 * parameters (never spliced); types map one to one (DECIMAL(p,s) → numeric(p,s), TIMESTAMP →
 * timestamp, …), a type without a mapping fails the copy instead of guessing.
 */
import type pg from 'pg';
import type { DuckDbDriver } from '../../../src/drivers/duckdb-driver.ts';

const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  VARCHAR: 'text', INTEGER: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint', BOOLEAN: 'boolean',
  DATE: 'date', TIMESTAMP: 'timestamp', DOUBLE: 'double precision', FLOAT: 'real',
};

function postgresType(duckType: string): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckType);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const simple = SIMPLE_TYPES[duckType];
  if (!simple) throw new Error(`copy-duckdb-tables: no Postgres type for DuckDB ${duckType}`);
  return simple;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Copies every table of `schemas` (DuckDB schema names, recreated in Postgres; 'main' → 'public'). */
export async function copyDuckDbTables(duck: DuckDbDriver, target: pg.Client, schemas: readonly string[]): Promise<{ tables: number; rows: number }> {
  let tables = 0;
  let rows = 0;
  for (const schema of schemas) {
    const pgSchema = schema === 'main' ? 'public' : schema;
    if (pgSchema !== 'public') await target.query(`CREATE SCHEMA IF NOT EXISTS ${quote(pgSchema)}`);
    const columns = await duck.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [schema],
    );
    const byTable = new Map<string, { name: string; type: string }[]>();
    for (let i = 0; i < columns.rowCount; i++) {
      const table = String(columns.data[0]![i]);
      byTable.set(table, [...(byTable.get(table) ?? []), { name: String(columns.data[1]![i]), type: String(columns.data[2]![i]) }]);
    }
    for (const [table, cols] of byTable) {
      const full = `${quote(pgSchema)}.${quote(table)}`;
      await target.query(`CREATE TABLE ${full} (${cols.map((c) => `${quote(c.name)} ${postgresType(c.type)}`).join(', ')})`);
      const source = await duck.query(`SELECT * FROM ${quote(schema)}.${quote(table)}`, []);
      const perRow = cols.length;
      const batch = Math.max(1, Math.floor(30_000 / perRow));
      for (let start = 0; start < source.rowCount; start += batch) {
        const end = Math.min(source.rowCount, start + batch);
        const values: unknown[] = [];
        const tuples: string[] = [];
        for (let r = start; r < end; r++) {
          tuples.push(`(${cols.map((_, c) => `$${values.push(source.data[c]![r] ?? null)}`).join(', ')})`);
        }
        await target.query(`INSERT INTO ${full} VALUES ${tuples.join(', ')}`, values);
      }
      tables += 1;
      rows += source.rowCount;
    }
  }
  return { tables, rows };
}
