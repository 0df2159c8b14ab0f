/**
 * A tiny DuckDB database built from literal rows, a model compiled from YAML text, and the real
 * engine over both; plus a runner for hand-written SQL on the same database, the independent side
 * of a regression test.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../../src/engine/create-engine.ts';
import { compileModel } from '../../../src/model/compile-model.ts';
import type { SemanticEngine } from '../../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../../src/query/query-types.ts';
import { ctx, rowsOf } from './corpus-engine.ts';

export interface HandMadeEngine {
  readonly engine: SemanticEngine;
  /** Rows of `engine.load(query)` keyed like Cube's `data` (as `securityContext`, when given). */
  load(query: CubeQuery, securityContext?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Rows of hand-written SQL, values as JSON. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** `setup` is DDL + INSERTs run once; `yaml` the model file's text. */
export async function startHandMadeEngine(setup: string, yaml: string): Promise<HandMadeEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(setup);
  const driver = DuckDbDriver.fromInstance(instance);
  const engine = createEngine({ model: compileModel([{ path: 'model/cubes/test.yml', content: yaml }]), driver, dialect: createDuckDbDialect() });
  return {
    engine,
    async load(query, securityContext) {
      return rowsOf((await engine.load(query, securityContext ? { ...ctx, securityContext } : ctx)).results[0]!);
    },
    async sql(text) {
      return (await connection.runAndReadAll(text)).getRowObjectsJson() as Record<string, unknown>[];
    },
    async close() {
      connection.closeSync();
      await driver.close();
      instance.closeSync();
    },
  };
}

/** A JSON value (number, or BIGINT/DECIMAL as text) as a number, for comparing sums and ratios. */
export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
