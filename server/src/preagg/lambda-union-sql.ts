/**
 * The rows a lambda query aggregates, as one DuckDB SELECT run in the store: the leased batch
 * tables minus the buckets the tail replaces, UNION ALL the tail rows fetched from the source
 * (inlined as typed literals: the tail is a few buckets of pre-grouped rows, and inlining keeps
 * the store free of per-query tables). The outer query re-aggregates both halves alike.
 */
import type { ColumnInfo, QueryResult } from '../drivers/driver-types.ts';
import { quoteIdentifier, sqlTypeFor } from './store-types.ts';

export interface LambdaUnionInput {
  readonly tables: readonly string[];
  /** Stored columns, in table order. */
  readonly columns: readonly ColumnInfo[];
  /** Store column of the batch's time bucket. */
  readonly bucketColumn: string;
  /** Stored buckets up to this one may be replaced by tail rows ('' = none stored). */
  readonly watermark: string;
  /** Tail rows grouped like the batch, columns named like the stored ones. */
  readonly tail: QueryResult;
}

export function lambdaUnionSql(input: LambdaUnionInput): string {
  const names = input.columns.map((c) => c.name);
  const list = names.map(quoteIdentifier).join(', ');
  const tailIndex = names.map((name) => {
    const i = input.tail.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`lambda tail lacks the stored column ${name}`); // same build query: a bug otherwise
    return i;
  });
  const bucketIndex = tailIndex[names.indexOf(input.bucketColumn)]!;
  const bucketType = input.columns.find((c) => c.name === input.bucketColumn)!.type;

  // Buckets the tail holds at or before the watermark were rewritten after the build: the stored
  // rows of those buckets are stale and must not be added to the fresh ones.
  const replaced = new Set<string>();
  for (const value of input.tail.data[bucketIndex] ?? []) {
    if (typeof value === 'string' && input.watermark && value <= input.watermark) replaced.add(value);
  }
  const exclusion = replaced.size
    ? ` WHERE ${quoteIdentifier(input.bucketColumn)} NOT IN (${[...replaced].map((v) => literal(v, sqlTypeFor(bucketType, [v]))).join(', ')})`
    : '';
  const parts = input.tables.map((table) => `SELECT ${list} FROM ${table}${exclusion}`);

  if (input.tail.rowCount > 0) {
    const types = input.columns.map((c, k) => sqlTypeFor(c.type, input.tail.data[tailIndex[k]!] ?? []));
    const rows: string[] = [];
    for (let r = 0; r < input.tail.rowCount; r++) {
      rows.push(`(${tailIndex.map((i, k) => literal(input.tail.data[i]![r], types[k]!)).join(', ')})`);
    }
    parts.push(`SELECT ${list} FROM (VALUES ${rows.join(', ')}) AS lambda_tail(${list})`);
  }
  return parts.join(' UNION ALL ');
}

/** A typed SQL literal; every value goes through a quoted string, so nothing is interpreted as SQL. */
function literal(value: unknown, sqlType: string): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${sqlType})`;
  const text = value instanceof Date ? value.toISOString().slice(0, 23) : String(value);
  return `CAST('${text.replace(/'/g, "''")}' AS ${sqlType})`;
}
