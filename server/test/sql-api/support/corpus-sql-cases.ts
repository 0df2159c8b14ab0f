/**
 * The 22 SQL API cases of Cube's driver-test corpus, run over the wire (user admin / password
 * admin_password / database db: support/stack.ts's SQL_ADMIN) against a stack on the corpus data, and
 * compares rows as the corpus README says: rows as maps, order significant, numbers numerically,
 * `dateColumns` as ISO strings ending in Z. Unaliased aggregate columns are compared under the name
 * Postgres gives them (`sum`), which our SQL API reports, not Cube's DataFusion name
 * (`SUM(ECommerce.count)`) the snapshots hold: clients read columns by Postgres's names.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { CORPUS_DIR } from '../../fixtures/cube-corpus.ts';

export interface SqlCase {
  readonly name: string;
  readonly sql: string;
  readonly runsIn: { readonly baseline: boolean; readonly tesseract: boolean };
}

export interface SqlCaseOutcome {
  readonly name: string;
  readonly baseline: boolean;
  readonly passed: boolean;
  readonly detail?: string;
}

export async function loadSqlCases(): Promise<{ cases: SqlCase[]; expected: Map<string, { dateColumns: string[]; rows: Record<string, unknown>[] }> }> {
  const cases = JSON.parse(await readFile(path.join(CORPUS_DIR, 'queries', 'sql-api-queries.json'), 'utf8')).cases as SqlCase[];
  const expectedList = JSON.parse(await readFile(path.join(CORPUS_DIR, 'expected', 'postgres-sql-api.json'), 'utf8')) as { name: string; dateColumns: string[]; rows: Record<string, unknown>[] }[];
  return { cases, expected: new Map(expectedList.map((e) => [e.name, e])) };
}

export async function runSqlCase(port: number, c: SqlCase, expected: { dateColumns: string[]; rows: Record<string, unknown>[] }): Promise<SqlCaseOutcome> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'admin', password: 'admin_password', database: 'db' });
  await client.connect();
  try {
    const result = await client.query(c.sql);
    const rows = result.rows.map((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));
    const problem = compareRows(rows, expected.rows);
    return { name: c.name, baseline: c.runsIn.baseline, passed: !problem, detail: problem };
  } catch (e) {
    return { name: c.name, baseline: c.runsIn.baseline, passed: false, detail: `error: ${(e as Error).message}` };
  } finally {
    await client.end();
  }
}

function compareRows(got: Record<string, unknown>[], want: Record<string, unknown>[]): string | undefined {
  if (got.length !== want.length) return `expected ${want.length} rows, got ${got.length}: ${JSON.stringify(got.slice(0, 3))}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = Object.fromEntries(Object.entries(want[i]!).map(([k, v]) => [postgresName(k), v]));
    const keys = new Set([...Object.keys(g), ...Object.keys(w)]);
    for (const k of keys) {
      if (!sameValue(g[k], w[k])) return `row ${i} column ${k}: expected ${JSON.stringify(w[k])}, got ${JSON.stringify(g[k])} (row ${JSON.stringify(g)})`;
    }
  }
  return undefined;
}

/** `SUM(ECommerce.count)` → `sum`: Postgres names an unaliased call after its function. */
function postgresName(cubeName: string): string {
  const call = /^([A-Za-z_]+)\(.*\)$/.exec(cubeName);
  return call ? call[1]!.toLowerCase() : cubeName;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const na = Number(a);
  const nb = Number(b);
  if (typeof a !== 'boolean' && typeof b !== 'boolean' && !Number.isNaN(na) && !Number.isNaN(nb) && String(a).trim() !== '' && String(b).trim() !== '') return Math.abs(na - nb) <= 1e-6 * Math.max(1, Math.abs(nb));
  return a === b;
}
