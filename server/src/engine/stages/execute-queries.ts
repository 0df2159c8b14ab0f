/**
 * Stage 7, execute: each lowered query run where its source chose — the rollup store's driver or
 * the source's — through the orchestrator when there is one (reuse/: result cache under the
 * answer key of the SQL, the security context, the refresh-key values and the model version; a
 * queue per data source that coalesces identical running queries),
 * else straight on the driver. All parts of a request run at once.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { Driver, QueryResult } from '../../drivers/driver-types.ts';
import type { QueryOrchestrator } from '../../reuse/query-orchestrator.ts';
import { sourceFreshness } from '../../reuse/freshness.ts';
import { keptJson } from '../../reuse/answer-key.ts';
import type { RequestContext } from '../engine-types.ts';
import { isCacheable, type SourcedQuery } from './choose-source.ts';
import type { LoweredQuery } from './lower-queries.ts';

/** What the database answered, and when (ms): `lastRefreshTime`, also for answers served from the cache. */
export interface RawAnswer {
  readonly result: QueryResult;
  readonly total?: QueryResult;
  readonly at: number;
}

/** A lowered query with its answer; a source-answered one also with the refresh-key values it was cached under. */
export interface ExecutedQuery extends LoweredQuery, RawAnswer {
  readonly sourceKeys?: readonly string[];
}

export interface ExecuteSetup {
  readonly model: SemanticModel;
  readonly driver: Driver;
  readonly orchestrator?: QueryOrchestrator;
  readonly now: () => Date;
  readonly ctx: RequestContext;
  /** Cube's `renewQuery`: skip the cached answer. */
  readonly renew: boolean;
}

export function executeQueries(queries: readonly LoweredQuery[], setup: ExecuteSetup): Promise<ExecutedQuery[]> {
  return Promise.all(queries.map((q) => executeQuery(q, setup)));
}

async function executeQuery(q: LoweredQuery, setup: ExecuteSetup): Promise<ExecutedQuery> {
  const driver = q.match?.driver ?? setup.driver;
  const { ctx, orchestrator } = setup;
  const task = async (signal?: AbortSignal): Promise<RawAnswer> => {
    const [result, total] = await Promise.all([
      driver.query(q.sql.sql, q.sql.params, { signal }),
      q.totalSql ? driver.query(q.totalSql.sql, q.totalSql.params, { signal }) : undefined,
    ]);
    return { result, total, at: setup.now().getTime() };
  };
  if (!orchestrator) return { ...q, ...(await task(ctx.signal)) };
  const refreshKeyValues = q.match?.refreshKeyValues ?? sourceRefreshKeys(q, setup.model, setup.now());
  const { value } = await orchestrator.execute(
    {
      dataSource: q.match?.dataSource ?? 'default',
      // The lowered SQL objects are kept per request key (lower stage), so their key text is too.
      cacheKey: { query: [q.sql, q.totalSql], queryText: q.totalSql ? `${keptJson(q.sql)}\n${keptJson(q.totalSql)}` : keptJson(q.sql), securityContext: ctx.securityContext, refreshKeyValues, modelVersion: setup.model.version },
      signal: ctx.signal,
      renew: setup.renew,
      cacheable: isCacheable(q),
    },
    task,
  );
  return q.match ? { ...q, ...value } : { ...q, ...value, sourceKeys: refreshKeyValues as string[] };
}

/** Refresh-key values of a query the source answers (they change with time: part of the cache key). */
export function sourceRefreshKeys(q: SourcedQuery, model: SemanticModel, now: Date): string[] {
  return sourceFreshness(q.query, model, now.getTime());
}
