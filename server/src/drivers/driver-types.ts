/**
 * The contract every database driver fulfils. Drivers are the only modules that import database
 * clients (`@duckdb/node-api`, `pg`, `mysql2`, `@databricks/sql`, `@aws-sdk/client-athena`).
 */

/** Logical column types the engine understands, independent of the database's own names. */
export type ColumnType = 'string' | 'number' | 'integer' | 'decimal' | 'boolean' | 'time' | 'date' | 'unknown';

export interface ColumnInfo {
  readonly name: string;
  readonly type: ColumnType;
}

/**
 * A result in columnar form: large results are serialized from columns, never by building an
 * object per row first. Values: string | number | boolean | null; decimals and int64 as strings
 * (as Cube's drivers return them), timestamps as ISO local strings without zone ('2024-05-13T00:00:00.000').
 */
export interface QueryResult {
  readonly columns: readonly ColumnInfo[];
  readonly data: readonly (readonly unknown[])[]; // one array per column
  readonly rowCount: number;
}

export interface QueryOptions {
  /** Abort a running query (timeout, client gone, cancellation from the queue). */
  readonly signal?: AbortSignal;
  /**
   * Every table the statement reads stays as it is until it is dropped (a rollup's tables): the
   * driver may keep the statement's plan and run the same text again without parsing and planning
   * it (≈ 0.6 ms of a 1.6 ms rollup read in DuckDB). Never for tables that take writes: a plan can
   * hold what the data's statistics implied when it was made.
   */
  readonly reusePlan?: boolean;
}

export interface Driver {
  readonly name: string; // "duckdb", "databricks", "athena", "postgres"
  /** Runs one statement with positional parameters bound by the driver (never spliced). */
  query(sql: string, params: readonly unknown[], options?: QueryOptions): Promise<QueryResult>;
  /**
   * Runs one statement and yields its rows in chunks, so a large result never sits in memory at
   * once (optional: without it, callers fall back to `query`). Stopping the iteration early ends
   * the statement.
   */
  stream?(sql: string, params: readonly unknown[], options?: QueryOptions): AsyncIterable<QueryResult>;
  /** Forgets every plan kept for `reusePlan` (a table such plans read was dropped); optional. */
  forgetPlans?(): void;
  /** Cheap liveness check for /readyz. */
  testConnection(): Promise<void>;
  close(): Promise<void>;
}
