/**
 * What every measure node shares: the join tree as FROM + LEFT JOINs, the row-level WHERE, and
 * the SQL of key columns (dimensions; time dimensions truncated in the query time zone).
 */
import type { Dimension } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedTimeDimension } from '../query/query-types.ts';
import { GRANULARITIES } from '../model/model-types.ts';
import { expr, type ExpressionNode, type TimeUnit } from '../sql/expression-node.ts';
import type { FromItem, JoinNode } from '../sql/select-query-node.ts';
import type { KeyColumn, LogicalPlan } from './plan-types.ts';
import type { MemberSql } from './member-sql.ts';
import { filterSql } from './filter-sql.ts';
import { addParts, customBucket, type IntervalPart } from './time-series.ts';
import { formatLocal } from '../time/local-time.ts';
import { subQueryDimensionJoin } from './nodes/sub-query-dimension-sql.ts';

export class ScanSql {
  constructor(
    readonly plan: LogicalPlan,
    readonly members: MemberSql,
    /** Moves every time of the scan by this interval (time-shifted multi-stage measures). */
    readonly timeShift: readonly IntervalPart[] = [],
  ) {}

  /** The same scan with times moved by `shift`. */
  shifted(shift: readonly IntervalPart[]): ScanSql {
    return new ScanSql(this.plan, this.members, shift);
  }

  from(): { from: FromItem; joins: JoinNode[] } {
    const tree = this.plan.joinTree;
    const from: FromItem = { kind: 'table', sql: this.members.cubeFrom(tree.root), alias: this.members.cubeAlias(tree.root) };
    const joins: JoinNode[] = tree.joins.map((edge) => ({
      type: 'LEFT',
      item: { kind: 'table', sql: this.members.cubeFrom(edge.to), alias: this.members.cubeAlias(edge.to) },
      on: this.members.template(edge.join.sql, edge.from),
    }));
    return { from, joins: [...joins, ...this.subQueryJoins()] };
  }

  /** The per-key subqueries of the query's `sub_query` dimensions (of `cube` only, when given). */
  subQueryJoins(cube?: string): JoinNode[] {
    return this.plan.subQueryDimensions
      .filter((d) => cube === undefined || d.cube === cube)
      .map((d) => subQueryDimensionJoin(d, this.members, { rowFilters: this.plan.rowFilters, queryFilters: this.rowPredicates(), timezone: this.plan.timezone }));
  }

  /** The query's dimension filters and date ranges as filters (segments are SQL, not filters). */
  private rowPredicates(): NormalizedFilter[] {
    const ranges = this.plan.dateRanges.map((td): NormalizedFilter => ({ kind: 'member', target: td.target, operator: 'inDateRange', values: td.dateRange! }));
    return [...ranges, ...this.plan.where];
  }

  /** Row-level predicates; `skipDateRangeOf` leaves out a time dimension's range (rolling windows). */
  where(skipDateRangeOf?: string): ExpressionNode | undefined {
    const parts: ExpressionNode[] = [];
    for (const td of this.plan.dateRanges) {
      if (td.target.alias === skipDateRangeOf) continue;
      const range = td.dateRange!.map((v) => formatLocal(addParts(new Date(Date.parse(`${v}Z`)), this.timeShift, -1)));
      parts.push(this.filter({ kind: 'member', target: td.target, operator: 'inDateRange', values: range }));
    }
    for (const f of this.plan.where) parts.push(this.filter(f));
    for (const s of this.plan.segments) parts.push(this.members.template(s.member.sql, s.member.cube, [s.member.path]));
    return parts.length === 0 ? undefined : expr.and(parts);
  }

  /** A filter over row-level SQL (measures aggregate, for HAVING of a single grouped query). */
  filter(f: NormalizedFilter): ExpressionNode {
    return filterSql(
      f,
      (leaf) => (leaf.target.member.kind === 'dimension' ? this.members.dimension(leaf.target.member) : this.members.measureAggregate(leaf.target.member)),
      this.plan.timezone,
      (measure) => this.members.measureFilterCondition(measure),
    );
  }

  keyExpression(key: KeyColumn): ExpressionNode {
    if (key.kind === 'time') return this.timeExpression(key.timeDimension, key.granularity);
    const dimension = key.member.member;
    return dimension.type === 'time' ? this.localTime(dimension) : this.members.dimension(dimension);
  }

  localTime(dimension: Dimension): ExpressionNode {
    const column = this.members.dimension(dimension);
    // A same-type CAST is free; the time-zone conversion is not (≈ 1 ms of a rollup query).
    const local = dimension.storedAsLocalTime ? expr.cast(column, 'timestamp') : expr.toLocalTime(column, this.plan.timezone);
    return this.timeShift.reduce((acc, p) => expr.intervalAdd(acc, p.amount, p.unit), local);
  }

  timeExpression(td: NormalizedTimeDimension, granularity: string): ExpressionNode {
    return truncate(this.localTime(td.target.member), granularity, td.target.member);
  }
}

/** Truncates a local timestamp to a standard or custom granularity. */
export function truncate(local: ExpressionNode, granularity: string, dimension: Dimension): ExpressionNode {
  if ((GRANULARITIES as readonly string[]).includes(granularity)) return expr.timeTrunc(granularity as TimeUnit, local);
  const bucket = customBucket(dimension, granularity)!;
  return expr.customTrunc(local, bucket.origin, bucket);
}
