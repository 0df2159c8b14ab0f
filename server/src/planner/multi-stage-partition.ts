/**
 * The PARTITION BY of a multi-stage measure in a grouped SELECT: which of the query's key columns
 * the measure keeps. `reduce_by` drops the listed dimensions, `group_by` keeps only them (a time
 * dimension listed with a granularity coarser than the query's is truncated to it), neither keeps
 * every key. https://cube.dev/docs/product/data-modeling/reference/measures#group_by
 */
import type { Measure } from '../model/model-types.ts';
import { GRANULARITIES } from '../model/model-types.ts';
import { UserError } from '../errors/user-error.ts';
import { expr, type ExpressionNode, type TimeUnit } from '../sql/expression-node.ts';
import type { KeyColumn } from './plan-types.ts';

/** A key column of the SELECT and the expression it is grouped by. */
export interface GroupedKey {
  readonly key: KeyColumn;
  readonly expr: ExpressionNode;
}

export function windowPartition(keys: readonly GroupedKey[]): (measure: Measure) => readonly ExpressionNode[] {
  return (measure) => {
    if (measure.addGroupBy?.length) {
      throw new UserError('UNSUPPORTED', `Multi-stage measure ${measure.path} uses add_group_by, which is not supported yet`);
    }
    if (measure.groupBy) return keys.flatMap((k) => kept(k, measure.groupBy!));
    if (measure.reduceBy) return keys.filter((k) => kept(k, measure.reduceBy!).length === 0).map((k) => k.expr);
    return keys.map((k) => k.expr);
  };
}

/** The expression(s) of `k` that a list of members (`Cube.dim` or `Cube.time.granularity`) names. */
function kept(k: GroupedKey, listed: readonly string[]): ExpressionNode[] {
  if (k.key.kind === 'dimension') return listed.includes(k.key.member.member.path) ? [k.expr] : [];
  const path = k.key.timeDimension.target.member.path;
  if (listed.includes(path) || listed.includes(`${path}.${k.key.granularity}`)) return [k.expr];
  const coarser = listed
    .filter((m) => m.startsWith(`${path}.`))
    .map((m) => m.slice(path.length + 1))
    .filter((g) => isCoarser(g, k.key.kind === 'time' ? k.key.granularity : ''));
  return coarser.map((g) => expr.timeTrunc(g as TimeUnit, k.expr));
}

const NESTED: Readonly<Record<string, readonly string[]>> = {
  second: ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'],
  minute: ['hour', 'day', 'week', 'month', 'quarter', 'year'],
  hour: ['day', 'week', 'month', 'quarter', 'year'],
  day: ['week', 'month', 'quarter', 'year'],
  week: [],
  month: ['quarter', 'year'],
  quarter: ['year'],
  year: [],
};

/** True when every `fine` bucket lies inside one `coarse` bucket (weeks straddle months). */
function isCoarser(coarse: string, fine: string): boolean {
  return (GRANULARITIES as readonly string[]).includes(coarse) && (NESTED[fine] ?? []).includes(coarse);
}
