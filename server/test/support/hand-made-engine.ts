/**
 * A real engine over an in-memory DuckDB holding hand-made rows, and a runner for hand-written SQL
 * on the same database: the independent side of tests of model constructs and regressions. The
 * model is given as YAML text, compiled as YAML or — rewritten by yaml-model-to-js.ts — as a Cube
 * JavaScript model, so a suite proves both front-ends compute the same numbers.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { LoadResult, RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { compileModel } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { yamlModelToJs } from './yaml-model-to-js.ts';

export const ctx: RequestContext = { securityContext: {}, requestId: 'hand-made', api: 'internal' };

/** The model front-ends a suite runs over. */
export type ModelFormat = 'yaml' | 'js';
export const MODEL_FORMATS: readonly ModelFormat[] = ['yaml', 'js'];

/** `yaml` compiled as the YAML file `model/cubes/test.yml`, or as the same model in JavaScript. */
export function compileTestModel(yaml: string, format: ModelFormat = 'yaml'): SemanticModel {
  return format === 'yaml'
    ? compileModel([{ path: 'model/cubes/test.yml', content: yaml }])
    : compileModel([{ path: 'model/cubes/test.js', content: yamlModelToJs(yaml) }]);
}

export interface HandMadeEngine {
  readonly engine: SemanticEngine;
  /** Rows of `engine.load(query)` keyed like Cube's `data` (as `securityContext`, when given). */
  load(query: CubeQuery, securityContext?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** The SQL and parameters the engine sends for `query`. */
  sqlOf(query: CubeQuery): Promise<{ sql: string; params: readonly unknown[] }>;
  /** Rows of hand-written SQL, values as JSON. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Runs `setupSql` (DDL + INSERTs) in a fresh in-memory database; the engine answers over `model` (YAML text or compiled). */
export async function startHandMadeEngine(setupSql: string, model: SemanticModel | string, format: ModelFormat = 'yaml'): Promise<HandMadeEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  await setup.run(setupSql);
  setup.closeSync();
  return engineOver(instance, typeof model === 'string' ? compileTestModel(model, format) : model);
}

/** The real engine over the tables of `instance` (closed with it), and hand-written SQL on the same tables. */
export function engineOver(instance: DuckDBInstance, model: SemanticModel): HandMadeEngine {
  const driver = DuckDbDriver.fromInstance(instance);
  const engine = createEngine({ model, driver, dialect: createDuckDbDialect() });
  return {
    engine,
    async load(query, securityContext) {
      return rowsOf((await engine.load(query, securityContext ? { ...ctx, securityContext } : ctx)).results[0]!);
    },
    async sqlOf(query) {
      const [sql, params] = (await engine.sql(query, ctx))[0]!.sql;
      return { sql, params };
    },
    async sql(text) {
      const connection = await instance.connect();
      try {
        return (await connection.runAndReadAll(text)).getRowObjectsJson() as Record<string, unknown>[];
      } finally {
        connection.closeSync();
      }
    },
    async close() {
      await driver.close();
      instance.closeSync();
    },
  };
}

/** A load result's rows as objects keyed like Cube's `data`. */
export function rowsOf(result: LoadResult): Record<string, unknown>[] {
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
}

/** A JSON value (number, or BIGINT/DECIMAL as text) as a number, for comparing sums and ratios. */
export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Rows with every value as a string (or null), sorted, so numbers from the engine and DuckDB JSON compare alike. */
export function normalized(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((k) => [k, row[k] === null || row[k] === undefined ? null : String(Number.isNaN(Number(row[k])) ? row[k] : Number(row[k]))]),
      ),
    )
    .sort();
}
