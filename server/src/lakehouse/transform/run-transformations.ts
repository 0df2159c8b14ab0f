import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../../errors/user-error.ts';
import { splitSqlFile, type SqlStatement } from './split-sql-file.ts';
import type { TransformFileReport, TransformLayer, TransformOptions, TransformReport } from './transform-types.ts';

export type { TransformLayer, TransformOptions, TransformReport } from './transform-types.ts';

const ALL_LAYERS: readonly TransformLayer[] = ['silver', 'gold'];

interface SqlFile {
  readonly relative: string; // "silver/01_customer_versions.sql"
  readonly statements: readonly SqlStatement[];
}

/**
 * Runs the notebooks/sql files of the given layers (silver then gold, files in lexical order) on
 * DuckDB, statement by statement, inside one transaction: when any statement fails the lakehouse
 * is left exactly as it was and a UserError names the file, the statement and its line.
 */
export async function runTransformations(connection: DuckDBConnection, options: TransformOptions): Promise<TransformReport> {
  const files = readSqlFiles(options.sqlDir, options.layers ?? ALL_LAYERS);
  const started = performance.now();
  const reports: TransformFileReport[] = [];
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const file of files) {
      reports.push(await runFile(connection, file));
      options.onProgress?.({ file: file.relative, done: reports.length, total: files.length });
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const tables = await countTables(connection, files);
  return { files: reports, tables, totalMs: performance.now() - started };
}

function readSqlFiles(sqlDir: string, layers: readonly TransformLayer[]): SqlFile[] {
  const files: SqlFile[] = [];
  for (const layer of layers) {
    const folder = path.join(sqlDir, layer);
    if (!fs.existsSync(folder)) {
      throw new UserError('PIPELINE_INPUT', `SQL folder not found: ${folder}`, { hint: 'sqlDir must point at notebooks/sql' });
    }
    for (const name of fs.readdirSync(folder).filter((n) => n.endsWith('.sql')).sort()) {
      const relative = `${layer}/${name}`;
      files.push({ relative, statements: splitSqlFile(fs.readFileSync(path.join(folder, name), 'utf8')) });
    }
  }
  return files;
}

async function runFile(connection: DuckDBConnection, file: SqlFile): Promise<TransformFileReport> {
  const started = performance.now();
  for (const statement of file.statements) {
    try {
      await connection.run(statement.sql);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError('PIPELINE_INPUT',
        `${file.relative}: statement ${statement.index} (line ${statement.line}) failed: ${message}`,
        { location: { file: file.relative, line: statement.line }, hint: 'The lakehouse was left unchanged.', cause: error });
    }
  }
  return { file: file.relative, statements: file.statements.length, ms: performance.now() - started };
}

const CREATE_TABLE = /CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)/gi;

async function countTables(connection: DuckDBConnection, files: readonly SqlFile[]): Promise<{ table: string; rows: number }[]> {
  const names = new Set<string>();
  for (const file of files) {
    for (const statement of file.statements) {
      for (const match of statement.sql.matchAll(CREATE_TABLE)) {
        const table = match[1]!.toLowerCase();
        if (!table.split('.')[1]!.startsWith('_')) names.add(table);
      }
    }
  }
  const tables: { table: string; rows: number }[] = [];
  for (const table of names) {
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${table}`);
    tables.push({ table, rows: Number(reader.getRows()[0]![0]) });
  }
  return tables;
}
