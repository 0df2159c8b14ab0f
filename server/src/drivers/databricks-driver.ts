/**
 * Databricks SQL warehouses through `@databricks/sql` (pure JS, Thrift over HTTP): no JVM and no
 * JDBC jar, unlike Cube's databricks-jdbc-driver. Parameters are bound with `ordinalParameters`
 * (the `?` markers our Databricks dialect writes). Connection settings use Cube's variable names:
 * CUBEJS_DB_DATABRICKS_URL / _TOKEN / _CATALOG / _CA.
 *
 * TLS: the warehouse's certificate is always verified (chain and host name) before the access
 * token is sent — `checkServerCertificate: true` is passed explicitly, not left to the client's
 * default (1.x of the client accepted any certificate). A private CA or a TLS-inspecting proxy's
 * is trusted through `ca` (CUBEJS_DB_DATABRICKS_CA), in addition to the public roots; there is no
 * switch to turn verification off.
 *
 * Client settings chosen here: exact numbers (`preserveBigNumericPrecision`: DECIMAL as text and
 * BIGINT as bigint instead of lossy JS numbers), no client telemetry (statement ids and host
 * details are not sent anywhere by default), and the client's retry policy (429/5xx on idempotent
 * calls, with backoff) bounded by `retry`. One session is kept and reopened when the warehouse has
 * forgotten it (idle timeout, restart); every session runs in UTC (`SESSION_TIME_ZONE_SQL`) before
 * any statement of ours. Failures are mapped by databricks-errors.ts.
 */
