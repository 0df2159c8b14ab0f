import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors/user-error.ts';
import { ensureBronzeEventsTables } from './bronze-events-tables.ts';
import { splitSqlStatements, type SqlStatement } from './split-sql-statements.ts';
import { WriteLock } from './write-lock.ts';

/** The shared near-real-time SQL (also run by notebooks/streaming_events.py on Databricks). */
export const STREAMING_SQL_DIR = fileURLToPath(new URL('../../../../notebooks/sql/streaming/', import.meta.url));

const PROGRESS_DDL = `CREATE SCHEMA IF NOT EXISTS silver;
CREATE TABLE IF NOT EXISTS silver._stream_progress (pipeline VARCHAR PRIMARY KEY, ingested_until TIMESTAMP)`;

/**
 * Columns added to the shared tables after local lakehouses were created: `CREATE TABLE IF NOT
 * EXISTS` leaves an existing table as it was, and the shared SQL cannot say "add if missing" in a
 * form Spark accepts, so the local runner brings old DuckDB files up to date here.
 */
const LOCAL_MIGRATIONS = `ALTER TABLE gold.campanha_metricas_minuto ADD COLUMN IF NOT EXISTS atualizado_em TIMESTAMP`;

/** What one micro-batch did. */
export interface MicroBatchResult {
  readonly bronzeRows: number;
  readonly durationMs: number;
}

/**
 * Runs the streaming SQL files over the bronze rows committed since the previous micro-batch,
 * exposed to the SQL as the temporary table `bronze_events_batch`. The files, the bookkeeping of
 * the watermark (max `_ingested_at` processed) and the watermark update share one transaction, so
 * a micro-batch is applied entirely or not at all. It holds the same WriteLock as the consumer,
 * whose `_ingested_at` stamps only grow, so no committed row can fall behind the watermark.
 */
export class MicroBatchRunner {
  private statements?: { setup: Statement[]; batch: Statement[] };
  private setUp = false;
  private pending?: Promise<MicroBatchResult>;
  private again = false;

  constructor(
    private readonly options: { connection: DuckDBConnection; writeLock?: WriteLock; sqlDir?: string; pipeline?: string },
  ) {}

  /** Applies every bronze row not yet processed; returns 0 rows when there was nothing new. */
  async runOnce(): Promise<MicroBatchResult> {
    const statements = await this.loadStatements();
    const lock = this.options.writeLock ?? new WriteLock();
    return lock.run(async () => {
      const started = performance.now();
      const connection = this.options.connection;
      if (!this.setUp) {
        await ensureBronzeEventsTables(connection);
        await connection.run(PROGRESS_DDL);
        for (const statement of statements.setup) await runStatement(connection, statement);
        if (await hasTable(connection, 'gold', 'campanha_metricas_minuto')) await connection.run(LOCAL_MIGRATIONS);
        this.setUp = true;
      }
      await connection.run('BEGIN TRANSACTION');
      try {
        const bronzeRows = await this.selectNewRows(connection);
        if (bronzeRows > 0) {
          for (const statement of statements.batch) await runStatement(connection, statement);
          await connection.run(
            `INSERT OR REPLACE INTO silver._stream_progress SELECT $pipeline, max(_ingested_at) FROM bronze_events_batch`,
            { pipeline: this.pipeline },
          );
        }
        await connection.run('COMMIT');
        return { bronzeRows, durationMs: performance.now() - started };
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Asks for a micro-batch soon (after each consumer batch). Requests arriving while one runs
   * collapse into a single follow-up run.
   */
  request(onError: (error: unknown) => void = () => undefined): void {
    if (this.pending) {
      this.again = true;
      return;
    }
    this.pending = this.runOnce().finally(() => {
      this.pending = undefined;
      if (this.again) {
        this.again = false;
        this.request(onError);
      }
    });
    this.pending.catch(onError);
  }

  /** Resolves when no requested micro-batch is running. */
  async idle(): Promise<void> {
    while (this.pending) await this.pending.catch(() => undefined);
  }

  private get pipeline(): string {
    return this.options.pipeline ?? 'streaming';
  }

  private async selectNewRows(connection: DuckDBConnection): Promise<number> {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE bronze_events_batch AS
       SELECT * FROM bronze.events
       WHERE _ingested_at > coalesce((SELECT ingested_until FROM silver._stream_progress WHERE pipeline = $pipeline), TIMESTAMP '1970-01-01')`,
      { pipeline: this.pipeline },
    );
    const reader = await connection.runAndReadAll('SELECT count(*) AS n FROM bronze_events_batch');
    return Number(reader.getRows()[0]![0]);
  }

  /** `00_*` files create tables (run once per runner); the others make up each micro-batch. */
  private async loadStatements(): Promise<{ setup: Statement[]; batch: Statement[] }> {
    if (this.statements) return this.statements;
    const dir = this.options.sqlDir ?? STREAMING_SQL_DIR;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
    if (files.length === 0) throw new UserError('PIPELINE_INPUT', `No streaming SQL files in ${dir}`);
    const statements = { setup: [] as Statement[], batch: [] as Statement[] };
    for (const file of files) {
      const target = file.startsWith('00_') ? statements.setup : statements.batch;
      for (const statement of splitSqlStatements(await readFile(join(dir, file), 'utf8'))) target.push({ ...statement, file: join(dir, file) });
    }
    this.statements = statements;
    return statements;
  }
}

async function hasTable(connection: DuckDBConnection, schema: string, table: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    'SELECT count(*) FROM information_schema.tables WHERE table_schema = $schema AND table_name = $table',
    { schema, table },
  );
  return Number(reader.getRows()[0]![0]) > 0;
}

interface Statement extends SqlStatement {
  readonly file: string;
}

async function runStatement(connection: DuckDBConnection, statement: Statement): Promise<void> {
  try {
    await connection.run(statement.sql);
  } catch (error) {
    // A failing shared SQL file is a pipeline input problem: name the file and the statement's line.
    throw new UserError('PIPELINE_INPUT', `${statement.file}:${statement.line}: ${(error as Error).message}`, {
      location: { file: statement.file, line: statement.line },
      hint: 'the streaming SQL must run on DuckDB and Spark alike (notebooks/sql/README.md)',
      cause: error,
    });
  }
}
