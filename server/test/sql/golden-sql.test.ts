/**
 * Golden SQL: the same queries compiled for DuckDB, Databricks, Trino and Redshift side by side, kept
 * under golden/<query>.<dialect>.sql (rewrite with UPDATE_GOLDEN=1). DuckDB output is checked by
 * EXPLAIN on the corpus database; Spark SQL, Trino and Redshift output by dt-sql-parser's grammars
 * (Redshift's by PostgreSQL's; conformance/redshift-conformance.test.ts executes it).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgreSQL, SparkSQL, TrinoSQL } from 'dt-sql-parser';
import type { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createDatabricksDialect } from '../../src/sql/dialects/databricks/databricks-dialect.ts';
import { createTrinoDialect } from '../../src/sql/dialects/trino/trino-dialect.ts';
import { createRedshiftDialect } from '../../src/sql/dialects/redshift/redshift-dialect.ts';
import { bridgeSql } from '../conformance/support/redshift-text-bridges.ts';
import { normalizeQuery } from '../../src/query/normalize-query.ts';
import { compileQuery } from '../../src/engine/compile-query.ts';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { loadCorpusDatabase, loadCorpusModel } from '../fixtures/cube-corpus.ts';
import { GOLDEN_QUERIES } from './golden-queries.ts';

const GOLDEN_DIR = path.join(import.meta.dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const NOW = new Date('2024-05-15T12:00:00Z');
const DIALECTS = { duckdb: createDuckDbDialect(), databricks: createDatabricksDialect(), trino: createTrinoDialect(), redshift: createRedshiftDialect() };

let model: SemanticModel;
let instance: DuckDBInstance;
let driver: DuckDbDriver;

beforeAll(async () => {
  model = await loadCorpusModel();
  instance = await loadCorpusDatabase();
  driver = DuckDbDriver.fromInstance(instance);
});

afterAll(async () => {
  await driver.close();
  instance.closeSync();
});

function render(name: string, dialect: keyof typeof DIALECTS): { sql: string; params: readonly unknown[] } {
  const normalized = normalizeQuery(model, GOLDEN_QUERIES[name], { now: NOW });
  return compileQuery(model, normalized, DIALECTS[dialect]).sql;
}

async function checkGolden(file: string, text: string): Promise<void> {
  const full = path.join(GOLDEN_DIR, file);
  if (UPDATE || !existsSync(full)) await writeFile(full, text);
  expect(text).toBe(await readFile(full, 'utf8'));
}

const golden = (sql: string, params: readonly unknown[]): string => `${sql}\n-- params: ${JSON.stringify(params)}\n`;

describe.each(Object.keys(GOLDEN_QUERIES))('golden SQL: %s', (name) => {
  it('DuckDB SQL matches its golden file and DuckDB accepts it', async () => {
    const { sql, params } = render(name, 'duckdb');
    await checkGolden(`${name}.duckdb.sql`, golden(sql, params));
    const plan = await driver.query(`EXPLAIN ${sql}`, params);
    expect(plan.rowCount).toBeGreaterThan(0);
    expect(sql).not.toMatch(/`/);
  });

  it('Databricks SQL matches its golden file and parses as Spark SQL', async () => {
    const { sql, params } = render(name, 'databricks');
    await checkGolden(`${name}.databricks.sql`, golden(sql, params));
    expect(new SparkSQL().validate(sql)).toEqual([]);
    expect(sql).not.toMatch(/\$\d/);
  });

  it('Trino SQL matches its golden file and parses as Trino SQL', async () => {
    const { sql, params } = render(name, 'trino');
    await checkGolden(`${name}.trino.sql`, golden(sql, params));
    expect(new TrinoSQL().validate(sql)).toEqual([]);
    expect(sql).not.toMatch(/ILIKE|`/);
  });

  it('Redshift SQL matches its golden file and parses as PostgreSQL once its two Redshift-only forms are bridged', async () => {
    const { sql, params } = render(name, 'redshift');
    await checkGolden(`${name}.redshift.sql`, golden(sql, params));
    expect(new PostgreSQL().validate(bridgeSql(sql))).toEqual([]);
    expect(sql).not.toMatch(/`|\?|\bVALUES\b|DISTINCT FROM|FILTER \(/);
  });

  it('binds the same values in every dialect, never spliced into the text', () => {
    const all = (['duckdb', 'databricks', 'trino', 'redshift'] as const).map((d) => render(name, d));
    for (const { sql, params } of all) {
      expect(params.length).toBe(all[0]!.params.length);
      for (const p of params) if (typeof p === 'string' && p.length > 2) expect(sql).not.toContain(`'${p}'`);
    }
  });
});

describe('dialect checks', () => {
  it('the parsers reject malformed SQL (so an empty error list means something)', () => {
    expect(new SparkSQL().validate('SELECT FROM WHERE').length).toBeGreaterThan(0);
    expect(new TrinoSQL().validate('SELECT FROM WHERE').length).toBeGreaterThan(0);
    expect(new PostgreSQL().validate('SELECT FROM WHERE').length).toBeGreaterThan(0);
  });
});
