/**
 * Amazon Redshift (provisioned or Serverless; Spectrum external tables over the Glue catalog)
 * through the `pg` client: Redshift speaks the Postgres wire protocol, so statements go with the
 * extended protocol and `$n` parameters bound by the server, never spliced. Settings use Cube's
 * variable names (CUBEJS_DB_HOST, CUBEJS_DB_PORT default 5439, CUBEJS_DB_NAME, CUBEJS_DB_USER,
 * CUBEJS_DB_PASS, CUBEJS_DB_SSL, CUBEJS_DB_MAX_POOL).
 *
 * Each pooled session is prepared once: `SET timezone TO 'UTC'` (the engine converts zones in
 * SQL) and `SET enable_case_sensitive_identifier TO true` — by default Redshift folds even quoted
 * identifiers to lower case, so the engine's column aliases (`Orders__totalAmount`) would come
 * back renamed. A server without that setting (a Postgres, SQLSTATE 42704) keeps the case of
 * quoted identifiers already, so there the refusal is expected. Values are read as text and
 * converted to the `QueryResult` contract (BIGINT and NUMERIC as strings, times as local ISO strings). An aborted
 * signal cancels the statement with `pg_cancel_backend` from a second session. `stream` reads a
 * large result in chunks from a server-side portal.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { ColumnInfo, ColumnType, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';

export interface RedshiftOptions {
  readonly host: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** `CUBEJS_DB_SSL`: TLS on; `rejectUnauthorized` false only when the caller says so. */
  readonly ssl?: boolean | { readonly rejectUnauthorized?: boolean; readonly ca?: string };
  /** `CUBEJS_DB_MAX_POOL` (default 8, as Cube's). */
  readonly maxPool?: number;
}

/** SQLSTATE of an unknown configuration parameter (a Postgres has no enable_case_sensitive_identifier). */
const UNDEFINED_SETTING = '42704';

/** Redshift's default port, as CUBEJS_DB_PORT's fallback. */
export const REDSHIFT_DEFAULT_PORT = 5439;

/** Rows per chunk of `stream`: each is one Execute of the statement's portal with this row limit. */
const STREAM_CHUNK_ROWS = 10_000;

/** Every value arrives as the server's text; `toColumnType`/`convert` read it. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export class RedshiftDriver implements Driver {
  readonly name = 'redshift';
  private readonly pool: pg.Pool;
  private readonly backendPids = new WeakMap<pg.PoolClient, number>();

  constructor(private readonly options: RedshiftOptions) {
    this.pool = new pg.Pool({ ...connectionConfig(options), max: options.maxPool ?? 8, types: TEXT_TYPES });
    // An idle session dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const { client, end } = await this.session(sql, options.signal);
    let broken: Error | undefined;
    try {
      const result = await client.query({ text: sql, values: params.map(toParam), rowMode: 'array' });
      return toQueryResult(result);
    } catch (error) {
      if (!(error as { code?: string }).code) broken = error as Error;
      throw driverError(error, sql, options.signal);
    } finally {
      end(broken);
    }
  }

  /**
   * The rows in chunks of `STREAM_CHUNK_ROWS`, read from a server-side portal (`pg-cursor`: Bind once,
   * then Execute with a row limit until the portal is done), so a large result never sits in memory
   * at once. Leaving the iteration early closes the portal, which ends the statement; a session whose
   * stream failed is not pooled again.
   */
  async *stream(sql: string, params: readonly unknown[], options: QueryOptions = {}): AsyncIterable<QueryResult> {
    const { client, end } = await this.session(sql, options.signal);
    const cursor = client.query(new Cursor(sql, params.map(toParam), { rowMode: 'array', types: TEXT_TYPES }));
    let broken: Error | undefined;
    let done = false;
    try {
      for (let first = true; !done; first = false) {
        let chunk: { rows: unknown[][]; fields: pg.FieldDef[] };
        try {
          chunk = await new Promise((resolve, reject) => cursor.read(STREAM_CHUNK_ROWS, (error, rows, result) =>
            (error ? reject(error) : resolve({ rows: rows as unknown[][], fields: result.fields }))));
        } catch (error) {
          broken = error as Error;
          throw driverError(error, sql, options.signal);
        }
        done = chunk.rows.length < STREAM_CHUNK_ROWS;
        if (first || chunk.rows.length > 0) yield toQueryResult({ fields: chunk.fields, rows: chunk.rows } as unknown as pg.QueryResult);
      }
    } finally {
      // Early exit: Close + Sync end the statement (after the last chunk there is nothing left to end).
      if (!broken) await cursor.close().catch((error: Error) => { broken = error; });
      end(broken);
    }
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * A pooled session for one statement, whose running statement an abort of `signal` cancels on the
   * server; `end` stops listening and returns the session to the pool (dropped when `broken`).
   */
  private async session(sql: string, signal: AbortSignal | undefined): Promise<{ client: pg.PoolClient; end(broken?: Error): void }> {
    if (signal?.aborted) throw new UserError('QUERY_CANCELLED', 'Query cancelled before it started');
    const client = await this.acquire(sql);
    const cancel = (): void => void this.cancelBackend(this.backendPids.get(client));
    signal?.addEventListener('abort', cancel, { once: true });
    return {
      client,
      end: (broken) => {
        signal?.removeEventListener('abort', cancel);
        client.release(broken);
      },
    };
  }

  /** A pooled session, prepared on first use; failing to connect names the variables to check. */
  private async acquire(sql: string): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unreachable(error, this.options);
    }
    if (this.backendPids.has(client)) return client;
    try {
      await client.query("SET timezone TO 'UTC'");
      await client.query('SET enable_case_sensitive_identifier TO true').catch((error: { code?: string }) => {
        if (error.code !== UNDEFINED_SETTING) throw error;
      });
      const pid = await client.query({ text: 'SELECT pg_backend_pid()', rowMode: 'array' });
      this.backendPids.set(client, Number((pid.rows[0] as unknown[])[0]));
      return client;
    } catch (error) {
      client.release(error as Error);
      throw driverError(error, sql, undefined);
    }
  }

  /** Cancels a running statement from a separate session (the pool may be full). */
  private async cancelBackend(pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    const client = new pg.Client(connectionConfig(this.options));
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The statement may have finished meanwhile; nothing to cancel.
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function connectionConfig(options: RedshiftOptions): pg.ClientConfig {
  const ssl = options.ssl === true ? {} : options.ssl === false || options.ssl === undefined ? undefined : { ...options.ssl };
  return {
    host: options.host,
    port: options.port ?? REDSHIFT_DEFAULT_PORT,
    database: options.database,
    user: options.user,
    password: options.password,
    ...(ssl ? { ssl } : {}),
    connectionTimeoutMillis: 30_000,
  };
}

/** Parameters as the text Redshift parses for the type it infers from the statement. */
function toParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  return JSON.stringify(value);
}

