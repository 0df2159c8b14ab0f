/**
 * Rows as returned by row-oriented clients (Databricks, Athena) → the columnar `QueryResult`.
 * Values follow the contract: decimals and 64-bit integers as strings, times as local ISO strings.
 */
import type { ColumnInfo, ColumnType, QueryResult } from './driver-types.ts';

/** Builds columns from `names`/`types` and a row accessor, converting each value for its type. */
export function toColumnar(columns: readonly ColumnInfo[], rowCount: number, valueAt: (row: number, column: number) => unknown): QueryResult {
  const data = columns.map((c, j) => {
    const out = new Array<unknown>(rowCount);
    for (let i = 0; i < rowCount; i++) out[i] = convertValue(valueAt(i, j), c.type);
    return out;
  });
  return { columns, data, rowCount };
}

/** Maps a SQL type name (Spark or Trino spelling) to a logical column type. */
export function columnTypeOf(sqlType: string): ColumnType {
  const t = sqlType.toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint|long|short|byte)/.test(t)) return 'integer';
  if (t.startsWith('decimal')) return 'decimal';
  if (/^(double|float|real)/.test(t)) return 'number';
  if (t.startsWith('boolean')) return 'boolean';
  if (t.startsWith('timestamp')) return 'time';
  if (t === 'date') return 'date';
  if (/^(string|varchar|char)/.test(t)) return 'string';
  return 'unknown';
}

function convertValue(v: unknown, type: ColumnType): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer': {
      const n = typeof v === 'bigint' ? Number(v) : Number(v);
      return Number.isSafeInteger(n) ? n : String(v);
    }
    case 'decimal': return String(v);
    case 'number': return Number(v);
    case 'boolean': return v === true || v === 'true';
    case 'time': return localIso(v instanceof Date ? v.toISOString() : String(v));
    case 'date': return `${String(v instanceof Date ? v.toISOString() : v).slice(0, 10)}T00:00:00.000`;
    default: return typeof v === 'object' ? JSON.stringify(v) : v;
  }
}

function localIso(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').slice(0, 3).padEnd(3, '0')}` : text;
}
