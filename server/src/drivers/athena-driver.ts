/**
 * Athena (engine v3, Trino SQL) through `@aws-sdk/client-athena`: StartQueryExecution with
 * `ExecutionParameters` for our `?` markers, poll GetQueryExecution, page GetQueryResults.
 * Settings use Cube's variable names (CUBEJS_AWS_REGION, CUBEJS_AWS_S3_OUTPUT_LOCATION,
 * CUBEJS_AWS_ATHENA_WORKGROUP, CUBEJS_AWS_ATHENA_CATALOG, CUBEJS_DB_SCHEMA). See README.md for why
 * this instead of Cube's athena-driver.
 */
import type { ColumnInfo, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { columnTypeOf, toColumnar } from './columnar-rows.ts';

/** The one method of `AthenaClient` we use; tests pass a double (AWS is unreachable here). */
export interface AthenaClientLike {
  send(command: { readonly input: unknown; readonly constructor: { readonly name: string } }): Promise<unknown>;
}

/** The command classes of `@aws-sdk/client-athena`, injected with the client. */
export interface AthenaCommands {
  StartQueryExecutionCommand: new (input: object) => { input: unknown; constructor: { name: string } };
  GetQueryExecutionCommand: new (input: object) => { input: unknown; constructor: { name: string } };
  GetQueryResultsCommand: new (input: object) => { input: unknown; constructor: { name: string } };
  StopQueryExecutionCommand: new (input: object) => { input: unknown; constructor: { name: string } };
}

export interface AthenaOptions {
  readonly region?: string;
  readonly outputLocation?: string;
  readonly workGroup?: string;
  readonly catalog?: string;
  readonly database?: string;
  /** Poll interval while the query runs (ms). */
  readonly pollMillis?: number;
}

interface Datum { VarCharValue?: string }
interface ResultsPage {
  ResultSet?: { Rows?: { Data?: Datum[] }[]; ResultSetMetadata?: { ColumnInfo?: { Name?: string; Type?: string }[] } };
  NextToken?: string;
}

export class AthenaDriver implements Driver {
  readonly name = 'athena';

  constructor(
    private readonly options: AthenaOptions,
    private readonly client: AthenaClientLike,
    private readonly commands: AthenaCommands,
  ) {}

  static async create(options: AthenaOptions): Promise<AthenaDriver> {
    const athena = await import('@aws-sdk/client-athena');
    return new AthenaDriver(options, new athena.AthenaClient({ region: options.region }) as unknown as AthenaClientLike, athena as unknown as AthenaCommands);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const { StartQueryExecutionCommand, GetQueryExecutionCommand, GetQueryResultsCommand, StopQueryExecutionCommand } = this.commands;
    const started = (await this.client.send(new StartQueryExecutionCommand({
      QueryString: sql,
      ...(params.length > 0 ? { ExecutionParameters: params.map(athenaParameter) } : {}),
      WorkGroup: this.options.workGroup,
      QueryExecutionContext: { Catalog: this.options.catalog, Database: this.options.database },
      ...(this.options.outputLocation ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } } : {}),
    }))) as { QueryExecutionId?: string };
    const id = started.QueryExecutionId!;
    const stop = (): void => void this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        const state = ((await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))) as { QueryExecution?: { Status?: { State?: string; StateChangeReason?: string } } }).QueryExecution?.Status;
        if (state?.State === 'SUCCEEDED') break;
        if (state?.State === 'FAILED' || state?.State === 'CANCELLED') {
          if (options.signal?.aborted) throw new UserError('QUERY_CANCELLED', 'Query cancelled');
          throw new UserError('SOURCE_ERROR', `Athena: ${state.StateChangeReason ?? state.State}\nSQL: ${sql}`);
        }
        await new Promise((r) => setTimeout(r, this.options.pollMillis ?? 250));
      }
      return await this.readResults(id);
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {}

  private async readResults(id: string): Promise<QueryResult> {
    const rows: (string | undefined)[][] = [];
    let columns: ColumnInfo[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page = (await this.client.send(new this.commands.GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }))) as ResultsPage;
      if (first) columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? '', type: columnTypeOf(c.Type ?? '') }));
      const pageRows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue));
      // The first row of the first page repeats the column names.
      rows.push(...(first ? pageRows.slice(1) : pageRows));
      first = false;
      token = page.NextToken;
    } while (token);
    return toColumnar(columns, rows.length, (i, j) => rows[i]![j] ?? null);
  }
}

/** Athena substitutes ExecutionParameters as SQL literals: strings must arrive quoted and escaped. */
export function athenaParameter(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${String(value).replace(/'/g, "''")}'`;
}
