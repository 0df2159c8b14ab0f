/**
 * The engine's entry for rollup builds (`CompileBuildQuery`, engine-types.ts): a build's Cube query
 * through the same stages as a request — normalize (no row limit: a build reads every group),
 * plan, lower — and the shape stage's formatting of its rows. No rewrite or authorize: a build
 * runs for the server, not for a caller, and its rows are served later under each caller's checks.
 * Whoever assembles a server hands this function to preagg/, which never imports the engine.
 */
import type { CompileBuildQuery } from './engine-types.ts';
import { UserError } from '../errors/user-error.ts';
import { normalizeRequest } from './stages/normalize-request.ts';
import { planQueries } from './stages/plan-queries.ts';
import { lowerPlan } from './stages/lower-queries.ts';
import { formatResult } from './format-result.ts';

/** The largest limit a query may carry: a build is never cut short. */
const NO_LIMIT = 2 ** 31 - 1;

export const compileBuildQuery: CompileBuildQuery = (model, query, dialect, at) => {
  const normalized = normalizeRequest({ query, model, at, key: '' }, { maxLimit: NO_LIMIT, defaultLimit: NO_LIMIT, streamed: false });
  const [planned, ...more] = planQueries(model, normalized);
  if (!planned || more.length > 0) throw new UserError('QUERY_INVALID', 'A rollup build is one query: compareDateRange cannot build a rollup');
  const { plan } = planned;
  if (!plan) throw planned.refused;
  const { sql } = lowerPlan(model, planned.query, plan, dialect, {});
  return { sql, shape: (result) => formatResult(plan.outputs, result) };
};
