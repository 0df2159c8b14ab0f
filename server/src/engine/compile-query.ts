/**
 * The pure part of a request: normalized query → logical plan → SQL text per dialect. One
 * compiled query per date range of `compareDateRange` (Cube answers one result set per range).
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import type { Dialect, CompiledSql } from '../sql/dialect.ts';
import type { LogicalPlan } from '../planner/plan-types.ts';
import type { SecurityContext } from './engine-types.ts';
import { buildPlan } from '../planner/build-plan.ts';
import { renderPlan } from '../planner/render-plan.ts';
import { MemberSql } from '../planner/member-sql.ts';
import { pushdownFilters } from '../planner/filter-params-sql.ts';

/** One runnable query with what is needed to format its result. */
export interface CompiledQuery {
  readonly normalized: NormalizedQuery;
  readonly plan: LogicalPlan;
  readonly sql: CompiledSql;
  readonly totalSql?: CompiledSql;
}

/** Splits a `compareDateRange` query into one query per range (or returns the query alone). */
export function expandCompareDateRange(query: NormalizedQuery): { queries: NormalizedQuery[]; compare: boolean } {
  const index = query.timeDimensions.findIndex((td) => td.compareDateRange);
  if (index < 0) return { queries: [query], compare: false };
  const td = query.timeDimensions[index]!;
  const queries = td.compareDateRange!.map((range) => ({
    ...query,
    timeDimensions: query.timeDimensions.map((t, i) => (i === index ? { target: t.target, granularity: t.granularity, dateRange: range } : t)),
  }));
  return { queries, compare: true };
}

export function compileQuery(model: SemanticModel, query: NormalizedQuery, dialect: Dialect, securityContext: SecurityContext = {}): CompiledQuery {
  const plan = buildPlan(model, query);
  const rendered = renderPlan(plan, new MemberSql(model, securityContext, {}, pushdownFilters(plan)), query.total);
  return {
    normalized: query,
    plan,
    sql: dialect.compile(rendered.query),
    totalSql: rendered.totalQuery ? dialect.compile(rendered.totalQuery) : undefined,
  };
}
