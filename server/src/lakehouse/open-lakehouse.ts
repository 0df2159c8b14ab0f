import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Opens a connection to the lakehouse DuckDB file. `fromCache` shares one instance per path in the
 * process, so the server and the pipeline see the same database without file-lock conflicts.
 */
export async function openLakehouse(duckdbPath: string): Promise<DuckDBConnection> {
  fs.mkdirSync(path.dirname(duckdbPath), { recursive: true });
  const instance = await DuckDBInstance.fromCache(duckdbPath);
  const connection = await instance.connect();
  await connection.run('CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;');
  return connection;
}

/** Runs `work` inside one transaction: either all of it lands in the lakehouse or none of it. */
export async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Reads a query's rows as plain JSON-safe objects (BIGINT and DECIMAL become strings or numbers). */
export async function queryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
