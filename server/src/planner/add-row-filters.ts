/**
 * The plan of a query after access policies appended their row filters (security/secure-query.ts),
 * from the plan of the query before: the filters join `where` and `rowFilters`, and the join tree
 * stays when every cube the filters reach is already in it. Only a filter that reaches a cube
 * the tree does not hold, names a member through a view's join path, or reads a `sub_query`
 * dimension not yet joined makes the query be planned again (the tree may change).
 */
import type { Member, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery } from '../query/query-types.ts';
import type { LogicalPlan } from './plan-types.ts';
import { buildPlan } from './build-plan.ts';
import { collectCubes, measureFilterMember } from './collect-cubes.ts';
import { hasMeasure } from './filter-sql.ts';

/** `secured`: the query `plan` was built from, with row filters appended (its `rowFilters`). */
export function addRowFilters(model: SemanticModel, secured: NormalizedQuery, plan: LogicalPlan): LogicalPlan {
  const rowFilters = secured.rowFilters ?? [];
  if (rowFilters.length === plan.rowFilters.length) return plan;
  if (!isJoinedAlready(model, rowFilters.slice(plan.rowFilters.length), plan)) return buildPlan(model, secured);
  // As buildPlan splits them: row filters are on dimensions, so `having` is unchanged.
  return { ...plan, rowFilters, where: secured.filters.filter((f) => !hasMeasure(f)) };
}

function isJoinedAlready(model: SemanticModel, filters: readonly NormalizedFilter[], plan: LogicalPlan): boolean {
  const members: Member[] = [];
  let throughView = false;
  const visit = (f: NormalizedFilter): void => {
    if (f.kind === 'and' || f.kind === 'or') return f.filters.forEach(visit);
    if (f.target.joinPath.length > 1) throughView = true;
    members.push(f.kind === 'measureFilter' ? measureFilterMember(f.target.member) : f.target.member);
  };
  filters.forEach(visit);
  if (throughView) return false;
  const subQueries = new Map<string, unknown>();
  const cubes = collectCubes(model, members, new Set(), subQueries as Map<string, never>);
  const { root, joins } = plan.joinTree;
  const joined = new Set([root, ...joins.flatMap((edge) => [edge.from, edge.to])]);
  const subQueryJoined = new Set(plan.subQueryDimensions.map((d) => d.path));
  return [...cubes].every((cube) => joined.has(cube)) && [...subQueries.keys()].every((path) => subQueryJoined.has(path));
}
