import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors/user-error.ts';
import { ensureBronzeEventsTables } from './bronze-events-tables.ts';
import { splitSqlFile, type SqlStatement } from '../transform/split-sql-file.ts';
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
  /** When its commit made the rows queryable (epoch ms). */
  readonly committedAtMs: number;
}

/** How a requested micro-batch ended (`request`), for health and metrics. */
export type MicroBatchReport =
  | { readonly ok: true; readonly result: MicroBatchResult; readonly durationMs: number }
  | { readonly ok: false; readonly error: unknown; readonly durationMs: number };

/**
 * Runs the streaming SQL files over the bronze rows committed since the previous micro-batch,
 * exposed to the SQL as the temporary table `bronze_events_batch`. The files, the bookkeeping of
 * the watermark (max `_ingested_at` processed) and the watermark update share one transaction, so
 * a micro-batch is applied entirely or not at all. It holds the same WriteLock as the consumer,
 * whose `_ingested_at` stamps only grow, so no committed row can fall behind the watermark.
 *
 * With `overlapConsumerCommits` (the runner has its own connection, as in `startLocalStreaming`)
 * the lock is held only while the batch's rows are selected and while it commits: consumer
 * commits in between get later stamps than every selected row, so the next micro-batch takes
 * them, and the consumer no longer waits for the whole micro-batch. Holders of the lock still see
 * no micro-batch commit while they hold it.
 */
export class MicroBatchRunner {
  private statements?: { setup: Statement[]; batch: Statement[] };
  private setUp = false;
  private pending?: Promise<MicroBatchResult>;
  private again = false;

  constructor(
    private readonly options: {
      connection: DuckDBConnection;
      writeLock?: WriteLock;
      sqlDir?: string;
      pipeline?: string;
      /** Release the write lock while the statements run; needs a connection not shared with the consumer. */
      overlapConsumerCommits?: boolean;
      /** Time of each step of a micro-batch (`file:line` of a statement, or `select`/`commit`): the bench's profile. */
      onTiming?: (step: string, ms: number) => void;
      /** Every requested micro-batch's outcome (runs started by `request`). */
      onReport?: (report: MicroBatchReport) => void;
      /**
       * Arrival times in the stream of the events a micro-batch just made queryable, grouped by
       * millisecond (one extra query on the batch's temporary table, after the commit, only when set).
       */
      onQueryable?: (committedAtMs: number, arrivals: readonly { readonly arrivalMs: number; readonly count: number }[]) => void;
    },
  ) {}

  /**
   * Creates the streaming tables (bronze events, progress, the `00_*` files' silver and gold
   * tables) when missing; the first micro-batch does it anyway. `npm start` calls it before the
   * server opens, so the real-time cubes and their rollups find their tables, empty or not.
   * Not under the write lock: call it before the consumer and micro-batches start.
   */
  async createTables(): Promise<void> {
    const statements = await this.loadStatements();
    const connection = this.options.connection;
    await ensureBronzeEventsTables(connection);
    await connection.run(PROGRESS_DDL);
    for (const statement of statements.setup) await runStatement(connection, statement);
    if (await hasTable(connection, 'gold', 'campanha_metricas_minuto')) await connection.run(LOCAL_MIGRATIONS);
    this.setUp = true;
  }

