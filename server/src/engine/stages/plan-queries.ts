/**
 * Stage 3, plan: each normalized query becomes its logical plan (planner/build-plan.ts: join
 * tree, measure nodes, WHERE and HAVING) — once per query: the authorize stage reads the join
 * tree from this plan instead of planning again.
 *
 * A query the planner refuses keeps its error for the authorize stage to throw after the access
 * checks, so a caller denied a member learns that, never what the planner thinks of the query.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { NormalizedQuery } from '../../query/query-types.ts';
import type { LogicalPlan } from '../../planner/plan-types.ts';
import { buildPlan } from '../../planner/build-plan.ts';
import type { NormalizedRequest } from './normalize-request.ts';

/** A normalized query and its plan, or why the planner refused it. */
export type PlannedQuery =
  | { readonly query: NormalizedQuery; readonly plan: LogicalPlan; readonly refused?: undefined }
  | { readonly query: NormalizedQuery; readonly plan?: undefined; readonly refused: unknown };

export function planQueries(model: SemanticModel, request: NormalizedRequest): PlannedQuery[] {
  return request.queries.map((query) => {
    try {
      return { query, plan: buildPlan(model, query) };
    } catch (refused) {
      return { query, refused };
    }
  });
}
