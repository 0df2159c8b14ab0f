/**
 * The pure part of one query outside a request: normalized query → logical plan → SQL text in a
 * dialect, for callers that compile a query of their own (preagg/ builds rollups from the source
 * with it; the golden SQL tests read it). Requests go through the engine's stages instead
 * (engine/stages/plan-queries.ts, lower-queries.ts), which this reuses.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedQuery } from '../query/query-types.ts';
import type { Dialect, CompiledSql } from '../sql/dialect.ts';
import type { LogicalPlan } from '../planner/plan-types.ts';
import type { SecurityContext } from './engine-types.ts';
import { buildPlan } from '../planner/build-plan.ts';
import { lowerPlan } from './stages/lower-queries.ts';

/** One runnable query with what is needed to format its result. */
export interface CompiledQuery {
  readonly normalized: NormalizedQuery;
  readonly plan: LogicalPlan;
  readonly sql: CompiledSql;
  readonly totalSql?: CompiledSql;
}

export function compileQuery(model: SemanticModel, query: NormalizedQuery, dialect: Dialect, securityContext: SecurityContext = {}): CompiledQuery {
  const plan = buildPlan(model, query);
  return { normalized: query, plan, ...lowerPlan(model, query, plan, dialect, securityContext) };
}
