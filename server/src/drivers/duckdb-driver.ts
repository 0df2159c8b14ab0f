/**
 * DuckDB through `@duckdb/node-api` (the maintained "node-neo" binding). Instances come from
 * `DuckDBInstance.fromCache` so every part of the process opening the same file shares one
 * database. Sessions run in UTC: the engine converts to the query time zone in SQL.
 * Values: DECIMAL and BIGINT as strings (as Cube's drivers return them), timestamps as local ISO
 * strings without zone, other numbers as numbers.
 */
import { DOUBLE, DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { ColumnInfo, ColumnType, Driver, QueryOptions, QueryResult } from './driver-types.ts';
import { UserError } from '../errors/user-error.ts';
import { timestampText } from './duckdb-timestamps.ts';
import { KeptPlans } from './duckdb-kept-plans.ts';

const POOL_SIZE = 4;

export class DuckDbDriver implements Driver {
  readonly name = 'duckdb';
  private readonly idle: DuckDBConnection[] = [];
  private readonly plans = new WeakMap<DuckDBConnection, KeptPlans>();
  /** Moves on in forgetPlans: plans of an older generation are dropped before their next use. */
  private plansGeneration = 0;

  private constructor(readonly instance: DuckDBInstance) {}

  /** Opens (or reuses from the cache) the database at `path` (':memory:' for a private one). */
  static async open(path = ':memory:'): Promise<DuckDbDriver> {
    const instance = path === ':memory:' ? await DuckDBInstance.create(path) : await DuckDBInstance.fromCache(path);
    return new DuckDbDriver(instance);
  }

  /** Wraps an instance the caller already holds (tests that load fixtures first). */
  static fromInstance(instance: DuckDBInstance): DuckDbDriver {
    return new DuckDbDriver(instance);
  }

  async query(sql: string, params: readonly unknown[], options: QueryOptions = {}): Promise<QueryResult> {
    const connection = await this.acquire();
    const abort = (): void => connection.interrupt();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      if (options.signal?.aborted) throw cancelledBeforeStart();
      const reader = await this.run(connection, sql, params, options.reusePlan === true);
      const types = reader.columnTypes();
      const columns: ColumnInfo[] = reader.columnNames().map((name, i) => ({ name, type: columnType(types[i]!.typeId) }));
      const raw = reader.getColumns();
      const data = columns.map((_, i) => convertColumn(raw[i] ?? [], types[i]!.typeId));
      return { columns, data, rowCount: reader.currentRowCount };
    } catch (error) {
      throw driverError(error, sql, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      this.release(connection);
    }
  }

  private async run(connection: DuckDBConnection, sql: string, params: readonly unknown[], reusePlan: boolean) {
    if (reusePlan) {
      const plans = this.plansOf(connection);
      const statement = await plans.statement(sql);
      try {
        statement.bind(params.map(toDuckDbValue), paramTypes(params));
        return await statement.runAndReadAll();
      } catch (error) {
        plans.forget(sql);
        throw error;
      }
    }
    // Without parameters the text is run as it is: node-api prepares a statement whenever it
    // is given a values array, even an empty one, which costs three more round trips to
    // DuckDB's threads (≈ 0.15 ms of a 1.2 ms dashboard query). Same statements, same result.
    return params.length === 0 ? connection.runAndReadAll(sql) : connection.runAndReadAll(sql, params.map(toDuckDbValue), paramTypes(params));
  }

  /** Forgets every kept plan: idle connections' now, busy ones' before their next use. */
  forgetPlans(): void {
    this.plansGeneration++;
    for (const connection of this.idle) this.plans.get(connection)?.clear();
  }

  private plansOf(connection: DuckDBConnection): KeptPlans {
    const kept = this.plans.get(connection);
    if (kept && kept.generation === this.plansGeneration) return kept;
    kept?.clear();
    const fresh = new KeptPlans(connection, this.plansGeneration);
    this.plans.set(connection, fresh);
    return fresh;
  }

  async *stream(sql: string, params: readonly unknown[], options: QueryOptions = {}): AsyncIterable<QueryResult> {
    const connection = await this.acquire();
    const abort = (): void => connection.interrupt();
    options.signal?.addEventListener('abort', abort, { once: true });
    let finished = false;
    try {
      if (options.signal?.aborted) throw cancelledBeforeStart();
      const result = await connection.stream(sql, params.map(toDuckDbValue), paramTypes(params));
      const types = result.columnTypes();
      const columns: ColumnInfo[] = result.columnNames().map((name, i) => ({ name, type: columnType(types[i]!.typeId) }));
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const raw = chunk.getColumns();
        yield { columns, data: columns.map((_, i) => convertColumn(raw[i] ?? [], types[i]!.typeId)), rowCount: chunk.rowCount };
      }
      finished = true;
    } catch (error) {
      throw driverError(error, sql, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      // A stream left early still holds a pending result: that connection is not reused.
      if (finished) this.release(connection);
      else connection.closeSync();
    }
  }

  async testConnection(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    for (const c of this.idle.splice(0)) c.closeSync();
  }

  private async acquire(): Promise<DuckDBConnection> {
    const pooled = this.idle.pop();
    if (pooled) return pooled;
    const connection = await this.instance.connect();
    await connection.run("SET SESSION TimeZone = 'UTC'");
    return connection;
  }

  private release(connection: DuckDBConnection): void {
    const kept = this.plans.get(connection);
    if (kept && kept.generation !== this.plansGeneration) kept.clear();
    if (this.idle.length < POOL_SIZE) this.idle.push(connection);
    else connection.closeSync();
  }
}

function cancelledBeforeStart(): UserError {
  return new UserError('QUERY_CANCELLED', 'Query cancelled before it started');
}

/** A DuckDB failure as the engine reports it: a cancel as such, anything else with the SQL attached. */
function driverError(error: unknown, sql: string, signal: AbortSignal | undefined): UserError {
  if (error instanceof UserError) return error;
  if (signal?.aborted) return new UserError('QUERY_CANCELLED', 'Query cancelled', { cause: error });
  return new UserError('SOURCE_ERROR', `DuckDB: ${(error as Error).message}\nSQL: ${sql}`, { cause: error });
}

/**
 * Explicit types where node-api's inference fails: it binds every integer-valued JS number as
 * INTEGER or BIGINT, so 2^63 or 1e300 (a filter value) failed with "bigint out of int64 range".
 * Beyond the safe integers a JS number is a double: bind it as one. Other parameters are inferred.
 */
function paramTypes(params: readonly unknown[]): DuckDBType[] | undefined {
  const isBigDouble = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);
  if (!params.some(isBigDouble)) return undefined;
  // node-api reads a types array by position; an undefined entry keeps the inferred type.
  return params.map((value) => (isBigDouble(value) ? DOUBLE : undefined)) as DuckDBType[];
}

