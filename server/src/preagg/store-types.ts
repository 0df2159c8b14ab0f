/** Mapping of engine column types to the store's DuckDB column types. */
import type { ColumnType } from '../drivers/driver-types.ts';

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * DuckDB type for a column. Decimals keep the largest scale seen in the data so that sums read
 * back from the store are exactly the sums computed at the source.
 */
export function sqlTypeFor(type: ColumnType, values: readonly unknown[]): string {
  switch (type) {
    case 'string':
      return 'VARCHAR';
    case 'integer':
      return 'HUGEINT';
    case 'number':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(38, ${maxScale(values)})`;
    case 'boolean':
      return 'BOOLEAN';
    case 'time':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
    default:
      return 'VARCHAR';
  }
}

function maxScale(values: readonly unknown[]): number {
  let scale = 0;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const text = String(value);
    const dot = text.indexOf('.');
    if (dot >= 0) scale = Math.max(scale, text.length - dot - 1 - (/[eE]/.test(text) ? text.length : 0));
  }
  return Math.min(Math.max(scale, 0), 18);
}
