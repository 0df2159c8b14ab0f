/**
 * Athena (engine v3, Trino SQL) through `@aws-sdk/client-athena`: StartQueryExecution with
 * `ExecutionParameters` for our `?` markers, poll GetQueryExecution with a growing, bounded delay,
 * page GetQueryResults (1000 rows a page, the first row of the first page being the header) until
 * no NextToken is left. An aborted signal sends StopQueryExecution. Settings use Cube's variable
 * names (CUBEJS_AWS_REGION, CUBEJS_AWS_S3_OUTPUT_LOCATION, CUBEJS_AWS_ATHENA_WORKGROUP,
 * CUBEJS_AWS_ATHENA_CATALOG, CUBEJS_DB_SCHEMA). See README.md for why this instead of Cube's
 * athena-driver.
 */
import type { AthenaClient, QueryExecution } from '@aws-sdk/client-athena';
import type { ColumnInfo, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { columnTypeOf, toColumnar } from './columnar-rows.ts';
import { athenaQueryFailure, athenaRequestError, type AthenaErrorContext } from './athena-errors.ts';

type AthenaSdk = typeof import('@aws-sdk/client-athena');

/** Delay between two GetQueryExecution calls: `firstMillis × factor^n`, never above `maxMillis`. */
export interface PollBackoff {
  readonly firstMillis: number;
  readonly factor: number;
  readonly maxMillis: number;
}

/** Short queries answer within the first polls; long ones cost one call every 2 s at most. */
export const DEFAULT_POLL_BACKOFF: PollBackoff = { firstMillis: 100, factor: 2, maxMillis: 2_000 };

/** Athena's largest GetQueryResults page. */
export const ATHENA_PAGE_SIZE = 1000;

export interface AthenaOptions {
  readonly region?: string;
  readonly outputLocation?: string;
  readonly workGroup?: string;
  readonly catalog?: string;
  readonly database?: string;
  /** Endpoint override (a local stand-in; deployments may also set AWS_ENDPOINT_URL_ATHENA). */
  readonly endpoint?: string;
  /** Static credentials; without them the SDK's default chain (environment, profile, IRSA). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Attempts per API call, retries of throttled or transient failures included (SDK default 3). */
  readonly maxAttempts?: number;
  readonly pollBackoff?: Partial<PollBackoff>;
}

type Row = readonly (string | undefined)[];
interface Page { readonly columns: readonly ColumnInfo[]; readonly rows: readonly Row[] }

export class AthenaDriver implements Driver {
  readonly name = 'athena';
  private readonly backoff: PollBackoff;
  private readonly context: AthenaErrorContext;

  private constructor(
    private readonly options: AthenaOptions,
    private readonly client: AthenaClient,
    private readonly sdk: AthenaSdk,
  ) {
    this.backoff = { ...DEFAULT_POLL_BACKOFF, ...options.pollBackoff };
    const fromEnvironment = process.env.AWS_ENDPOINT_URL_ATHENA ?? process.env.AWS_ENDPOINT_URL;
    this.context = { endpoint: options.endpoint ?? fromEnvironment ?? `athena.${options.region ?? process.env.AWS_REGION ?? '(default region)'}.amazonaws.com` };
  }

  /** Creates the driver with the real client (loaded lazily: only deployments using Athena pay for it). */
  static async create(options: AthenaOptions): Promise<AthenaDriver> {
    const sdk = await import('@aws-sdk/client-athena');
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const client = new sdk.AthenaClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts,
      requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    });
    return new AthenaDriver(options, client, sdk);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const rows: Row[] = [];
    let columns: readonly ColumnInfo[] = [];
    for await (const page of this.pages(sql, params, options.signal)) {
      columns = page.columns;
      for (const row of page.rows) rows.push(row);
    }
    return toColumnar(columns, rows.length, (i, j) => rows[i]![j] ?? null);
  }

  /** One chunk per GetQueryResults page (≤ 1000 rows), so a large result never sits in memory whole. */
  async *stream(sql: string, params: readonly unknown[], options: QueryOptions = {}): AsyncIterable<QueryResult> {
    for await (const { columns, rows } of this.pages(sql, params, options.signal)) {
      yield toColumnar(columns, rows.length, (i, j) => rows[i]![j] ?? null);
    }
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Starts the query, waits for it, then reads its pages; an aborted signal stops it (StopQueryExecution). */
  private async *pages(sql: string, params: readonly unknown[], signal: AbortSignal | undefined): AsyncGenerator<Page> {
    if (signal?.aborted) throw abortError(signal, undefined);
    const started = await this.call(this.client.send(new this.sdk.StartQueryExecutionCommand({
      QueryString: sql,
      ...(params.length > 0 ? { ExecutionParameters: params.map(athenaParameter) } : {}),
      WorkGroup: this.options.workGroup,
      ...(this.options.catalog || this.options.database ? { QueryExecutionContext: { Catalog: this.options.catalog, Database: this.options.database } } : {}),
      ...(this.options.outputLocation ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } } : {}),
    }), { abortSignal: signal }), sql, signal);
    const id = started.QueryExecutionId;
    if (!id) throw new UserError('SOURCE_ERROR', `Athena data source at ${this.context.endpoint} started the query without a QueryExecutionId\nSQL: ${sql}`);
    let execution: QueryExecution;
    try {
      execution = await this.waitUntilSucceeded(id, sql, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      await this.stop(id);
      throw abortError(signal, id);
    }
    // Only a SELECT's results start with a header row; SHOW / DESCRIBE (UTILITY) and DDL ones do not.
    let skipHeader = execution.StatementType !== 'UTILITY' && execution.StatementType !== 'DDL';
    let columns: ColumnInfo[] = [];
    let token: string | undefined;
    do {
      const command = new this.sdk.GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: ATHENA_PAGE_SIZE });
      const page = await this.call(this.client.send(command, { abortSignal: signal }), sql, signal);
      if (token === undefined) columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? '', type: columnTypeOf(c.Type ?? '') }));
      // A Datum without VarCharValue is NULL.
      const rows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue));
      yield { columns, rows: skipHeader ? rows.slice(1) : rows };
      skipHeader = false;
      token = page.NextToken;
    } while (token);
  }

  private async waitUntilSucceeded(id: string, sql: string, signal: AbortSignal | undefined): Promise<QueryExecution> {
    for (let poll = 0; ; poll++) {
      const execution: QueryExecution = (await this.call(this.client.send(new this.sdk.GetQueryExecutionCommand({ QueryExecutionId: id }), { abortSignal: signal }), sql, signal)).QueryExecution ?? {};
      const status = execution.Status;
      switch (status?.State) {
        case 'SUCCEEDED': return execution;
        case 'FAILED': throw athenaQueryFailure(id, status.StateChangeReason, status.AthenaError, sql);
        case 'CANCELLED':
          throw new UserError('QUERY_CANCELLED', `Athena data source cancelled query ${id} (stopped outside this server)${status.StateChangeReason ? `: ${status.StateChangeReason}` : ''}`);
        default: await sleep(athenaPollDelay(poll, this.backoff), signal);
      }
    }
  }

  /** Awaits one API call (the SDK has retried throttled and transient failures); what remains is mapped. */
  private async call<T>(request: Promise<T>, sql: string, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await request;
    } catch (error) {
      // Aborted mid-call: `pages` stops the execution once it has an id.
      if (signal?.aborted) throw abortError(signal, undefined);
      throw athenaRequestError(error, { ...this.context, sql });
    }
  }

  private async stop(id: string): Promise<void> {
    // Best effort: the caller has already given up on the query, its error wins.
    await this.client.send(new this.sdk.StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
  }
}

