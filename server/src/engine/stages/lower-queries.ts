/**
 * Stage 6, lower: each query's plan rendered to SQL for where it runs — the source's plan in the
 * source's dialect, or, for a rollup, the matcher's rewritten query planned and rendered for the
 * store's model and dialect (a different query over different tables: the source plan is not
 * planned again). Lowered SQL is kept in an LRU: the source's by request, a rollup's by the
 * table version leased (a rebuild lowers anew, repeated queries do not).
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { NormalizedQuery } from '../../query/query-types.ts';
import type { CompiledSql, Dialect } from '../../sql/dialect.ts';
import type { LogicalPlan } from '../../planner/plan-types.ts';
import { buildPlan } from '../../planner/build-plan.ts';
import { renderPlan } from '../../planner/render-plan.ts';
import { MemberSql } from '../../planner/member-sql.ts';
import { pushdownFilters } from '../../planner/filter-params-sql.ts';
import type { SecurityContext } from '../engine-types.ts';
import type { BoundedStore } from '../../reuse/bounded-store.ts';
import type { SourcedQuery } from './choose-source.ts';

/** The SQL of one query: the rows, and the `total` count when asked. */
export interface LoweredSql {
  readonly sql: CompiledSql;
  readonly totalSql?: CompiledSql;
}

/** A sourced query with the SQL that answers it (the rollup's when `match` is set). */
export interface LoweredQuery extends SourcedQuery, LoweredSql {}

/** What lowering reads: the source's dialect, the caller (its context feeds SQL parameters), the LRU. */
export interface LowerSetup {
  readonly model: SemanticModel;
  readonly dialect: Dialect;
  readonly securityContext: SecurityContext;
  readonly cache: BoundedStore<LoweredSql>;
  /** The request's key (rewrite stage), plus what else varies the SQL (a streamed request's). */
  readonly key: string;
}

export function lowerQueries(queries: readonly SourcedQuery[], setup: LowerSetup): LoweredQuery[] {
  return queries.map((q, i) => {
    const key = `${setup.key}\n${i}\n${q.match?.targetTableName ?? ''}`;
    let lowered = setup.cache.get(key);
    if (!lowered) {
      lowered = q.match
        ? lowerPlan(q.match.model, q.match.query, buildPlan(q.match.model, q.match.query), q.match.dialect, setup.securityContext)
        : lowerPlan(setup.model, q.query, q.plan, setup.dialect, setup.securityContext);
      setup.cache.set(key, lowered);
    }
    return { ...q, ...lowered };
  });
}

/** One plan → SQL text and parameters in `dialect` (planner/render-plan.ts, then the dialect). */
export function lowerPlan(model: SemanticModel, query: NormalizedQuery, plan: LogicalPlan, dialect: Dialect, securityContext: SecurityContext): LoweredSql {
  const rendered = renderPlan(plan, new MemberSql(model, securityContext, {}, pushdownFilters(plan)), query.total);
  return {
    sql: dialect.compile(rendered.query),
    totalSql: rendered.totalQuery ? dialect.compile(rendered.totalQuery) : undefined,
  };
}
