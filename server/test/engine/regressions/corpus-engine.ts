/**
 * The corpus data in DuckDB with an engine over it, plus a runner for hand-written SQL on the same
 * database: the independent side of each regression test.
 */
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../../src/engine/create-engine.ts';
import type { LoadResult, RequestContext, SemanticEngine } from '../../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../../src/query/query-types.ts';
import { loadCorpusDatabase, loadCorpusModel } from '../../fixtures/cube-corpus.ts';

export const ctx: RequestContext = { securityContext: {}, requestId: 'regression', api: 'internal' };

export interface CorpusEngine {
  readonly engine: SemanticEngine;
  /** Rows of `engine.load(query)` as objects keyed like Cube's `data`. */
  load(query: CubeQuery): Promise<Record<string, unknown>[]>;
  /** Rows of hand-written SQL, values as JSON (numbers of DECIMAL/BIGINT as strings). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startCorpusEngine(): Promise<CorpusEngine> {
  const instance: DuckDBInstance = await loadCorpusDatabase();
  const driver = DuckDbDriver.fromInstance(instance);
  const engine = createEngine({ model: await loadCorpusModel(), driver, dialect: createDuckDbDialect() });
  return {
    engine,
    async load(query) {
      const response = await engine.load(query, ctx);
      return rowsOf(response.results[0]!);
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

export function rowsOf(result: LoadResult): Record<string, unknown>[] {
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
}

/** Values compared as Cube's corpus says: numbers numerically (to 6 decimals), the rest as is. */
export function comparable(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.keys(row)
        .sort()
        .map((k) => {
          const v = row[k];
          const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
          return [k, n === undefined ? (v ?? null) : Number(n.toFixed(6))];
        }),
    ),
  );
}