/** Type OIDs Redshift reports (Postgres's numbering) → logical column types. */
const OID_TYPES: ReadonlyMap<number, ColumnType> = new Map([
  [20, 'integer'], [21, 'integer'], [23, 'integer'],
  [1700, 'decimal'],
  [700, 'number'], [701, 'number'],
  [16, 'boolean'],
  [1082, 'date'],
  [1114, 'time'], [1184, 'time'],
  [25, 'string'], [1043, 'string'], [1042, 'string'], [18, 'string'], [19, 'string'],
]);

const INT8 = 20;

function toQueryResult(result: pg.QueryResult): QueryResult {
  const columns: ColumnInfo[] = result.fields.map((f) => ({ name: f.name, type: OID_TYPES.get(f.dataTypeID) ?? 'unknown' }));
  const rows = result.rows as unknown as (string | null)[][];
  // BIGINT stays text, as DuckDB's driver and Cube's return it; smaller integers are numbers.
  const data = columns.map((c, j) => (result.fields[j]!.dataTypeID === INT8 ? rows.map((row) => row[j] ?? null) : rows.map((row) => convert(row[j] ?? null, c.type))));
  return { columns, data, rowCount: rows.length };
}

function convert(text: string | null, type: ColumnType): unknown {
  if (text === null) return null;
  switch (type) {
    case 'integer': return Number(text);
    case 'number': return Number(text);
    case 'boolean': return text === 't' || text === 'true';
    case 'date': return `${text.slice(0, 10)}T00:00:00.000`;
    case 'time': return localIso(text);
    default: return text;
  }
}

/** '2024-05-13 10:00:00.5' (or with '+00' in a UTC session) → '2024-05-13T10:00:00.500'. */
function localIso(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').slice(0, 3).padEnd(3, '0')}` : text;
}

/** A database error as the engine reports it: a cancel as such, anything else with its SQLSTATE and the SQL. */
function driverError(error: unknown, sql: string, signal: AbortSignal | undefined): UserError {
  if (error instanceof UserError) return error;
  const { code, message } = error as { code?: string; message?: string };
  if (signal?.aborted || code === '57014') return new UserError('QUERY_CANCELLED', 'Query cancelled', { cause: error });
  return new UserError('SOURCE_ERROR', `Redshift: ${message ?? String(error)}${code ? ` (SQLSTATE ${code})` : ''}\nSQL: ${sql}`, { cause: error });
}

function unreachable(error: unknown, options: RedshiftOptions): UserError {
  const where = `${options.host}:${options.port ?? REDSHIFT_DEFAULT_PORT}/${options.database ?? ''}`;
  return new UserError('SOURCE_UNREACHABLE', `Cannot connect to Redshift at ${where}: ${(error as Error).message}`, {
    cause: error,
    hint: 'Check CUBEJS_DB_HOST, CUBEJS_DB_PORT, CUBEJS_DB_NAME, CUBEJS_DB_USER, CUBEJS_DB_PASS and CUBEJS_DB_SSL.',
  });
}
