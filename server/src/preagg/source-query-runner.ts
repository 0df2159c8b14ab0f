/**
 * How builds reach the source: a Cube query planned like any other (joins, segments, measure
 * filters, dialect) but without the API's row limit, run through the source's queue at a low
 * priority so dashboards go first, never cached. Columns come back named by member key
 * (`fato_vendas.vendas_brutas`, `fato_vendas.data_venda.day`), values in Cube's formats.
 */
import type { Driver, QueryResult } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { QueryOrchestrator } from '../orchestrator/query-orchestrator.ts';
import { normalizeQuery } from '../query/normalize-query.ts';
import { compileQuery } from '../engine/compile-query.ts';
import { formatResult } from '../engine/format-result.ts';
import type { RunSourceQuery, RunSourceSql } from './refresh-rollups.ts';

export interface SourceRunnerDeps {
  readonly driver: Driver;
  readonly dialect: Dialect;
  readonly orchestrator?: QueryOrchestrator;
  readonly now?: () => Date;
  /** Queue priority (default: below dashboards, for builds; a lambda's tail runs at 0, as dashboards do). */
  readonly priority?: number;
}

/** Below the default priority (0) of API queries. */
export const BUILD_PRIORITY = -10;
const NO_LIMIT = 2 ** 31 - 1;

export function createSourceQueryRunner(deps: SourceRunnerDeps): RunSourceQuery {
  return async (model, query) => {
    const normalized = normalizeQuery(model, query, { now: (deps.now ?? (() => new Date()))(), maxLimit: NO_LIMIT, defaultLimit: NO_LIMIT });
    const compiled = compileQuery(model, normalized, deps.dialect);
    const result = await runOnSource(deps, compiled.sql.sql, compiled.sql.params);
    return formatResult(compiled.plan.outputs, result);
  };
}

export function createSourceSqlRunner(deps: SourceRunnerDeps): RunSourceSql {
  return (sql) => runOnSource(deps, sql, []);
}

async function runOnSource(deps: SourceRunnerDeps, sql: string, params: readonly unknown[]): Promise<QueryResult> {
  const task = (signal?: AbortSignal) => deps.driver.query(sql, params, { signal });
  if (!deps.orchestrator) return task();
  const request = { dataSource: 'default', cacheKey: { query: [sql, params], securityContext: {}, refreshKeyValues: [], modelVersion: '' }, priority: deps.priority ?? BUILD_PRIORITY, cacheable: false };
  return (await deps.orchestrator.execute(request, task)).value;
}