/** The n-th poll's delay (n from 0) under `backoff`. */
export function athenaPollDelay(n: number, backoff: PollBackoff = DEFAULT_POLL_BACKOFF): number {
  return Math.min(backoff.maxMillis, backoff.firstMillis * backoff.factor ** n);
}

/** Athena substitutes ExecutionParameters as SQL literals: strings must arrive quoted and escaped. */
export function athenaParameter(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** The error for a signal that fired: the queue's own reason, a timeout, or a cancellation. */
function abortError(signal: AbortSignal, id: string | undefined): UserError {
  const reason: unknown = signal.reason;
  if (reason instanceof UserError) return reason;
  const which = id ? `query ${id}` : 'query';
  if ((reason as { name?: string } | undefined)?.name === 'TimeoutError') {
    return new UserError('QUERY_TIMEOUT', `Athena data source: ${which} timed out${id ? ' and was stopped (StopQueryExecution)' : ''}`);
  }
  return new UserError('QUERY_CANCELLED', `Athena data source: ${which} cancelled${id ? ' and stopped (StopQueryExecution)' : ''}`);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => { signal?.removeEventListener('abort', abort); resolve(); };
    const timer = setTimeout(done, ms);
    const abort = (): void => { clearTimeout(timer); reject(signal!.reason); };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
