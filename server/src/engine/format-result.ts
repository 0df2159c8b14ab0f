/**
 * Driver columns → the columns of a Cube response. Values as Cube's Postgres driver returns them:
 * aggregated measures as strings (numeric/bigint), `count_distinct_approx` as numbers, integer
 * dimensions as numbers, decimals as strings, times as local ISO strings. A time dimension with a
 * granularity is shown under `member.granularity` and `member` (the last one requested wins).
 */
import type { ColumnInfo, ColumnType, QueryResult } from '../drivers/driver-types.ts';
import type { OutputColumn } from '../planner/plan-types.ts';

/** Columnar rows of one result, keyed by the names the client used. */
export interface FormattedColumns {
  readonly columns: readonly ColumnInfo[];
  readonly data: readonly (readonly unknown[])[];
  readonly rowCount: number;
}

/**
 * `namesOnly`: only the response's columns are wanted (a streamed result announces them before the
 * first row); their types then come from the members, not from the driver.
 */
export function formatResult(outputs: readonly OutputColumn[], result: QueryResult, namesOnly = false): FormattedColumns {
  const byName = new Map(result.columns.map((c, i) => [c.name, i]));
  const keyed = new Map<string, { type: ColumnType; values: readonly unknown[] }>();
  for (const output of outputs) {
    const index = byName.get(output.sqlAlias);
    if (index === undefined && !namesOnly) throw new Error(`internal: column ${output.sqlAlias} missing from the result`);
    const column = index === undefined ? { type: 'unknown' as ColumnType } : result.columns[index]!;
    const values = index === undefined ? [] : convert(output, column.type, result.data[index]!);
    const type = output.kind === 'timeDimension' ? 'time' : column.type;
    for (const key of output.keys) {
      keyed.delete(key); // re-insert so the last granularity of a member wins and keeps its position last
      keyed.set(key, { type, values });
    }
  }
  const columns: ColumnInfo[] = [];
  const data: (readonly unknown[])[] = [];
  for (const [name, { type, values }] of keyed) {
    columns.push({ name, type });
    data.push(values);
  }
  return { columns, data, rowCount: result.rowCount };
}

function convert(output: OutputColumn, type: ColumnType, values: readonly unknown[]): readonly unknown[] {
  const member = output.member;
  if (member.kind === 'measure') {
    if (member.type === 'count_distinct_approx') return values.map(toNumber);
    if (member.type === 'string' || member.type === 'time' || member.type === 'boolean') return values;
    return values.map(toNumericString);
  }
  if (member.type === 'number' && type === 'integer') return values.map(toNumber);
  if (member.type === 'boolean') return values.map(toBoolean);
  return values;
}

function toNumber(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isSafeInteger(n) || !Number.isInteger(n) ? n : String(v);
}

function toNumericString(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : String(v);
}

function toBoolean(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
  if (v === 'true' || v === 1 || v === '1') return true;
  if (v === 'false' || v === 0 || v === '0') return false;
  return v;
}