import type { ColumnInfo, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { columnTypeOf, toColumnar } from './columnar-rows.ts';
import { databricksError } from './databricks-errors.ts';
import { readCaCertificate } from './read-ca-certificate.ts';
import type { PemSource } from '../config/config-types.ts';

/** What `DBSQLClient.connect` is given. */
export interface DatabricksConnectOptions {
  host: string;
  port: number;
  path: string;
  token: string;
  /** Always true here: refuse a server whose certificate does not verify. */
  checkServerCertificate: boolean;
  /** PEM of CAs trusted in addition to Node's bundled roots (and NODE_EXTRA_CA_CERTS). */
  customCaCert?: string;
  telemetryEnabled: boolean;
  preserveBigNumericPrecision: boolean;
  retryMaxAttempts?: number;
  retryDelayMin?: number;
  retryDelayMax?: number;
  retriesTimeout?: number;
}

/** The slice of `DBSQLClient` we use (the real client; tests run it against a fake warehouse over HTTPS). */
export interface DatabricksClientLike {
  connect(options: DatabricksConnectOptions): Promise<unknown>;
  openSession(options?: { initialCatalog?: string; initialSchema?: string }): Promise<DatabricksSessionLike>;
  close(): Promise<unknown>;
}

export interface DatabricksSessionLike {
  executeStatement(sql: string, options: { ordinalParameters?: unknown[]; runAsync?: boolean }): Promise<DatabricksOperationLike>;
  close(): Promise<unknown>;
}

export interface DatabricksOperationLike {
  /** Waits (polling GetOperationStatus) until the statement ends; rejects if it failed. */
  finished(): Promise<unknown>;
  fetchChunk(options: { maxRows: number; disableBuffering: boolean }): Promise<object[]>;
  hasMoreRows(): Promise<boolean>;
  getSchema(): Promise<{ columns: { columnName: string; typeDesc?: { types?: { primitiveEntry?: { type?: number } }[] } }[] } | null>;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
}

/** Connection settings (from `CUBEJS_DB_DATABRICKS_*`). */
export interface DatabricksOptions {
  /** JDBC-style URL or `https://host[:port]/sql/1.0/warehouses/<id>`: host, port and HTTP path are taken from it. */
  readonly url: string;
  readonly token: string;
  readonly catalog?: string;
  readonly schema?: string;
  /**
   * A CA to trust besides the public roots (CUBEJS_DB_DATABRICKS_CA): a private CA, or the one of
   * a proxy that inspects TLS. Read and checked when the driver is created (CONFIG_INVALID if it
   * holds no valid certificate).
   */
  readonly ca?: PemSource;
  /**
   * The client's retries of 429/5xx answers and dropped connections (only on calls safe to repeat:
   * status polls, metadata, close, cancel). Defaults are the client's: 5 attempts, 1 s doubling to
   * at most 60 s, 15 min in total.
   */
  /** Rows asked for per FetchResults (the client's default, 100 000): the size of `stream`'s chunks. */
  readonly fetchRows?: number;
  readonly retry?: { readonly maxAttempts?: number; readonly delayMinMillis?: number; readonly delayMaxMillis?: number; readonly timeoutMillis?: number };
}

const DEFAULT_FETCH_ROWS = 100_000;

/**
 * Run first in every session the driver opens (reopened ones included): the Databricks dialect
 * writes SQL for a UTC session (it converts to the query's time zone itself, as the DuckDB driver's
 * `SET SESSION TimeZone = 'UTC'` lets it), and a warehouse whose TIMEZONE parameter or a Spark
 * server whose `spark.sql.session.timeZone` is another zone would silently shift date buckets,
 * timestamp literals and rendered times. A statement, not OpenSession's `configuration`: SET TIME
 * ZONE is documented for Databricks SQL and Databricks Runtime and is Spark 3's own syntax, where
 * the configuration keys differ (Databricks' `TIMEZONE`, HiveServer2's `set:hiveconf:` prefix).
 */
export const SESSION_TIME_ZONE_SQL = "SET TIME ZONE 'UTC'";
// Thrift TTypeId values of the column types we distinguish (hive_service TCLIService.thrift).
const THRIFT_TYPES: Readonly<Record<number, string>> = {
  0: 'boolean', 1: 'tinyint', 2: 'smallint', 3: 'int', 4: 'bigint', 5: 'float', 6: 'double', 7: 'string', 8: 'timestamp', 15: 'decimal', 17: 'date', 19: 'varchar', 20: 'char',
};

export class DatabricksDriver implements Driver {
  readonly name = 'databricks';
  private session: Promise<DatabricksSessionLike> | undefined;
  private readonly endpoint: string;
  private readonly customCaCert: string | undefined;

  constructor(
    private readonly options: DatabricksOptions,
    private readonly client: DatabricksClientLike,
  ) {
    const { host, port } = parseDatabricksUrl(options.url);
    this.endpoint = `${host}:${port}`;
    this.customCaCert = options.ca ? readCaCertificate(options.ca, 'CUBEJS_DB_DATABRICKS_CA') : undefined;
  }

  /** Creates the driver with the real client (loaded lazily: only deployments using Databricks pay for it). */
  static async create(options: DatabricksOptions): Promise<DatabricksDriver> {
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    // The client logs every connect and session at info level to stdout; only its errors are worth printing.
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    return new DatabricksDriver(options, client as unknown as DatabricksClientLike);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const rows: object[] = [];
    let columns: readonly ColumnInfo[] = [];
    for await (const chunk of this.chunks(sql, params, options.signal)) {
      columns = chunk.columns;
      for (const row of chunk.rows) rows.push(row);
    }
    return this.toResult(columns, rows);
  }

  /** One chunk per FetchResults (at most `fetchRows` rows), so a large result never sits in memory whole. */
  async *stream(sql: string, params: readonly unknown[], options: QueryOptions = {}): AsyncIterable<QueryResult> {
    for await (const chunk of this.chunks(sql, params, options.signal)) yield this.toResult(chunk.columns, chunk.rows);
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    this.session = undefined;
    await session?.close().catch(() => undefined);
    await this.client.close();
  }

  /**
   * Starts the statement and reads its rows fetch by fetch (the first chunk, possibly empty, carries
   * the columns). An aborted signal cancels the statement on the warehouse (CancelOperation); the
   * operation is closed however the reading ends, early stops included.
   */
  private async *chunks(sql: string, params: readonly unknown[], signal: AbortSignal | undefined): AsyncGenerator<{ columns: readonly ColumnInfo[]; rows: object[] }> {
    if (signal?.aborted) throw this.abortError(signal, false);
    const operation = await this.execute(sql, params);
    const cancel = (): void => void operation.cancel().catch(() => undefined);
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      let columns: ColumnInfo[] | undefined;
      let first = true;
      do {
        let rows: object[];
        try {
          rows = await operation.fetchChunk({ maxRows: this.options.fetchRows ?? DEFAULT_FETCH_ROWS, disableBuffering: true });
          // Read after the first rows: the client fetched the schema with them (no second status poll).
          columns ??= ((await operation.getSchema())?.columns ?? []).map((c) => ({ name: c.columnName, type: columnTypeOf(THRIFT_TYPES[c.typeDesc?.types?.[0]?.primitiveEntry?.type ?? -1] ?? 'unknown') }));
        } catch (error) {
          if (signal?.aborted) throw this.abortError(signal, true);
          throw this.failure(error, sql);
        }
        if (first || rows.length > 0) yield { columns, rows };
        first = false;
      } while (await this.hasMoreRows(operation, sql, signal));
    } finally {
      signal?.removeEventListener('abort', cancel);
      // Best effort: the statement's own outcome (or error) is what the caller needs.
      await operation.close().catch(() => undefined);
    }
  }

  private async hasMoreRows(operation: DatabricksOperationLike, sql: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      return await operation.hasMoreRows();
    } catch (error) {
      if (signal?.aborted) throw this.abortError(signal, true);
      throw this.failure(error, sql);
    }
  }

  private toResult(columns: readonly ColumnInfo[], rows: readonly object[]): QueryResult {
    return toColumnar(columns, rows.length, (i, j) => exactValue((rows[i] as Record<string, unknown>)[columns[j]!.name], columns[j]!, this.endpoint));
  }

  /** Starts the statement; a session the warehouse has forgotten is reopened once. */
  private async execute(sql: string, params: readonly unknown[]): Promise<DatabricksOperationLike> {
    for (let attempt = 0; ; attempt++) {
      const opening = this.openSession(sql);
      const session = await opening;
      try {
        return await session.executeStatement(sql, { ordinalParameters: [...params], runAsync: true });
      } catch (error) {
        if (isForgottenSession(error)) {
          // Only the statement that finds the session forgotten first drops it; concurrent ones then share the new one.
          if (this.session === opening) this.session = undefined;
          if (attempt === 0) continue;
        }
        throw this.failure(error, sql);
      }
    }
  }

  private openSession(sql: string): Promise<DatabricksSessionLike> {
    if (this.session) return this.session;
    const opening = (async () => {
      const { host, port, path } = parseDatabricksUrl(this.options.url);
      const retry = this.options.retry ?? {};
      try {
        await this.client.connect({
          host, port, path, token: this.options.token,
          checkServerCertificate: true,
          ...(this.customCaCert ? { customCaCert: this.customCaCert } : {}),
          telemetryEnabled: false,
          preserveBigNumericPrecision: true,
          retryMaxAttempts: retry.maxAttempts,
          retryDelayMin: retry.delayMinMillis,
          retryDelayMax: retry.delayMaxMillis,
          retriesTimeout: retry.timeoutMillis,
        });
        const session = await this.client.openSession({ initialCatalog: this.options.catalog, initialSchema: this.options.schema });
        try {
          await inUtc(session);
        } catch (error) {
          // A session we could not pin is not used (nor left open on the warehouse).
          await session.close().catch(() => undefined);
          throw this.failure(error, SESSION_TIME_ZONE_SQL);
        }
        return session;
      } catch (error) {
        throw this.failure(error, sql);
      }
    })();
    this.session = opening;
    // A failed open is forgotten (the next statement tries again), unless a newer one replaced it.
    opening.catch(() => { if (this.session === opening) this.session = undefined; });
    return opening;
  }

  private failure(error: unknown, sql: string): UserError {
    return databricksError(error, { endpoint: this.endpoint, sql });
  }

  /** The error for a signal that fired: the queue's own reason, a timeout, or a cancellation. */
  private abortError(signal: AbortSignal, started: boolean): UserError {
    const reason: unknown = signal.reason;
    if (reason instanceof UserError) return reason;
    const what = started ? 'statement cancelled on the warehouse (CancelOperation)' : 'statement not started';
    if ((reason as { name?: string } | undefined)?.name === 'TimeoutError') return new UserError('QUERY_TIMEOUT', `Databricks data source at ${this.endpoint}: query timed out, ${what}`);
    return new UserError('QUERY_CANCELLED', `Databricks data source at ${this.endpoint}: query cancelled, ${what}`);
  }
}

