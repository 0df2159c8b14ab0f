import { InvalidArgumentError, type Command } from 'commander';
import { resolveLakehousePaths, type LakehousePaths } from '../lakehouse/lakehouse-paths.ts';

/** Options every pipeline command accepts to locate the lakehouse (defaults from the environment). */
export interface LakehouseCliOptions {
  lakehouseDir?: string;
  landing?: string;
  duckdb?: string;
  rds?: string | false;
}

export function addLakehouseOptions(command: Command): Command {
  return command
    .option('--lakehouse-dir <dir>', 'lakehouse root (env LAKEHOUSE_DIR, default data/)')
    .option('--landing <dir>', 'landing folder (default <lakehouse-dir>/landing)')
    .option('--duckdb <file>', 'DuckDB file (env CUBEJS_DB_DUCKDB_DATABASE_PATH, default <lakehouse-dir>/lakehouse.duckdb)')
    .option('--rds <url>', 'RDS connection string: pglite:<dir>, postgres://…, mysql://… (env LAKEHOUSE_RDS_URL)')
    .option('--no-rds', 'skip the RDS tables');
}

/** Paths from CLI options; `rdsUrl` is null when --no-rds was given. */
export function pathsFromOptions(options: LakehouseCliOptions): LakehousePaths & { rdsEnabled: boolean } {
  const paths = resolveLakehousePaths({
    dir: options.lakehouseDir, landingDir: options.landing, duckdbPath: options.duckdb,
    rdsUrl: typeof options.rds === 'string' ? options.rds : undefined,
  });
  return { ...paths, rdsEnabled: options.rds !== false };
}

export function parseNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
    return n;
  };
}

export function parseList(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}
