import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { GenerateReport } from './datagen/generate-sample-data.ts';
import { runIngestion } from './ingest/run-ingestion.ts';
import type { IngestReport } from './ingest/ingest-types.ts';
import { resolveLakehousePaths, type LakehousePaths } from './lakehouse-paths.ts';
import { openLakehouse } from './open-lakehouse.ts';
import { checkGeneratedRdsLanded, ensureSampleData, sampleGenerationInterrupted } from './sample-generation.ts';
import { DEFAULT_SQL_DIR, SQL_LAYER_STEPS, type SqlLayer } from './sql-layer-steps.ts';

/** Options of a local lakehouse build; everything has a default suited to `npm start`. */
export interface LocalLakehouseOptions {
  readonly paths?: Partial<LakehousePaths>;
  /** Sample data size when sources must be generated (default 0.05 ≈ 50k sale lines, seconds to build). */
  readonly scale?: number;
  readonly seed?: number;
  readonly sqlDir?: string;
  /** false: no RDS source at all (`cli build --no-rds`): none generated, none ingested. Default true. */
  readonly rds?: boolean;
  /** One event per step and per unit of work inside it (files, SQL files, sources). */
  readonly onProgress?: (event: BuildProgress) => void;
}

/** Progress of a build: the step, and how far it is. */
export interface BuildProgress {
  readonly step: 'generate' | 'ingest' | 'transform' | 'check';
  readonly detail: string;
  readonly done: number;
  readonly total: number;
}

/** What a build did; `built` is false when the lakehouse already had its gold tables. */
export interface BuildReport {
  readonly built: boolean;
  readonly paths: LakehousePaths;
  readonly generated?: GenerateReport;
  readonly ingested?: IngestReport;
  readonly seconds: number;
}

/**
 * Used by `npm start`: builds the lakehouse from generated sample data when the DuckDB file is
 * missing or has no gold star schema yet, or when the generation of its sources was interrupted;
 * otherwise leaves it as it is (data is kept between runs).
 */
export async function ensureLocalLakehouse(options: LocalLakehouseOptions = {}): Promise<BuildReport> {
  const paths = resolveLakehousePaths(options.paths);
  if (fs.existsSync(paths.duckdbPath) && !sampleGenerationInterrupted(paths)) {
    const connection = await openLakehouse(paths.duckdbPath);
    try {
      if (await hasGoldFacts(connection)) return { built: false, paths, seconds: 0 };
    } finally {
      connection.closeSync();
    }
  }
  return buildLakehouse(options);
}

/**
 * Runs the whole batch pipeline: generate sources (when the landing folder is empty or an earlier
 * generation did not finish, see sample-generation.ts) → ingest to bronze → silver SQL → silver checks → gold SQL → gold checks.
 */
export async function buildLakehouse(options: LocalLakehouseOptions = {}): Promise<BuildReport> {
  const started = performance.now();
  const paths = resolveLakehousePaths(options.paths);
  const progress = options.onProgress ?? (() => undefined);
  const rdsUrl = options.rds === false ? null : paths.rdsUrl;
  const generated = await ensureSampleData(paths, {
    scale: options.scale ?? 0.05, seed: options.seed ?? 42, rdsUrl,
    onProgress: (e) => progress({ step: 'generate', detail: e.step, done: e.done, total: e.total }),
  });
  const connection = await openLakehouse(paths.duckdbPath);
  try {
    const ingested = await runIngestion(connection, {
      landingDir: paths.landingDir, rdsUrl,
      onProgress: (e) => progress({ step: 'ingest', detail: e.source, done: e.done, total: e.total }),
    });
    if (rdsUrl) await checkGeneratedRdsLanded(connection, paths);
    await transformAndCheck(connection, options.sqlDir ?? DEFAULT_SQL_DIR, ['silver', 'gold'], progress);
    return { built: true, paths, generated, ingested, seconds: (performance.now() - started) / 1000 };
  } finally {
    connection.closeSync();
  }
}

/** Runs the SQL layers in order, each followed by its data-quality checks (a failed check throws). */
export async function transformAndCheck(
  connection: DuckDBConnection, sqlDir: string, layers: readonly SqlLayer[], progress: (e: BuildProgress) => void = () => undefined,
): Promise<void> {
  const steps = SQL_LAYER_STEPS;
  for (const layer of layers) {
    await steps.runTransformations(connection, {
      sqlDir, layers: [layer], onProgress: (e) => progress({ step: 'transform', detail: `${layer}: ${e.file}`, done: e.done, total: e.total }),
    });
    progress({ step: 'check', detail: layer, done: 0, total: 1 });
    await steps.runQualityChecks(connection, layer);
    progress({ step: 'check', detail: layer, done: 1, total: 1 });
  }
}

async function hasGoldFacts(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND table_name = 'fato_vendas' AND estimated_size > 0");
  return Number(reader.getRows()[0]![0]) > 0;
}
