/**
 * A real engine over an in-memory DuckDB holding hand-made rows, with a runner for hand-written
 * SQL on the same database: the independent side of tests of model constructs.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';

export const ctx: RequestContext = { securityContext: {}, requestId: 'model-test', api: 'internal' };

export interface HandMadeEngine {
  readonly engine: SemanticEngine;
  /** Rows of `engine.load(query)` keyed like Cube's `data`. */
  load(query: CubeQuery): Promise<Record<string, unknown>[]>;
  /** The SQL and parameters the engine sends for `query`. */
  sqlOf(query: CubeQuery): Promise<{ sql: string; params: readonly unknown[] }>;
  /** Rows of hand-written SQL, values as JSON. */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Creates the tables of `setupSql` in a fresh in-memory database and an engine over `model`. */
export async function startHandMadeEngine(setupSql: string, model: SemanticModel): Promise<HandMadeEngine> {
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  await setup.run(setupSql);
  setup.closeSync();
  const driver = DuckDbDriver.fromInstance(instance);
  const engine = createEngine({ model, driver, dialect: createDuckDbDialect() });
  return {
    engine,
    async load(query) {
      const result = (await engine.load(query, ctx)).results[0]!;
      return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
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
