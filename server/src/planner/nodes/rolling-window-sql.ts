/**
 * Rolling-window (and running-total) measures: the base rows with their local time, joined to a
 * series of date buckets on the window condition, aggregated per bucket. Conditions follow Cube's
 * rollingWindowDateJoinCondition: trailing/leading from the bucket end (offset `end`) or start
 * (offset `start`), `unbounded` drops that side, `to_date` starts at the granularity's start.
 * https://cube.dev/docs/product/data-modeling/reference/measures#rolling_window
 */
import type { Measure } from '../../model/model-types.ts';
import { UserError } from '../../errors/user-error.ts';
import { expr, type ExpressionNode, type TimeUnit } from '../../sql/expression-node.ts';
import { selectQuery, type SelectQueryNode } from '../../sql/select-query-node.ts';
import type { KeyColumn, RollingWindowNode } from '../plan-types.ts';
import type { ScanSql } from '../scan-sql.ts';
import { truncate } from '../scan-sql.ts';
import { aggregate } from '../member-sql.ts';
import { addParts, parseInterval, type IntervalPart } from '../time-series.ts';
import { formatLocal, localToUtc, startOf } from '../../time/local-time.ts';

const SERIES = 'series';
const BASE = 'base';
const TIME = '__time';

export function rollingWindowSql(node: RollingWindowNode, scan: ScanSql): SelectQueryNode {
  const { plan, members } = scan;
  const seriesAlias = node.seriesMember.alias;
  const fromBase = plan.keys.filter((k) => !isSeriesMember(k, seriesAlias));
  const filters = [scan.where(seriesAlias), windowBounds(node, scan)].filter((e): e is ExpressionNode => e !== undefined);
  const baseQuery = selectQuery({
    columns: [
      ...fromBase.map((k) => ({ expr: scan.keyExpression(k), alias: k.sqlAlias })),
      { expr: scan.localTime(node.seriesMember.member), alias: TIME },
      ...node.measures.map((m) => ({ expr: members.measureInput(m.member) ?? expr.literal(1), alias: plan.measureAliases.get(m.alias)! })),
    ],
    ...scan.from(),
    where: filters.length === 0 ? undefined : expr.and(filters),
  });
  const keyColumns = plan.keys.map((k) => ({
    expr: isSeriesMember(k, seriesAlias) ? seriesKey(k, node) : expr.column(BASE, k.sqlAlias),
    alias: k.sqlAlias,
  }));
  return selectQuery({
    columns: [
      ...keyColumns,
      ...node.measures.map((m) => ({ expr: rollingAggregate(m.member, expr.column(BASE, plan.measureAliases.get(m.alias)!)), alias: plan.measureAliases.get(m.alias)! })),
    ],
    from: {
      kind: 'values',
      rows: node.buckets.map((bucket) => bucket.map((t) => expr.cast(expr.param(t), 'timestamp'))),
      columns: ['label', 'date_from', 'date_to'],
      alias: SERIES,
    },
    joins: [{ type: 'LEFT', item: { kind: 'subquery', query: baseQuery, alias: BASE }, on: windowCondition(node, expr.column(BASE, TIME)) }],
    groupBy: keyColumns.map((_, i) => expr.literal(i + 1)),
  });
}

function isSeriesMember(k: KeyColumn, seriesAlias: string): k is KeyColumn & { kind: 'time' } {
  return k.kind === 'time' && k.timeDimension.target.alias === seriesAlias;
}

/** The series drives its own key; other granularities of the same member truncate the bucket start. */
function seriesKey(k: KeyColumn & { kind: 'time' }, node: RollingWindowNode): ExpressionNode {
  const label = expr.column(SERIES, 'label');
  return k.sqlAlias === node.seriesKey?.sqlAlias ? label : truncate(label, k.granularity, k.timeDimension.target.member);
}

/** Re-aggregates per bucket; a bucket without facts shows null, as in Cube. */
function rollingAggregate(measure: Measure, column: ExpressionNode): ExpressionNode {
  const type = measure.type === 'running_total' ? 'sum' : measure.type;
  const agg = aggregate(type, column);
  return type === 'count' || type === 'count_distinct' || type === 'count_distinct_approx' ? expr.func('NULLIF', [agg, expr.literal(0)]) : agg;
}

function windowCondition(node: RollingWindowNode, time: ExpressionNode): ExpressionNode {
  const from = expr.column(SERIES, 'date_from');
  const to = expr.column(SERIES, 'date_to');
  const w = node.window;
  const where = `rolling_window of ${node.measures[0]!.alias}`;
  if (w.type === 'to_date' || w.type === 'year_to_date' || w.type === 'quarter_to_date' || w.type === 'month_to_date') {
    const unit = (w.type === 'to_date' ? w.granularity : w.type.replace('_to_date', '')) as TimeUnit | undefined;
    if (!unit) throw new UserError('MODEL_INVALID', `${where}: type to_date needs a granularity`);
    return expr.and([expr.binary(time, '>=', expr.timeTrunc(unit, from)), expr.binary(time, '<=', to)]);
  }
  const offset = w.offset ?? 'end';
  const conditions: ExpressionNode[] = [];
  const trailing = w.trailing === undefined ? [] : parseInterval(w.trailing, where);
  if (trailing !== 'unbounded') {
    const start = shift(offset === 'start' ? from : to, trailing, -1);
    conditions.push(expr.binary(time, offset === 'start' ? '>=' : '>', start));
  }
  const leading = w.leading === undefined ? [] : parseInterval(w.leading, where);
  if (leading !== 'unbounded') {
    const end = shift(offset === 'end' ? to : from, leading, 1);
    conditions.push(expr.binary(time, offset === 'end' ? '<=' : '<', end));
  }
  return conditions.length === 0 ? expr.binary(expr.literal(1), '=', expr.literal(1)) : expr.and(conditions);
}

/**
 * Rows outside every window never count: bound the base scan by the first bucket minus the
 * trailing interval and the last bucket plus the leading one (compared in UTC on the raw column,
 * so partitions and zone maps prune).
 */
function windowBounds(node: RollingWindowNode, scan: ScanSql): ExpressionNode | undefined {
  const w = node.window;
  const first = node.buckets[0];
  const last = node.buckets[node.buckets.length - 1];
  if (!first || !last) return undefined;
  const where = `rolling_window of ${node.measures[0]!.alias}`;
  const column = scan.members.dimension(node.seriesMember.member);
  const at = (local: Date) => expr.cast(expr.param(localToUtc(formatLocal(local), scan.plan.timezone)), 'timestamp');
  const parse = (t: string) => new Date(Date.parse(`${t}Z`));
  const bounds: ExpressionNode[] = [];
  const toDate = w.type !== undefined && w.type !== 'fixed';
  const trailing = toDate ? [] : w.trailing === undefined ? [] : parseInterval(w.trailing, where);
  const leading = toDate ? [] : w.leading === undefined ? [] : parseInterval(w.leading, where);
  if (toDate) bounds.push(expr.binary(column, '>=', at(startOf(parse(first[1]), 'year'))));
  else if (trailing !== 'unbounded') bounds.push(expr.binary(column, '>=', at(addParts(parse(first[1]), trailing, -1))));
  if (leading !== 'unbounded') bounds.push(expr.binary(column, '<=', at(addParts(parse(last[2]), leading, 1))));
  return bounds.length === 0 ? undefined : expr.and(bounds);
}

function shift(base: ExpressionNode, parts: readonly IntervalPart[], sign: 1 | -1): ExpressionNode {
  return parts.reduce((acc, p) => expr.intervalAdd(acc, sign * p.amount, p.unit), base);
}
