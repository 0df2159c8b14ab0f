import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../errors/user-error.ts';

/** A layer of the SQL transformations under notebooks/sql. */
export type SqlLayer = 'silver' | 'gold';

/** Progress of the transformation runner: one event per SQL file. */
export interface TransformProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

/**
 * The transformation runner and quality checks, owned by transform/ and quality/. They are loaded
 * by path at run time so the pipeline (and its typecheck) does not depend on their internals;
 * these are the signatures agreed with their owner.
 */
export interface SqlLayerSteps {
  runTransformations(connection: DuckDBConnection, options: { sqlDir: string; layers?: SqlLayer[]; onProgress?: (e: TransformProgress) => void }): Promise<unknown>;
  runQualityChecks(connection: DuckDBConnection, layer: SqlLayer): Promise<unknown>;
}

/** notebooks/sql in the repo: the single source of truth of silver and gold. */
export const DEFAULT_SQL_DIR = path.resolve(import.meta.dirname, '../../../notebooks/sql');

export async function loadSqlLayerSteps(): Promise<SqlLayerSteps> {
  const load = async (file: string, name: string) => {
    const url = pathToFileURL(path.join(import.meta.dirname, file)).href;
    let module: Record<string, unknown>;
    try {
      module = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new UserError('UNSUPPORTED', `The lakehouse ${name} step is not available (${file}): ${(error as Error).message}`, { cause: error });
    }
    if (typeof module[name] !== 'function') throw new UserError('UNSUPPORTED', `${file} does not export ${name}`);
    return module[name] as (...args: never[]) => Promise<unknown>;
  };
  const runTransformations = await load('transform/run-transformations.ts', 'runTransformations');
  const runQualityChecks = await load('quality/run-quality-checks.ts', 'runQualityChecks');
  return { runTransformations, runQualityChecks } as unknown as SqlLayerSteps;
}
