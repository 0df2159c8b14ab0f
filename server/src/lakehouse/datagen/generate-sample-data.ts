import fs from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../errors/user-error.ts';
import { openRdsClient } from '../rds/open-rds-client.ts';
import { RDS_TABLES, ensureRdsTables, upsertRdsRows } from '../rds/rds-tables.ts';
import { planCampaigns } from './campaign-plan.ts';
import { randomMacroSql, sizesForScale, type DatagenParams } from './datagen-params.ts';
import { rdsOutputsSql, salesOutputsSql } from './landing-outputs-sql.ts';
import { masterDataSql } from './master-data-sql.ts';
import { onlineSalesSql, storeSalesSql } from './sales-sql.ts';
import { PERIOD_DAYS, addDays, buildCalendar } from './sample-calendar.ts';
import { writeLandingFiles } from './write-landing-files.ts';

/** The last day of the canonical sample period: fixed so a seed always means the same data. */
export const DEFAULT_PERIOD_END = '2026-09-30';

/** What to generate and where. */
export interface GenerateOptions {
  /** Landing folder to write the source files into (created when missing). */
  readonly landingDir: string;
  readonly seed?: number;
  /** 1 ≈ 1,000,000 sale lines over two years. */
  readonly scale?: number;
  /** Last day of the canonical two-year period (default 2026-09-30). */
  readonly periodEnd?: string;
  /** Only write days in [from, to] (default: the whole period). Days after the period may be asked for. */
  readonly from?: string;
  readonly to?: string;
  /** RDS connection string to load `order_status` and `returns` into; null skips the database. */
  readonly rdsUrl: string | null;
  /** Called as each step starts; `done` of `total` steps. */
  readonly onProgress?: (event: { step: string; done: number; total: number }) => void;
}

/** What was written: files per landing source, rows per output table, RDS rows. */
export interface GenerateReport {
  readonly params: DatagenParams;
  readonly files: Record<string, number>;
  readonly rows: Record<string, number>;
  readonly seconds: number;
}

/**
 * Generates the sample e-commerce sources deterministically for a seed and scale. All drawing
 * happens in an in-memory DuckDB with hash-based randomness (see datagen-params.ts), so scale 1
 * takes seconds, not minutes.
 */
export async function generateSampleData(options: GenerateOptions): Promise<GenerateReport> {
  const started = performance.now();
  const params = resolveParams(options);
  const total = 8;
  const progress = (step: string, done: number) => options.onProgress?.({ step, done, total });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(randomMacroSql(params.seed));
    const calendar = buildCalendar({ seed: params.seed, scale: params.scale, periodStart: params.periodStart, from: params.from, to: params.to });
    progress('master data', 0);
    await runAll(connection, masterDataSql(params, calendar, planCampaigns(params.seed, params.periodStart, params.periodEnd)));
    progress('online orders', 1);
    await runAll(connection, onlineSalesSql(params));
    progress('store sales', 2);
    await runAll(connection, storeSalesSql(params));
    progress('dirty records', 3);
    await runAll(connection, salesOutputsSql());
    await runAll(connection, rdsOutputsSql(params));
    fs.mkdirSync(options.landingDir, { recursive: true });
    let done = 4;
    const files = await writeLandingFiles(connection, options.landingDir, params, (source) => progress(`files ${source.folder}`, done));
    done = 6;
    const rows = await countRows(connection);
    if (options.rdsUrl) {
      progress('rds tables', done);
      await loadRds(connection, options.rdsUrl);
    }
    progress('done', total);
    return { params, files, rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function resolveParams(options: GenerateOptions): DatagenParams {
  const scale = options.scale ?? 0.05;
  const seed = options.seed ?? 42;
  if (!(scale > 0 && scale <= 100)) throw new UserError('PIPELINE_INPUT', `--scale must be in (0, 100], got ${scale}`);
  if (!Number.isInteger(seed)) throw new UserError('PIPELINE_INPUT', `--seed must be an integer, got ${seed}`);
  const periodEnd = options.periodEnd ?? DEFAULT_PERIOD_END;
  const periodStart = addDays(periodEnd, -(PERIOD_DAYS - 1));
  const from = options.from ?? periodStart;
  const to = options.to ?? periodEnd;
  for (const [name, value] of [['periodEnd', periodEnd], ['from', from], ['to', to]] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw new UserError('PIPELINE_INPUT', `${name} must be a date YYYY-MM-DD, got '${value}'`);
    }
  }
  if (from > to) throw new UserError('PIPELINE_INPUT', `from (${from}) is after to (${to})`);
  if (from < periodStart) throw new UserError('PIPELINE_INPUT', `from (${from}) is before the period start ${periodStart}`);
  return { seed, scale, periodStart, periodEnd, from, to, ...sizesForScale(scale) };
}

async function runAll(connection: DuckDBConnection, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await connection.run(sql);
}

/** Exact row counts: `estimated_size` still counts rows deleted after drawing (days past the last generated one). */
async function countRows(connection: DuckDBConnection): Promise<Record<string, number>> {
  const tables = (await connection.runAndReadAll(
    "SELECT table_name FROM duckdb_tables() WHERE temporary AND (table_name LIKE 'out_%' OR table_name LIKE 'rds_%')",
  )).getRows().map(([name]) => String(name));
  const rows: Record<string, number> = {};
  for (const name of tables) rows[name] = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${name}`)).getRows()[0]![0]);
  return rows;
}

async function loadRds(connection: DuckDBConnection, rdsUrl: string): Promise<void> {
  const client = await openRdsClient(rdsUrl);
  try {
    await ensureRdsTables(client);
    for (const table of RDS_TABLES) {
      const columns = table.columns.map(([name]) => `CAST(${name} AS VARCHAR)`).join(', ');
      const reader = await connection.runAndReadAll(`SELECT ${columns} FROM rds_${table.name} ORDER BY ${table.key}`);
      await upsertRdsRows(client, table, reader.getRows());
    }
  } finally {
    await client.close();
  }
}
