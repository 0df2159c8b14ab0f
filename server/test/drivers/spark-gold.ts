/**
 * Gold built inside a Spark Thrift Server (with Delta) the way the notebooks build it, driven by
 * DatabricksDriver: the bronze tables of a DuckDB lakehouse (made by the generator and ingestion)
 * are exported to Parquet and loaded into Spark as Delta tables, then every statement of
 * notebooks/sql silver and gold runs in file order through the driver (the production path: the
 * notebooks run the same files statement by statement, split by the same rules — see
 * notebooks/lakehouse_sql.py). Used by the rollups-from-Spark suite and by bench/spark-bench.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Driver } from '../../src/drivers/driver-types.ts';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { splitSqlFile } from '../../src/lakehouse/transform/split-sql-file.ts';

/** notebooks/sql of this repository. */
export const NOTEBOOK_SQL_DIR = path.resolve(import.meta.dirname, '../../../notebooks/sql');

/**
 * Writes every table of the lakehouse's `bronze` schema to `<dir>/bronze-<table>.parquet`; returns the
 * paths by table name. Timestamps stay naive (Spark reads them as TIMESTAMP at the session's UTC).
 */
export async function exportBronze(duckdbPath: string, dir: string): Promise<Record<string, string>> {
  const duck = await DuckDbDriver.open(duckdbPath);
  try {
    // Tables whose name starts with `_` are the ingestion's bookkeeping (and Spark skips such files).
    const tables = await duck.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'bronze' AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1", []);
    const files: Record<string, string> = {};
    for (const name of tables.data[0] as string[]) {
      const file = path.join(dir, `bronze-${name}.parquet`);
      await duck.query(`COPY bronze."${name}" TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`, []);
      files[name] = file;
    }
    return files;
  } finally {
    await duck.close();
  }
}

/** Replaces Spark's bronze, silver and gold schemas with bronze loaded from the Parquet files (as Delta tables). */
export async function loadBronzeIntoSpark(driver: Driver, files: Record<string, string>): Promise<void> {
  for (const schema of ['gold', 'silver', 'bronze']) await driver.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, []);
  await driver.query('CREATE SCHEMA bronze', []);
  for (const [table, file] of Object.entries(files)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table) || /[`\\]/.test(file)) throw new Error(`unexpected bronze table or path: ${table} ${file}`);
    await driver.query(`CREATE TABLE bronze.${table} USING delta AS SELECT * FROM parquet.\`${file}\``, []);
  }
}

/** Seconds one SQL file took. */
export interface FileTiming {
  readonly file: string;
  readonly seconds: number;
}

/**
 * Runs notebooks/sql `layers` (silver, then gold) statement by statement through the driver. A
 * failure names the file, statement and line, as the notebooks do.
 */
export async function buildGoldOnSpark(driver: Driver, sqlDir = NOTEBOOK_SQL_DIR, layers: readonly string[] = ['silver', 'gold']): Promise<FileTiming[]> {
  const timings: FileTiming[] = [];
  for (const layer of layers) {
    const folder = path.join(sqlDir, layer);
    for (const name of readdirSync(folder).filter((f) => f.endsWith('.sql')).sort()) {
      const started = performance.now();
      for (const statement of splitSqlFile(readFileSync(path.join(folder, name), 'utf8'))) {
        try {
          await driver.query(statement.sql, []);
        } catch (error) {
          throw new Error(`${layer}/${name}: statement ${statement.index} (line ${statement.line}) failed on Spark: ${(error as Error).message}`, { cause: error });
        }
      }
      timings.push({ file: `${layer}/${name}`, seconds: (performance.now() - started) / 1000 });
    }
  }
  return timings;
}
