/**
 * The sandbox's contract with its callers: plain data in (the statement's semantic results as
 * tables, the residual SQL, a cancel signal), plain data out (DuckDB type names and JSON values).
 */

/** Column types a semantic result is loaded as. */
export const SANDBOX_COLUMN_TYPES = ['BIGINT', 'DOUBLE', 'TIMESTAMP', 'BOOLEAN', 'VARCHAR'] as const;
export type SandboxColumnType = (typeof SANDBOX_COLUMN_TYPES)[number];

export interface SandboxColumn {
  readonly name: string;
  readonly type: SandboxColumnType;
  /**
   * Values by row position; null and undefined (also past the end) are NULL, anything else is
   * cast from its text (`String(v)`) by DuckDB: decimals as "12.50", timestamps as local ISO text.
   */
  readonly values: readonly unknown[];
}

/** One table the residual SQL reads, named like an identifier (`__scan_0`); rows keep their order. */
export interface SandboxTable {
  readonly name: string;
  readonly columns: readonly SandboxColumn[];
  readonly rowCount: number;
}

export interface EvaluateRequest {
  /** The only relations the SQL may read (besides its own CTEs). */
  readonly tables: readonly SandboxTable[];
  /**
   * One SELECT, in PostgreSQL syntax DuckDB also runs: the check reads it with PostgreSQL's
   * parser (libpg-query), DuckDB executes it.
   */
  readonly sql: string;
  /** A Postgres CancelRequest (or a closed connection) aborts it: the statement is interrupted. */
  readonly signal?: AbortSignal;
}

/** A columnar result: DuckDB type names, values as `getColumnsJson` gives them (BIGINT and DECIMAL as text). */
export interface SandboxResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly data: readonly (readonly unknown[])[];
  readonly rowCount: number;
}

/** Evaluates residual SQL safely: see `residual-sandbox.ts`. */
export interface ResidualSandbox {
  /**
   * Loads `tables` as temp tables of a fresh connection, checks and runs `sql`, reads its result,
   * and drops everything. Throws a UserError with a SQLSTATE for every foreseeable failure:
   * a refused construct (42501, 42883, 0A000), the timeout or a cancel (57014), memory (53200).
   */
  evaluate(request: EvaluateRequest): Promise<SandboxResult>;
  close(): Promise<void>;
}
