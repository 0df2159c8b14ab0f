/**
 * How the conformance suites compare two engines' answers: rows as maps keyed by result column;
 * text exactly (decimals and 64-bit integers arrive as text: '12.50' must not become '12.5'),
 * numbers with a 1e-9 relative tolerance (two engines may sum doubles in different orders), a
 * number against numeric text as numbers, anything else exactly; HyperLogLog estimates within
 * 20 % (two engines' sketches differ: the corpus README's "compare loosely"). Row order counts
 * unless the caller says the query leaves it open.
 */
import type { LoadResult } from '../../src/engine/engine-types.ts';
import type { QueryResult } from '../../src/drivers/driver-types.ts';

export type Row = Record<string, unknown>;

/** Rows of a columnar result (a `/load` result or a driver's). */
export function rowsOf(result: Pick<LoadResult, 'columns' | 'data' | 'rowCount'> | QueryResult): Row[] {
  return Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v)) return Number(v);
  return undefined;
}

function sameValue(a: unknown, b: unknown, approximate: boolean): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  // Text against text exactly, decimals included: their scale is what the API shows ('12.50').
  if (typeof a === 'string' && typeof b === 'string' && !approximate) return a === b;
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) {
    const tolerance = approximate ? 0.2 * Math.max(1, Math.abs(y)) : 1e-9 * Math.max(1, Math.abs(y));
    return Math.abs(x - y) <= tolerance;
  }
  return a === b;
}

/** A stable key for sorting rows whose order the query leaves open. */
function sortKey(row: Row): string {
  return JSON.stringify(Object.keys(row).sort().map((k) => {
    const n = asNumber(row[k]);
    return n === undefined ? row[k] ?? null : Number(n.toPrecision(12));
  }));
}

/** Why `actual` differs from `expected`, or undefined when every value agrees. */
export function diffRows(actual: readonly Row[], expected: readonly Row[], options: { ordered: boolean; approx?: readonly string[] }): string | undefined {
  if (actual.length !== expected.length) return `expected ${expected.length} rows, got ${actual.length}`;
  const [a, e] = options.ordered ? [actual, expected] : [[...actual].sort((r, s) => sortKey(r).localeCompare(sortKey(s))), [...expected].sort((r, s) => sortKey(r).localeCompare(sortKey(s)))];
  for (let i = 0; i < e.length; i++) {
    const keys = new Set([...Object.keys(a[i]!), ...Object.keys(e[i]!)]);
    for (const key of keys) {
      if (!(key in a[i]!)) return `row ${i}: column ${key} missing`;
      if (!(key in e[i]!)) return `row ${i}: unexpected column ${key}`;
      if (!sameValue(a[i]![key], e[i]![key], options.approx?.includes(key) ?? false)) {
        return `row ${i}, ${key}: expected ${JSON.stringify(e[i]![key])}, got ${JSON.stringify(a[i]![key])}`;
      }
    }
  }
  return undefined;
}
