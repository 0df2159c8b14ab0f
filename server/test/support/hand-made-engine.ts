/**
 * A stack (support/stack.ts) over a DuckDB file holding hand-made rows, and a runner for
 * hand-written SQL on the same file: the independent side of tests of model constructs and
 * regressions. The model is given as YAML text, compiled as YAML or — rewritten by
 * yaml-model-to-js.ts — as a Cube JavaScript model, so a suite proves both front-ends compute the
 * same numbers.
 */
import type { LoadResult, RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { compileModel } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { yamlModelToJs } from './yaml-model-to-js.ts';
import { startStack, type Stack } from './stack.ts';

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

/**
 * Runs `setupSql` (DDL + INSERTs) in a fresh DuckDB file; a stack (support/stack.ts) answers over
 * `model`: YAML text (compiled as YAML or, `format: 'js'`, as the same model in JavaScript), or the
 * model's files (path inside the model folder → content).
 */
export async function startHandMadeEngine(setupSql: string, model: string | Readonly<Record<string, string>>, format: ModelFormat = 'yaml'): Promise<HandMadeEngine> {
  const files = typeof model !== 'string' ? model : format === 'yaml' ? { 'cubes/test.yml': model } : { 'cubes/test.js': yamlModelToJs(model) };
  return overStack(await startStack({ data: { sql: setupSql }, model: { files } }));
}

/** A stack's engine as a HandMadeEngine: its queries, its SQL, and hand-written SQL on its source file. */
export function overStack(stack: Stack): HandMadeEngine {
  const { engine } = stack;
  return {
    engine,
    async load(query, securityContext) {
      return rowsOf((await engine.load(query, securityContext ? { ...ctx, securityContext } : ctx)).results[0]!);
    },
    async sqlOf(query) {
      const [sql, params] = (await engine.sql(query, ctx))[0]!.sql;
      return { sql, params };
    },
    sql: (text) => stack.hand(text),
    close: () => stack.close(),
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
