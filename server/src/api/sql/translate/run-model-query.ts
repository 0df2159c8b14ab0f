/**
 * Executes a model query plan: one `engine.load` per scan (security, caching and
 * pre-aggregations apply as in REST), then either maps the single result to the output columns
 * (fast path) or loads the scan results into an in-memory DuckDB and evaluates the outer SQL.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { LoadResult, RequestContext, SemanticEngine } from '../../../engine/engine-types.ts';
import { UserError } from '../../../errors/user-error.ts';
import { OID } from '../wire/pg-types.ts';
import { carriesRowKey, scanTableName, type ModelQueryPlan } from './plan-model-query.ts';
import { tableOf } from './analyze-levels.ts';
import { JOIN_FIELD } from '../catalog/model-tables.ts';
import type { ScanPlan } from './plan-scan.ts';

/** A columnar result with Postgres types. */
export interface TypedResult {
  readonly columns: readonly { readonly name: string; readonly oid: number }[];
  readonly data: readonly (readonly unknown[])[];
  readonly rowCount: number;
}

let instance: Promise<DuckDBInstance> | undefined;

/**
 * One in-memory DuckDB per process; each query gets its own connection and temp tables. NULLs sort
 * as in PostgreSQL (last ascending, first descending) when the SQL does not say: DuckDB's own
 * default puts them last both ways.
 */
function duckdb(): Promise<DuckDBInstance> {
  instance ??= DuckDBInstance.create(':memory:', { threads: '2', default_null_order: 'nulls_last_on_asc_first_on_desc' });
  return instance;
}

export async function runModelQuery(plan: ModelQueryPlan, engine: SemanticEngine, ctx: RequestContext): Promise<TypedResult> {
  const results = await Promise.all(plan.scans.map((s) => load(engine, s, ctx, !plan.fast)));
  if (plan.fast) {
    const result = results[0]!;
    const index = columnIndex(result);
    return {
      columns: plan.fast.outputs.map((o) => ({ name: o.name, oid: o.oid })),
      data: plan.fast.outputs.map((o) => (o.rowKey ? rowKeys(result.rowCount) : (result.data[lookup(index, o.resultKey)] ?? []))),
      rowCount: result.rowCount,
    };
  }
  const connection = await (await duckdb()).connect();
  try {
    for (let i = 0; i < plan.scans.length; i++) await loadScan(connection, plan.scans[i]!, results[i]!);
    return await evaluate(connection, plan.outerSql!, plan.names);
  } finally {
    connection.closeSync();
  }
}

async function load(engine: SemanticEngine, scan: ScanPlan, ctx: RequestContext, outer: boolean): Promise<LoadResult> {
  const response = await engine.load(scan.query, ctx);
  const result = response.results[0];
  if (!result) throw new Error('engine returned no result set');
  // An outer evaluation over a truncated scan would silently give wrong answers: refuse instead.
  if (outer && scan.query.limit !== undefined && result.rowCount >= scan.query.limit) {
    throw new UserError('LIMIT_EXCEEDED', `the query needs more than ${scan.query.limit} rows of ${scan.scan.tables.map((t) => t.table.name).join(' joined with ')} from the semantic layer`, {
      hint: 'add filters, group by fewer dimensions, or write the query in the shape Cube pushes down (dimensions, measures, WHERE, ORDER BY, LIMIT)',
    });
  }
  return result;
}

function columnIndex(result: LoadResult): Map<string, number> {
  const index = new Map<string, number>();
  result.columns.forEach((c, i) => index.set(c.name, i));
  return index;
}

function lookup(index: Map<string, number>, key: string): number {
  const i = index.get(key) ?? index.get(key.split('.').slice(0, 2).join('.'));
  if (i === undefined) throw new Error(`engine result has no column ${key}`);
  return i;
}

const DUCK_TYPES: Readonly<Record<number, string>> = {
  [OID.int8]: 'BIGINT',
  [OID.float8]: 'DOUBLE',
  [OID.timestamp]: 'TIMESTAMP',
  [OID.bool]: 'BOOLEAN',
  [OID.text]: 'VARCHAR',
};

/** The join field's values: each row's position in the scan's result. */
function rowKeys(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}

/**
 * Loads one scan's result as one temp table per model table of the scan (`scanTableName`); when
 * the scan joins several tables, each also gets the row key column `__cubeJoinField`.
 */
async function loadScan(connection: DuckDBConnection, scan: ScanPlan, result: LoadResult): Promise<void> {
  const stage = `${scanTableName(scan.scan.index, 0)}_raw`;
  const read = scan.columns.filter((c) => !c.rowKey);
  const cols = read.map((c, i) => `c${i} VARCHAR`);
  await connection.run(`CREATE TEMP TABLE ${stage} (${[...cols, '__row BIGINT'].join(', ')})`);
  const index = columnIndex(result);
  const data = read.map((c) => result.data[lookup(index, c.resultKey)]!);
  const appender = await connection.createAppender(stage, 'main', 'temp');
  for (let r = 0; r < result.rowCount; r++) {
    for (const column of data) {
      const v = column[r];
      if (v === null || v === undefined) appender.appendNull();
      else appender.appendVarchar(String(v));
    }
    appender.appendBigInt(BigInt(r));
    appender.endRow();
  }
  appender.closeSync();
  const keyed = carriesRowKey(scan);
  for (let k = 0; k < scan.scan.tables.length; k++) {
    const table = scan.scan.tables[k]!;
    const select: string[] = [];
    read.forEach((c, i) => {
      if (tableOf(scan.scan, c.column) !== table) return;
      select.push(`CAST(c${i} AS ${c.granularity ? 'TIMESTAMP' : (DUCK_TYPES[c.column.oid] ?? 'VARCHAR')}) AS "${c.column.name.replace(/"/g, '""')}"`);
    });
    if (keyed) select.push(`CAST(__row AS VARCHAR) AS "${JOIN_FIELD}"`);
    await connection.run(`CREATE TEMP TABLE ${scanTableName(scan.scan.index, k)} AS SELECT ${select.length ? select.join(', ') : 'NULL AS __none'} FROM ${stage} ORDER BY __row`);
  }
}

async function evaluate(connection: DuckDBConnection, sql: string, names: readonly (string | undefined)[] | undefined): Promise<TypedResult> {
  let reader;
  try {
    reader = await connection.runAndReadAll(sql);
  } catch (error) {
    throw new UserError('UNSUPPORTED', `cannot evaluate this query over the semantic layer's result: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  const types = reader.columnTypes();
  const columns = reader.columnNames().map((name, i) => ({ name: names?.[i] ?? name, oid: oidOfDuckType(types[i]!.toString()) }));
  const data = reader.getColumnsJson() as unknown[][];
  return { columns, data, rowCount: reader.currentRowCount };
}

function oidOfDuckType(type: string): number {
  if (type === 'BIGINT' || type === 'HUGEINT' || type === 'UBIGINT') return OID.int8;
  if (type === 'INTEGER' || type === 'UINTEGER' || type === 'USMALLINT') return OID.int4;
  if (type === 'SMALLINT' || type === 'TINYINT' || type === 'UTINYINT') return OID.int2;
  if (type === 'DOUBLE') return OID.float8;
  if (type === 'FLOAT') return OID.float4;
  if (type.startsWith('DECIMAL')) return OID.numeric;
  if (type === 'BOOLEAN') return OID.bool;
  if (type === 'DATE') return OID.date;
  if (type === 'TIMESTAMP' || type.startsWith('TIMESTAMP_')) return OID.timestamp;
  if (type === 'TIMESTAMP WITH TIME ZONE') return OID.timestamptz;
  return OID.text;
}
