/**
 * Normalized filters → SQL predicates, with Cube's operator semantics (BaseFilter): `equals` with
 * several values is IN, `notEquals`/`notContains` keep NULL rows, `contains` is a case-insensitive
 * LIKE OR-ed over values. Values are always parameters; time values are compared in UTC, as the
 * source stores them.
 *
 * The text operators match the value literally: `%`, `_` and the escape character in a value are
 * escaped and the LIKE carries `ESCAPE '!'` (Cube's own SQL leaves them as wildcards, so `contains
 * '%'` would match every row). `!` because a backslash inside a Spark SQL string literal escapes
 * the closing quote; the clause is the same in DuckDB, Spark SQL and Trino.
 */
import type { Measure } from '../model/model-types.ts';
import type { NormalizedFilter } from '../query/query-types.ts';
import { expr, type ExpressionNode } from '../sql/expression-node.ts';
import { localToUtc } from '../time/local-time.ts';

type MemberFilter = Extract<NormalizedFilter, { kind: 'member' }>;

/** Renders the SQL of a filter's member (a dimension expression, an aggregate, or a column of a subquery). */
export type FilterTargetSql = (filter: MemberFilter) => ExpressionNode;

/** Renders a measureFilter: the rows its measure's own `filters:` keep (`MemberSql.measureFilterCondition`). */
export type MeasureFilterSql = (measure: Measure) => ExpressionNode;

const PERCENT = expr.raw(["'%'"]);
/** The escape character of every text-operator LIKE. */
export const LIKE_ESCAPE = '!';

/** `text` as a LIKE pattern matching exactly itself under `ESCAPE '!'`. */
export function escapeLikeText(text: string): string {
  return text.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c);
}

/** `measureFilter` is required where a measureFilter can reach (row-level WHERE), never in HAVING. */
export function filterSql(filter: NormalizedFilter, target: FilterTargetSql, timezone: string, measureFilter?: MeasureFilterSql): ExpressionNode {
  if (filter.kind === 'and') return expr.and(filter.filters.map((f) => filterSql(f, target, timezone, measureFilter)));
  if (filter.kind === 'or') return expr.or(filter.filters.map((f) => filterSql(f, target, timezone, measureFilter)));
  if (filter.kind === 'measureFilter') {
    if (!measureFilter) throw new Error(`measureFilter on ${filter.target.alias} reached SQL that has no row condition for it`); // the planner puts it in WHERE: a bug otherwise
    return measureFilter(filter.target.member);
  }
  const x = target(filter);
  const isTime = filter.target.member.kind === 'dimension' && filter.target.member.type === 'time';
  const value = (v: string | number | boolean): ExpressionNode =>
    isTime && typeof v === 'string' ? expr.cast(expr.param(localToUtc(v, timezone)), 'timestamp') : expr.param(v);
  const values = filter.values;
  const first = (): ExpressionNode => value(values[0]!);
  const like = (v: string | number | boolean, before: boolean, after: boolean, negated = false): ExpressionNode => {
    const text = expr.param(escapeLikeText(String(v)));
    return expr.like(x, [...(before ? [PERCENT] : []), text, ...(after ? [PERCENT] : [])], negated, LIKE_ESCAPE);
  };
  switch (filter.operator) {
    case 'equals':
      return values.length === 1 ? expr.binary(x, '=', first()) : expr.in(x, values.map(value));
    case 'notEquals':
      return expr.or([values.length === 1 ? expr.binary(x, '<>', first()) : expr.in(x, values.map(value), true), expr.isNull(x)]);
    case 'contains': return expr.or(values.map((v) => like(v, true, true)));
    case 'notContains': return expr.or([expr.and(values.map((v) => like(v, true, true, true))), expr.isNull(x)]);
    case 'startsWith': return expr.or(values.map((v) => like(v, false, true)));
    case 'notStartsWith': return expr.or([expr.and(values.map((v) => like(v, false, true, true))), expr.isNull(x)]);
    case 'endsWith': return expr.or(values.map((v) => like(v, true, false)));
    case 'notEndsWith': return expr.or([expr.and(values.map((v) => like(v, true, false, true))), expr.isNull(x)]);
    case 'gt': return expr.binary(x, '>', first());
    case 'gte': return expr.binary(x, '>=', first());
    case 'lt': return expr.binary(x, '<', first());
    case 'lte': return expr.binary(x, '<=', first());
    case 'set': return expr.isNull(x, true);
    case 'notSet': return expr.isNull(x);
    case 'inDateRange': return expr.and([expr.binary(x, '>=', value(values[0]!)), expr.binary(x, '<=', value(values[1]!))]);
    case 'notInDateRange': return expr.or([expr.binary(x, '<', value(values[0]!)), expr.binary(x, '>', value(values[1]!))]);
    case 'beforeDate': return expr.binary(x, '<', first());
    case 'beforeOrOnDate': return expr.binary(x, '<=', first());
    case 'afterDate': return expr.binary(x, '>', first());
    case 'afterOrOnDate': return expr.binary(x, '>=', first());
  }
}

/** True when any leaf of the filter compares a measure's value (it then belongs in HAVING); a measureFilter is a row condition. */
export function hasMeasure(filter: NormalizedFilter): boolean {
  if (filter.kind === 'measureFilter') return false;
  if (filter.kind === 'member') return filter.target.member.kind === 'measure';
  return filter.filters.some(hasMeasure);
}
