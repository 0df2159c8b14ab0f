/**
 * Stage 4, authorize: the model's access policies applied to each planned query, for every API
 * (security/secure-query.ts): members checked against the caller's groups, every cube the plan's
 * join tree touches checked, and the policies' row filters AND-ed to the query. The plan gains the
 * row filters (planner/add-row-filters.ts) without planning again unless they reach a cube the
 * join tree does not hold.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { NormalizedQuery } from '../../query/query-types.ts';
import type { LogicalPlan } from '../../planner/plan-types.ts';
import { buildPlan } from '../../planner/build-plan.ts';
import { addRowFilters } from '../../planner/add-row-filters.ts';
import type { Access } from '../../security/access-types.ts';
import { secureQuery } from '../../security/secure-query.ts';
import type { PlannedQuery } from './plan-queries.ts';

/** A query the caller may run, with the row filters its policies add, and its plan. */
export interface AuthorizedQuery {
  readonly query: NormalizedQuery;
  readonly plan: LogicalPlan;
}

export function authorizeQueries(model: SemanticModel, planned: readonly PlannedQuery[], access: Access, at: Date): AuthorizedQuery[] {
  return planned.map((p) => {
    const secured = secureQuery(model, p.query, access, at, p.plan?.joinTree);
    if (!p.plan) {
      // Allowed, but unplannable: the planner's error for the query as secured (it names what to fix).
      if (secured !== p.query) buildPlan(model, secured);
      throw p.refused;
    }
    return { query: secured, plan: addRowFilters(model, secured, p.plan) };
  });
}
