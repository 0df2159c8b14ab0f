/**
 * Cube's driver-test corpus (vendored in server/test/fixtures/cube-corpus): loads its CSVs into a DuckDB file with the
 * types the README prescribes (empty field = NULL, dates typed `date`), reads the REST cases and
 * their expected rows, and compares rows the way the README says (maps, numbers numerically,
 * row order significant).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export { CORPUS_DIR } from '../../fixtures/cube-corpus-dir.ts';
import { CORPUS_DIR } from '../../fixtures/cube-corpus-dir.ts';
export const CORPUS_MODEL_DIR = path.join(CORPUS_DIR, 'model');

/** One REST case of queries/rest-queries.json. */
export interface CorpusCase {
  readonly name: string;
  readonly query: Record<string, unknown>;
  readonly runsIn: { readonly baseline: boolean; readonly tesseract: boolean };
  readonly snapshotKey: string | null;
  readonly expectsErrorMatching?: string;
  readonly checks?: { readonly rowCount?: number; readonly total?: number };
}

export function loadCorpusCases(): { cases: CorpusCase[]; expected: Map<string, Record<string, unknown>[]> } {
  const cases = (JSON.parse(readFileSync(path.join(CORPUS_DIR, 'queries/rest-queries.json'), 'utf8')) as { cases: CorpusCase[] }).cases;
  const snapshots = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'expected/postgres-rest.json'), 'utf8')) as {
    snapshotKey: string;
    rows: Record<string, unknown>[];
  }[];
  return { cases, expected: new Map(snapshots.map((s) => [s.snapshotKey, s.rows])) };
}

const DECIMAL = 'DECIMAL(38,5)';
const TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  customers: { customer_id: 'VARCHAR', customer_name: 'VARCHAR' },
  products: { category: 'VARCHAR', sub_category: 'VARCHAR', product_name: 'VARCHAR' },
  ecommerce: {
    row_id: 'INTEGER', order_id: 'VARCHAR', order_date: 'DATE', completed_date: 'DATE', customer_id: 'VARCHAR', city: 'VARCHAR',
    category: 'VARCHAR', sub_category: 'VARCHAR', product_name: 'VARCHAR', sales: DECIMAL, quantity: 'INTEGER', discount: DECIMAL, profit: DECIMAL,
  },
  bigecommerce: {
    id: 'INTEGER', row_id: 'INTEGER', order_id: 'VARCHAR', order_date: 'DATE', completed_date: 'DATE', city: 'VARCHAR', category: 'VARCHAR',
    sub_category: 'VARCHAR', product_name: 'VARCHAR', customer_id: 'VARCHAR', sales: DECIMAL, quantity: 'INTEGER', discount: DECIMAL,
    profit: DECIMAL, is_returning: 'BOOLEAN',
  },
  retailcalendar: {
    date_val: 'DATE', retail_year_name: 'VARCHAR', retail_quarter_name: 'VARCHAR', retail_month_name: 'VARCHAR', retail_week_name: 'VARCHAR',
    retail_year_begin_date: 'DATE', retail_quarter_begin_date: 'DATE', retail_month_begin_date: 'DATE', retail_week_begin_date: 'DATE',
    retail_date_prev_month: 'DATE', retail_date_prev_quarter: 'DATE', retail_date_prev_year: 'DATE',
  },
};

/** Writes the corpus tables into a new DuckDB file at `file` (in the `main` schema, as `sql_table: <name>` expects). */
export async function buildCorpusDatabase(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    for (const [table, columns] of Object.entries(TABLES)) {
      const csv = path.join(CORPUS_DIR, 'data', `${table}.csv`).replaceAll("'", "''");
      const spec = Object.entries(columns).map(([name, type]) => `'${name}': '${type}'`).join(', ');
      await connection.run(
        `CREATE TABLE ${table} AS SELECT * FROM read_csv('${csv}', header = true, nullstr = '', dateformat = '%Y-%m-%d', columns = {${spec}})`,
      );
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Why two row lists differ, or undefined when they match. */
export function diffRows(actual: readonly Record<string, unknown>[], expected: readonly Record<string, unknown>[]): string | undefined {
  if (actual.length !== expected.length) return `expected ${expected.length} rows, got ${actual.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    for (const key of keys) {
      if (!(key in a)) return `row ${i}: missing key ${key}`;
      if (!(key in e)) return `row ${i}: unexpected key ${key}`;
      if (!sameValue(a[key], e[key], /approx/i.test(key))) {
        return `row ${i}, ${key}: expected ${JSON.stringify(e[key])}, got ${JSON.stringify(a[key])}`;
      }
    }
  }
  return undefined;
}

function sameValue(actual: unknown, expected: unknown, approximate: boolean): boolean {
  if (expected === null || actual === null) return expected === actual;
  const en = asNumber(expected);
  const an = asNumber(actual);
  if (en !== undefined && an !== undefined) {
    // HLL estimates differ between engines (Postgres hll vs DuckDB approx_count_distinct): ±20 %.
    if (approximate) return Math.abs(an - en) <= Math.max(2, 0.2 * Math.abs(en));
    return Math.abs(an - en) <= 1e-9 * Math.max(1, Math.abs(en));
  }
  return actual === expected;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(value.trim())) return Number(value);
  return undefined;
}
