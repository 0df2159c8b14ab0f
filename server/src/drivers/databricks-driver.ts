/**
 * Databricks SQL warehouses through `@databricks/sql` (pure JS, Thrift over HTTP): no JVM and no
 * JDBC jar, unlike Cube's databricks-jdbc-driver. Parameters are bound with `ordinalParameters`
 * (the `?` markers our Databricks dialect writes). Connection settings use Cube's variable names:
 * CUBEJS_DB_DATABRICKS_URL / _TOKEN / _CATALOG.
 */
import type { ColumnInfo, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { columnTypeOf, toColumnar } from './columnar-rows.ts';

/** The slice of `DBSQLClient` we use; tests pass a double (the warehouse is unreachable here). */
export interface DatabricksClientLike {
  connect(options: { host: string; path: string; token: string }): Promise<unknown>;
  openSession(options?: { initialCatalog?: string; initialSchema?: string }): Promise<DatabricksSessionLike>;
  close(): Promise<unknown>;
}

export interface DatabricksSessionLike {
  executeStatement(sql: string, options: { ordinalParameters?: unknown[]; runAsync?: boolean }): Promise<DatabricksOperationLike>;
  close(): Promise<unknown>;
}

export interface DatabricksOperationLike {
  fetchAll(): Promise<object[]>;
  getSchema(): Promise<{ columns: { columnName: string; typeDesc?: { types?: { primitiveEntry?: { type?: number } }[] } }[] } | null>;
  cancel(): Promise<unknown>;
  close(): Promise<unknown>;
}

/** Connection settings (from `CUBEJS_DB_DATABRICKS_*`). */
export interface DatabricksOptions {
  /** JDBC-style URL or `https://host/sql/1.0/warehouses/<id>`: host and HTTP path are taken from it. */
  readonly url: string;
  readonly token: string;
  readonly catalog?: string;
  readonly schema?: string;
}

// Thrift TTypeId values of the column types we distinguish (hive_service TCLIService.thrift).
const THRIFT_TYPES: Readonly<Record<number, string>> = { 0: 'boolean', 1: 'tinyint', 2: 'smallint', 3: 'int', 4: 'bigint', 5: 'float', 6: 'double', 7: 'string', 8: 'timestamp', 15: 'decimal', 17: 'date' };

export class DatabricksDriver implements Driver {
  readonly name = 'databricks';
  private session: Promise<DatabricksSessionLike> | undefined;

  constructor(
    private readonly options: DatabricksOptions,
    private readonly client: DatabricksClientLike,
  ) {}

  /** Creates the driver with the real client (loaded lazily: only deployments using Databricks pay for it). */
  static async create(options: DatabricksOptions): Promise<DatabricksDriver> {
    const { DBSQLClient } = await import('@databricks/sql');
    return new DatabricksDriver(options, new DBSQLClient() as unknown as DatabricksClientLike);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const session = await this.openSession();
    const operation = await session.executeStatement(sql, { ordinalParameters: [...params], runAsync: true });
    const cancel = (): void => void operation.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const [rows, schema] = await Promise.all([operation.fetchAll(), operation.getSchema()]);
      const columns: ColumnInfo[] = (schema?.columns ?? []).map((c) => ({ name: c.columnName, type: columnTypeOf(THRIFT_TYPES[c.typeDesc?.types?.[0]?.primitiveEntry?.type ?? -1] ?? 'unknown') }));
      return toColumnar(columns, rows.length, (i, j) => (rows[i] as Record<string, unknown>)[columns[j]!.name]);
    } catch (error) {
      if (options.signal?.aborted) throw new UserError('QUERY_CANCELLED', 'Query cancelled', { cause: error });
      throw new UserError('SOURCE_ERROR', `Databricks: ${(error as Error).message}\nSQL: ${sql}`, { cause: error });
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      await operation.close();
    }
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    await session?.close();
    await this.client.close();
  }

  private openSession(): Promise<DatabricksSessionLike> {
    this.session ??= (async () => {
      const { host, path } = parseDatabricksUrl(this.options.url);
      await this.client.connect({ host, path, token: this.options.token });
      return this.client.openSession({ initialCatalog: this.options.catalog, initialSchema: this.options.schema });
    })();
    this.session.catch(() => (this.session = undefined));
    return this.session;
  }
}

/** Host and HTTP path from `jdbc:databricks://host:443/default;httpPath=/sql/1.0/warehouses/x;…` or `https://host/sql/1.0/warehouses/x`. */
export function parseDatabricksUrl(url: string): { host: string; path: string } {
  const jdbc = /^jdbc:(?:databricks|spark):\/\/([^:/;]+)(?::\d+)?[^;]*;(?:.*;)?httpPath=([^;]+)/i.exec(url);
  if (jdbc) return { host: jdbc[1]!, path: jdbc[2]! };
  const https = /^https?:\/\/([^/]+)(\/.+)$/.exec(url);
  if (https) return { host: https[1]!, path: https[2]! };
  throw new UserError('QUERY_INVALID', `CUBEJS_DB_DATABRICKS_URL "${url}" has no host and httpPath`);
}
