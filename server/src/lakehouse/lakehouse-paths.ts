import path from 'node:path';

/** Where the local lakehouse lives on disk: landing folder, DuckDB file and the embedded RDS. */
export interface LakehousePaths {
  /** Root folder of the local lakehouse (`data/` in the repo unless LAKEHOUSE_DIR says otherwise). */
  readonly dir: string;
  /** Landing folder laid out as the S3 landing bucket: `<system>/<entity>/dt=YYYY-MM-DD/<file>`. */
  readonly landingDir: string;
  /** The DuckDB file holding the bronze, silver and gold schemas. */
  readonly duckdbPath: string;
  /** Connection string of the transactional database standing in for RDS. */
  readonly rdsUrl: string;
}

/** The repo root, two levels above server/src/lakehouse. */
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * Resolves lakehouse locations. Precedence: explicit option, then environment
 * (LAKEHOUSE_DIR, CUBEJS_DB_DUCKDB_DATABASE_PATH, LAKEHOUSE_RDS_URL), then defaults under `data/`.
 */
export function resolveLakehousePaths(
  options: Partial<LakehousePaths> = {},
  env: NodeJS.ProcessEnv = process.env,
): LakehousePaths {
  const dir = path.resolve(options.dir ?? env.LAKEHOUSE_DIR ?? path.join(REPO_ROOT, 'data'));
  return {
    dir,
    landingDir: path.resolve(options.landingDir ?? path.join(dir, 'landing')),
    duckdbPath: path.resolve(options.duckdbPath ?? env.CUBEJS_DB_DUCKDB_DATABASE_PATH ?? path.join(dir, 'lakehouse.duckdb')),
    rdsUrl: options.rdsUrl ?? env.LAKEHOUSE_RDS_URL ?? `pglite:${path.join(dir, 'rds')}`,
  };
}