  /** Applies every bronze row not yet processed; returns 0 rows when there was nothing new. */
  async runOnce(): Promise<MicroBatchResult> {
    const statements = await this.loadStatements();
    const lock = this.options.writeLock ?? new WriteLock();
    const timing = this.options.onTiming;
    const requested = performance.now();
    let started = requested;
    let mark = requested;
    const lap = (step: string): void => {
      if (!timing) return;
      const now = performance.now();
      timing(step, now - mark);
      mark = now;
    };
    const connection = this.options.connection;
    const begin = async (): Promise<number> => {
      started = performance.now();
      lap('lock');
      if (!this.setUp) {
        await this.createTables();
        lap('setup');
      }
      await connection.run('BEGIN TRANSACTION');
      try {
        const rows = await this.selectNewRows(connection);
        lap('select');
        return rows;
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    };
    const apply = async (): Promise<void> => {
      for (const statement of statements.batch) {
        await runStatement(connection, statement);
        lap(statement.label);
      }
      await connection.run(
        `INSERT OR REPLACE INTO silver._stream_progress SELECT $pipeline, max(_ingested_at) FROM bronze_events_batch`,
        { pipeline: this.pipeline },
      );
    };
    const commit = async (bronzeRows: number): Promise<MicroBatchResult> => {
      await connection.run('COMMIT');
      const committedAtMs = Date.now();
      lap('commit');
      if (bronzeRows > 0) timing?.('total', performance.now() - requested);
      return { bronzeRows, durationMs: performance.now() - started, committedAtMs };
    };
    const rollingBack = async (error: unknown): Promise<never> => {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    };

    let result: MicroBatchResult;
    if (!this.options.overlapConsumerCommits) {
      result = await lock.run(async () => {
        const bronzeRows = await begin();
        try {
          if (bronzeRows > 0) await apply();
          return await commit(bronzeRows);
        } catch (error) {
          return rollingBack(error);
        }
      });
    } else {
      const bronzeRows = await lock.run(begin);
      try {
        if (bronzeRows === 0) result = await commit(0);
        else {
          await apply();
          mark = performance.now();
          result = await lock.run(async () => {
            lap('lock (commit)');
            return commit(bronzeRows);
          });
        }
      } catch (error) {
        return rollingBack(error);
      }
    }
    if (result.bronzeRows > 0 && this.options.onQueryable) await this.reportArrivals(result.committedAtMs);
    return result;
  }

  /** Arrival times of the batch just committed (its temporary table is still there). */
  private async reportArrivals(committedAtMs: number): Promise<void> {
    let arrivals: { arrivalMs: number; count: number }[];
    try {
      const reader = await this.options.connection.runAndReadAll(
        'SELECT epoch_ms(_arrival_time) AS a, count(*) AS n FROM bronze_events_batch WHERE _arrival_time IS NOT NULL GROUP BY 1',
      );
      arrivals = reader.getRows().map(([a, n]) => ({ arrivalMs: Number(a), count: Number(n) }));
    } catch {
      return; // a measurement only: the batch is committed whatever happens here
    }
    this.options.onQueryable?.(committedAtMs, arrivals);
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
    const started = performance.now();
    const report = this.options.onReport;
    this.pending = this.runOnce();
    if (report) {
      this.pending.then(
        (result) => report({ ok: true, result, durationMs: performance.now() - started }),
        (error: unknown) => report({ ok: false, error, durationMs: performance.now() - started }),
      );
    }
    this.pending = this.pending.finally(() => {
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
    // The watermark goes into the filter as a literal, so DuckDB skips the row groups (zone maps
    // on `_ingested_at`, which only grows) that hold rows already processed.
    const progress = await connection.runAndReadAll(
      'SELECT epoch_us(ingested_until) FROM silver._stream_progress WHERE pipeline = $pipeline',
      { pipeline: this.pipeline },
    );
    const until = BigInt((progress.getRows()[0]?.[0] as bigint | null | undefined) ?? 0n);
    const reader = await connection.runAndReadAll(
      `CREATE OR REPLACE TEMP TABLE bronze_events_batch AS
       SELECT * FROM bronze.events WHERE _ingested_at > make_timestamp(${until.toString()})`,
    );
    return Number(reader.getRows()[0]?.[0] ?? 0);
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
      for (const statement of splitSqlFile(await readFile(join(dir, file), 'utf8'))) {
        target.push({ ...statement, file: join(dir, file), label: `${file}:${statement.line}` });
      }
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
  /** `file:line`, for timings. */
  readonly label: string;
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
