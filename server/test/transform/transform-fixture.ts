import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { splitSqlFile } from '../../src/lakehouse/transform/split-sql-file.ts';

/** notebooks/sql and the hand-written bronze fixture shared with the Spark parity test. */
export const SQL_DIR = path.resolve(import.meta.dirname, '../../../notebooks/sql');
export const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../../notebooks/tests/fixtures');

/** A fresh in-memory lakehouse with the bronze tables of the contract, empty. */
export async function openEmptyLakehouse(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await loadFixture(connection, '00_bronze_schema.sql');
  return connection;
}

/** Runs a fixture file (INSERTs of bronze rows) statement by statement. */
export async function loadFixture(connection: DuckDBConnection, name: string): Promise<void> {
  for (const statement of splitSqlFile(fs.readFileSync(path.join(FIXTURE_DIR, name), 'utf8'))) await connection.run(statement.sql);
}

/** Rows as JSON-safe objects (DECIMAL/BIGINT as strings, timestamps 'YYYY-MM-DD HH:MM:SS'). */
export async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/**
 * The surrogate key the SQL files promise, computed independently: the first 15 hex digits of
 * md5(natural key) as an integer, rendered as a string (BIGINT comes back from DuckDB as text).
 */
export function surrogateKey(naturalKey: string): string {
  return BigInt(`0x${createHash('md5').update(naturalKey, 'utf8').digest('hex').slice(0, 15)}`).toString();
}

/** Every gold table's rows, sorted, as text: for comparing two lakehouses. */
export async function goldSnapshot(connection: DuckDBConnection): Promise<Record<string, string[]>> {
  const tables = ['dim_tempo', 'dim_canal', 'dim_loja', 'dim_produto', 'dim_campanha', 'dim_cliente', 'fato_vendas', 'fato_devolucoes'];
  const snapshot: Record<string, string[]> = {};
  for (const table of tables) {
    snapshot[table] = (await rows(connection, `SELECT * FROM gold.${table}`)).map((r) => JSON.stringify(r)).sort();
  }
  return snapshot;
}