function toDuckDbValue(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value;
  return JSON.stringify(value);
}

const INTEGER_TYPES = new Set<number>([DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER]);
const BIG_INTEGER_TYPES = new Set<number>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);
const TIMESTAMP_TYPES = new Set<number>([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS, DuckDBTypeId.TIMESTAMP_TZ]);

function columnType(typeId: number): ColumnType {
  if (INTEGER_TYPES.has(typeId) || BIG_INTEGER_TYPES.has(typeId)) return 'integer';
  if (typeId === DuckDBTypeId.DECIMAL) return 'decimal';
  if (typeId === DuckDBTypeId.FLOAT || typeId === DuckDBTypeId.DOUBLE) return 'number';
  if (typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  if (typeId === DuckDBTypeId.DATE) return 'date';
  if (TIMESTAMP_TYPES.has(typeId)) return 'time';
  if (typeId === DuckDBTypeId.VARCHAR) return 'string';
  return 'unknown';
}

function convertColumn(values: readonly DuckDBValue[], typeId: number): unknown[] {
  const out = new Array<unknown>(values.length);
  const type = columnType(typeId);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = null;
    else if (INTEGER_TYPES.has(typeId) || type === 'number' || type === 'boolean') out[i] = typeof v === 'bigint' ? Number(v) : v;
    else if (type === 'time') out[i] = timestampText(v, typeId);
    else if (type === 'date') out[i] = `${String(v)}T00:00:00.000`;
    else out[i] = typeof v === 'string' ? v : String(v);
  }
  return out;
}

