import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runQualityChecks } from './quality/run-quality-checks.ts';
import { runTransformations } from './transform/run-transformations.ts';

/** A layer of the SQL transformations under notebooks/sql. */
export type SqlLayer = 'silver' | 'gold';

/** Progress of the transformation runner: one event per SQL file. */
export interface TransformProgress {
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

/** The two SQL steps of every layer build: the transformations, then the quality checks. */
export interface SqlLayerSteps {
  runTransformations(connection: DuckDBConnection, options: { sqlDir: string; layers?: SqlLayer[]; onProgress?: (e: TransformProgress) => void }): Promise<unknown>;
  runQualityChecks(connection: DuckDBConnection, layer: SqlLayer): Promise<unknown>;
}

/** notebooks/sql in the repo: the single source of truth of silver and gold. */
export const DEFAULT_SQL_DIR = path.resolve(import.meta.dirname, '../../../notebooks/sql');

/** The transformation runner (transform/) and the quality checks (quality/). */
export const SQL_LAYER_STEPS: SqlLayerSteps = { runTransformations, runQualityChecks };
