/**
 * Loads Cube's driver-test corpus (vendored in server/test/fixtures/cube-corpus) into an in-memory DuckDB, typed as the
 * corpus README says (empty field = NULL, dates as DATE, decimals with their source scale), and
 * compiles its model. Shared by the engine corpus suite and the golden SQL suite.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compileModel, loadModel } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';

export { CORPUS_DIR } from '../fixtures/cube-corpus-dir.ts';
import { CORPUS_DIR } from '../fixtures/cube-corpus-dir.ts';

const SCHEMAS: Readonly<Record<string, string>> = {
  customers: 'customer_id VARCHAR, customer_name VARCHAR',
  products: 'category VARCHAR, sub_category VARCHAR, product_name VARCHAR',
  ecommerce:
    'row_id INTEGER, order_id VARCHAR, order_date DATE, completed_date DATE, customer_id VARCHAR, city VARCHAR, category VARCHAR, sub_category VARCHAR, product_name VARCHAR, sales DECIMAL(18,5), quantity INTEGER, discount DECIMAL(18,5), profit DECIMAL(18,5)',
  bigecommerce:
    'id INTEGER, row_id INTEGER, order_id VARCHAR, order_date DATE, completed_date DATE, city VARCHAR, category VARCHAR, sub_category VARCHAR, product_name VARCHAR, customer_id VARCHAR, sales DECIMAL(18,5), quantity INTEGER, discount DECIMAL(18,5), profit DECIMAL(18,5), is_returning BOOLEAN',
  retailcalendar:
    'date_val DATE, retail_year_name VARCHAR, retail_quarter_name VARCHAR, retail_month_name VARCHAR, retail_week_name VARCHAR, retail_year_begin_date DATE, retail_quarter_begin_date DATE, retail_month_begin_date DATE, retail_week_begin_date DATE, retail_date_prev_month DATE, retail_date_prev_quarter DATE, retail_date_prev_year DATE',
};

/** A DuckDB instance holding every corpus table. */
export async function loadCorpusDatabase(): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const [table, columns] of Object.entries(SCHEMAS)) {
    const file = path.join(CORPUS_DIR, 'data', `${table}.csv`);
    await connection.run(`CREATE TABLE ${table} (${columns})`);
    await connection.run(`INSERT INTO ${table} SELECT * FROM read_csv('${file}', header = true, columns = {${columnsStruct(columns)}}, nullstr = '')`);
  }
  connection.closeSync();
  return instance;
}

function columnsStruct(columns: string): string {
  return columns
    .split(/,\s*(?![^()]*\))/)
    .map((c) => {
      const [name, ...type] = c.trim().split(' ');
      return `'${name}': '${type.join(' ')}'`;
    })
    .join(', ');
}

/** The model as Cube YAML, or as the same cubes written as Cube JavaScript models (fixtures/cube-corpus-js). */
export async function loadCorpusModel(format: 'yaml' | 'js' = 'yaml'): Promise<SemanticModel> {
  if (format === 'js') return loadModel(path.resolve(import.meta.dirname, '../fixtures/cube-corpus-js/model'));
  const content = await readFile(path.join(CORPUS_DIR, 'model', 'ecommerce.yml'), 'utf8');
  return compileModel([{ path: 'ecommerce.yml', content }]);
}

/** One REST case of queries/rest-queries.json. */
export interface CorpusCase {
  readonly name: string;
  readonly query: Record<string, unknown>;
  readonly checks?: { readonly rowCount?: number; readonly total?: number };
  readonly runsIn: { readonly baseline: boolean; readonly tesseract: boolean };
  readonly snapshotKey?: string | null;
  readonly expectsErrorMatching?: string;
}

export async function loadCorpusCases(): Promise<{ cases: CorpusCase[]; expected: Map<string, Record<string, unknown>[]> }> {
  const queries = JSON.parse(await readFile(path.join(CORPUS_DIR, 'queries', 'rest-queries.json'), 'utf8')) as { cases: CorpusCase[] };
  const expected = JSON.parse(await readFile(path.join(CORPUS_DIR, 'expected', 'postgres-rest.json'), 'utf8')) as { name: string; rows: Record<string, unknown>[] }[];
  return { cases: queries.cases, expected: new Map(expected.map((e) => [e.name, e.rows])) };
}
