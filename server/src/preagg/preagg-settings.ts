/**
 * Pre-aggregation settings from the environment (Cube's variable names where Cube has one):
 * - `CUBEJS_PRE_AGGREGATIONS_STORE_PATH`: the store's DuckDB file; default `<lakehouse>/preagg.duckdb`
 *   on the local lakehouse, none otherwise (pre-aggregations off). `false` turns them off.
 * - `CUBEJS_REFRESH_WORKER`: run the scheduled refresh (default: on when there is a store);
 * - `CUBEJS_SCHEDULED_REFRESH_CONCURRENCY` (default 2) and `CUBEJS_SCHEDULED_REFRESH_TIMER` (seconds, default 30);
 * - `CUBEJS_CONCURRENCY`: queries running at once per data source (default 4, the DuckDB pool size).
 * https://cube.dev/docs/reference/environment-variables
 */
import path from 'node:path';
import type { ServerConfig } from '../config/config-types.ts';
import { UserError } from '../errors/user-error.ts';

export interface PreAggregationSettings {
  readonly storePath?: string;
  /** Where build rows are staged as CSV before the bulk load (default: a folder in the OS temp dir). */
  readonly stagingDir?: string;
  readonly refreshWorker: boolean;
  readonly buildConcurrency: number;
  readonly refreshIntervalMs: number;
  readonly queryConcurrency: number;
}

export function readPreAggregationSettings(env: NodeJS.ProcessEnv, config: Pick<ServerConfig, 'source' | 'lakehouseDir'>): PreAggregationSettings {
  const explicit = env.CUBEJS_PRE_AGGREGATIONS_STORE_PATH;
  const local = config.source.type === 'duckdb' && config.source.isLocalLakehouse;
  const storePath = explicit === 'false' ? undefined : explicit ? path.resolve(explicit) : local ? path.join(config.lakehouseDir, 'preagg.duckdb') : undefined;
  return {
    storePath,
    refreshWorker: env.CUBEJS_REFRESH_WORKER === undefined ? storePath !== undefined : env.CUBEJS_REFRESH_WORKER === 'true',
    buildConcurrency: positive(env, 'CUBEJS_SCHEDULED_REFRESH_CONCURRENCY', 2),
    refreshIntervalMs: positive(env, 'CUBEJS_SCHEDULED_REFRESH_TIMER', 30) * 1000,
    queryConcurrency: positive(env, 'CUBEJS_CONCURRENCY', 4),
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UserError('CONFIG_INVALID', `${name} must be a positive number, got "${raw}"`);
  return value;
}
