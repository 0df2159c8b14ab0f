/**
 * How builds reach the source: a Cube query planned like any other (joins, segments, measure
 * filters, dialect) but without the API's row limit, run through the source's queue at a low
 * priority so dashboards go first, never cached. Columns come back named by member key
 * (`fato_vendas.vendas_brutas`, `fato_vendas.data_venda.day`), values in Cube's formats. The
 * engine compiles the query (`compileBuild`, received from whoever assembles the server).
 */
import type { Driver, QueryResult } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { QueryOrchestrator } from '../reuse/query-orchestrator.ts';
import type { CompileBuildQuery } from '../engine/engine-types.ts';
import type { RunSourceQuery, RunSourceSql } from './refresh-rollups.ts';

export interface SourceRunnerDeps {
  readonly driver: Driver;
  readonly dialect: Dialect;
  /** The engine's build compiler (engine/compile-build-query.ts): normalize → plan → lower, and shape. */
  readonly compileBuild: CompileBuildQuery;
  readonly orchestrator?: QueryOrchestrator;
  readonly now?: () => Date;
  /** Queue priority (default: below dashboards, for builds; a lambda's tail runs at 0, as dashboards do). */
  readonly priority?: number;
}

/** Below the default priority (0) of API queries. */
export const BUILD_PRIORITY = -10;

export function createSourceQueryRunner(deps: SourceRunnerDeps): RunSourceQuery {
  return async (model, query) => {
    const build = deps.compileBuild(model, query, deps.dialect, (deps.now ?? (() => new Date()))());
    return build.shape(await runOnSource(deps, build.sql.sql, build.sql.params));
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
