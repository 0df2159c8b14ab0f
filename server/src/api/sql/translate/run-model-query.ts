/**
 * Executes a model query plan: one `engine.load` per scan (security, caching and
 * pre-aggregations apply as in REST), then either maps the single result to the output columns
 * (fast path) or hands the scan results and the residual SQL to the sandbox (`../sandbox/`).
 */
import type { LoadResult, RequestContext, SemanticEngine } from '../../../engine/engine-types.ts';
import { UserError } from '../../../errors/user-error.ts';
import { OID } from '../wire/pg-types.ts';
import { carriesRowKey, scanTableName, type ModelQueryPlan } from './plan-model-query.ts';
import { tableOf } from './analyze-levels.ts';
import { JOIN_FIELD } from '../catalog/model-tables.ts';
import type { ScanPlan } from './plan-scan.ts';
import { divisionByZero } from './postgres-division.ts';
import { invalidTextRepresentation } from './postgres-text.ts';
import { typeMismatch } from './postgres-type-errors.ts';
import { sharedResidualSandbox } from '../sandbox/residual-sandbox.ts';
import type { ResidualSandbox, SandboxColumn, SandboxColumnType, SandboxTable } from '../sandbox/sandbox-types.ts';
import type { ColumnarChunks } from '../wire/streamed-rows.ts';
import { mapAsync } from '../../../util/map-async.ts';

/** A columnar result with Postgres types. */
export interface TypedResult {
  readonly columns: readonly { readonly name: string; readonly oid: number }[];
  readonly data: readonly (readonly unknown[])[];
  readonly rowCount: number;
}

/** A result read chunk by chunk (more rows than the scan limit): columns first, rows as they come. */
export interface StreamedTypedResult {
  readonly columns: readonly { readonly name: string; readonly oid: number }[];
  readonly chunks: ColumnarChunks;
}

export type ModelResult = TypedResult | StreamedTypedResult;

export function isStreamed(result: ModelResult): result is StreamedTypedResult {
  return 'chunks' in result;
}

/** `sandbox` defaults to the process's (`sharedResidualSandbox`); the engine and the sandbox both stop on `ctx.signal`. */
export async function runModelQuery(plan: ModelQueryPlan, engine: SemanticEngine, ctx: RequestContext, sandbox?: ResidualSandbox): Promise<ModelResult> {
  // An ungrouped read without LIMIT (Power BI's Import, a table copy) is the whole table: streamed
  // from the start rather than after a first, truncated answer.
  const fast = plan.fast;
  if (fast && fast.query.ungrouped && fast.requestedLimit === undefined && engine.stream) return streamAll(plan, engine, ctx, plan.scans[0]!.query.limit ?? 0);
  const results = await Promise.all(plan.scans.map((s) => load(engine, s, ctx, !plan.fast)));
  if (fast) {
    const result = results[0]!;
    const scanLimit = plan.scans[0]!.query.limit;
    const truncated = scanLimit !== undefined && result.rowCount >= scanLimit && (fast.requestedLimit === undefined || fast.requestedLimit > scanLimit);
    // More rows than one answer holds (an Import of a whole fact table): read them all as a stream.
    if (truncated) return streamAll(plan, engine, ctx, scanLimit);
    const index = columnIndex(result);
    return {
      columns: fast.outputs.map((o) => ({ name: o.name, oid: o.oid })),
      data: outputColumns(fast.outputs, result.data, index, result.rowCount, 0),
      rowCount: result.rowCount,
    };
  }
  const tables = plan.scans.flatMap((scan, i) => scanTables(scan, results[i]!));
  const result = await (sandbox ?? (await sharedResidualSandbox())).evaluate({ tables, sql: plan.outerSql!, signal: ctx.signal }).catch((error: unknown) => {
    throw typeMismatch(invalidTextRepresentation(divisionByZero(error)));
  });
  return {
    columns: result.columns.map((c, i) => ({ name: plan.names?.[i] ?? c.name, oid: oidOfDuckType(c.type) })),
    data: result.data,
    rowCount: result.rowCount,
  };
}