/** Sets the session's time zone to UTC and waits until the warehouse applied it. */
async function inUtc(session: DatabricksSessionLike): Promise<void> {
  const operation = await session.executeStatement(SESSION_TIME_ZONE_SQL, { runAsync: true });
  try {
    await operation.finished();
  } finally {
    await operation.close().catch(() => undefined);
  }
}

/**
 * A value as read, refusing the one the client corrupts: in column-based results (servers without
 * Arrow) it reads BIGINT through a 53-bit number, turning anything past 2^53 into Infinity.
 */
function exactValue(value: unknown, column: ColumnInfo, endpoint: string): unknown {
  if (typeof value === 'number' && !Number.isFinite(value) && (column.type === 'integer' || column.type === 'decimal')) {
    throw new UserError('SOURCE_ERROR', `Databricks data source at ${endpoint} sent column "${column.name}" in a column-based result with a value past 2^53 that the client cannot read exactly; enable Arrow results on the warehouse or cast the column to STRING`);
  }
  return value;
}

/** The client's StatusError for a session handle the warehouse no longer knows (HiveServer2 and Databricks say "Invalid SessionHandle"). */
function isForgottenSession(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'Status Error' && /invalid sessionhandle/i.test((error as Error).message);
}

/** Host, port (443 unless given) and HTTP path from `jdbc:databricks://host:443/default;httpPath=/sql/1.0/warehouses/x;…` or `https://host[:port]/sql/1.0/warehouses/x`. */
export function parseDatabricksUrl(url: string): { host: string; port: number; path: string } {
  const jdbc = /^jdbc:(?:databricks|spark):\/\/([^:/;]+)(?::(\d+))?[^;]*;(?:.*;)?httpPath=([^;]+)/i.exec(url);
  if (jdbc) return { host: jdbc[1]!, port: Number(jdbc[2] ?? 443), path: jdbc[3]! };
  const https = /^https?:\/\/([^/:]+)(?::(\d+))?(\/.+)$/.exec(url);
  if (https) return { host: https[1]!, port: Number(https[2] ?? 443), path: https[3]! };
  throw new UserError('CONFIG_INVALID', `CUBEJS_DB_DATABRICKS_URL "${url}" has no host and httpPath`);
}