/** The fast path's whole answer from `engine.stream`, bounded only by the statement's own LIMIT. */
async function streamAll(plan: ModelQueryPlan, engine: SemanticEngine, ctx: RequestContext, scanLimit: number): Promise<StreamedTypedResult> {
  const fast = plan.fast!;
  if (!engine.stream) {
    throw new UserError('LIMIT_EXCEEDED', `the result has more than ${scanLimit} rows, the most one answer holds (CUBEJS_DB_QUERY_LIMIT), and this engine cannot stream`, {
      hint: 'add filters or a LIMIT, or raise CUBEJS_DB_QUERY_LIMIT',
    });
  }
  const { limit: _scanLimit, ...query } = fast.query;
  const streamed = await engine.stream(fast.requestedLimit === undefined ? query : { ...query, limit: fast.requestedLimit }, ctx);
  const index = new Map<string, number>();
  streamed.columns.forEach((c, i) => index.set(c.name, i));
  let offset = 0;
  const chunks = mapAsync(streamed.chunks, (chunk) => {
    const data = outputColumns(fast.outputs, chunk.data, index, chunk.rowCount, offset);
    offset += chunk.rowCount;
    return { data, rowCount: chunk.rowCount };
  });
  return { columns: fast.outputs.map((o) => ({ name: o.name, oid: o.oid })), chunks };
}

/** The fast path's output columns from the engine's columns; `offset` numbers the row keys of a chunk. */
function outputColumns(outputs: NonNullable<ModelQueryPlan['fast']>['outputs'], data: readonly (readonly unknown[])[], index: Map<string, number>, rowCount: number, offset: number): (readonly unknown[])[] {
  return outputs.map((o) => (o.rowKey ? rowKeys(rowCount, offset) : o.nullValue ? [] : (data[lookup(index, o.resultKey)] ?? [])));
}

async function load(engine: SemanticEngine, scan: ScanPlan, ctx: RequestContext, outer: boolean): Promise<LoadResult> {
  const response = await engine.load(scan.query, ctx);
  const result = response.results[0];
  if (!result) throw new Error('engine returned no result set');
  // An outer evaluation over a truncated scan would silently give wrong answers: refuse instead.
  const enough = scan.rowsNeeded !== undefined && result.rowCount >= scan.rowsNeeded;
  if (outer && scan.query.limit !== undefined && result.rowCount >= scan.query.limit && !enough) {
    throw new UserError('LIMIT_EXCEEDED', `the query needs more than ${scan.query.limit} rows of ${scan.scan.tables.map((t) => t.table.name).join(' joined with ')} from the semantic layer before its post-processing (CUBEJS_DB_QUERY_LIMIT)`, {
      hint: 'add filters, group by fewer dimensions, or write the query in the shape Cube pushes down (dimensions, measures, WHERE, ORDER BY, LIMIT)',
    });
  }
  return result;
}

function columnIndex(result: Pick<LoadResult, 'columns'>): Map<string, number> {
  const index = new Map<string, number>();
  result.columns.forEach((c, i) => index.set(c.name, i));
  return index;
}

function lookup(index: Map<string, number>, key: string): number {
  const i = index.get(key) ?? index.get(key.split('.').slice(0, 2).join('.'));
  if (i === undefined) throw new Error(`engine result has no column ${key}`);
  return i;
}

const DUCK_TYPES: Readonly<Record<number, SandboxColumnType>> = {
  [OID.int8]: 'BIGINT',
  [OID.float8]: 'DOUBLE',
  [OID.timestamp]: 'TIMESTAMP',
  [OID.bool]: 'BOOLEAN',
  [OID.text]: 'VARCHAR',
};

/** The join field's values: each row's position in the scan's result. */
function rowKeys(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => String(offset + i));
}

/**
 * One scan's result as one sandbox table per model table of the scan (`scanTableName`); when the
 * scan joins several tables, each also gets the row key column `__cubeJoinField`.
 */
function scanTables(scan: ScanPlan, result: LoadResult): SandboxTable[] {
  const index = columnIndex(result);
  const read = scan.columns.filter((c) => !c.rowKey);
  const keys = carriesRowKey(scan) ? rowKeys(result.rowCount) : undefined;
  return scan.scan.tables.map((table, k) => {
    const columns: SandboxColumn[] = read
      .filter((c) => tableOf(scan.scan, c.column) === table)
      .map((c) => ({ name: c.column.name, type: c.granularity ? 'TIMESTAMP' : (DUCK_TYPES[c.column.oid] ?? 'VARCHAR'), values: c.nullValue ? [] : result.data[lookup(index, c.resultKey)]! }));
    if (keys) columns.push({ name: JOIN_FIELD, type: 'VARCHAR', values: keys });
    return { name: scanTableName(scan.scan.index, k), columns, rowCount: result.rowCount };
  });
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
