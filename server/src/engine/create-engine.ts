/**
 * The semantic engine: the readable main flow of every API request.
 *   queryRewrite (security hook) → normalize → matchPreAggregation → plan → SQL → orchestrator (cache, queue) → driver → format
 * APIs call it through `SemanticEngine`; nothing here knows HTTP, GraphQL or the Postgres wire.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { CubeQuery, NormalizedQuery } from '../query/query-types.ts';
import type { Driver, QueryResult } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { DryRunResponse, LoadResponse, LoadResult, RequestContext, SecurityContext, SemanticEngine, SqlResponse } from './engine-types.ts';
import type { QueryOrchestrator } from '../orchestrator/query-orchestrator.ts';
import { sourceRefreshKeyValues } from '../orchestrator/source-refresh-keys.ts';
import { normalizeQuery } from '../query/normalize-query.ts';
import { buildMeta } from '../model/build-meta.ts';
import { compileQuery, expandCompareDateRange, type CompiledQuery } from './compile-query.ts';
import { formatResult } from './format-result.ts';
import { annotateQuery, echoQuery } from './annotate-query.ts';
import { CompileCache } from './compile-cache.ts';
import { createAccessControl, type AccessControl } from '../security/access-control.ts';
import { secureQuery } from '../security/secure-query.ts';

/**
 * A pre-aggregation that answers a query instead of the source: the query rewritten for the
 * model that reads the rollup's tables, and where to run it. The engine calls `release()` once
 * the query is done (the store keeps the leased table version until then).
 */
export interface PreAggregationMatch {
  /** `cube.rollup`, as `usedPreAggregations` and `/v1/sql` name it. */
  readonly name: string;
  readonly targetTableName: string;
  /** Identify the rollup version read: part of the result-cache key. */
  readonly refreshKeyValues: readonly unknown[];
  readonly model: SemanticModel;
  readonly query: NormalizedQuery;
  readonly driver: Driver;
  readonly dialect: Dialect;
  readonly dataSource: string;
  /** False when the answer also reads the live source (a lambda's tail): never served from the result cache. */
  readonly cacheable?: boolean;
  release(): void;
}

/** Wiring of an engine; the composition root (main.ts) builds it from configuration. */
export interface EngineOptions {
  /** The current model; a function so hot reload can swap it. */
  readonly model: SemanticModel | (() => SemanticModel);
  readonly driver: Driver;
  readonly dialect: Dialect;
  /** Injectable clock: relative date ranges are computed from it (tests fix "now"). */
  readonly now?: () => Date;
  /** `CUBEJS_DB_QUERY_LIMIT` (default 50000). */
  readonly maxLimit?: number;
  readonly defaultLimit?: number;
  /** Cube's `queryRewrite(query, { securityContext })`, applied before anything else. */
  readonly queryRewrite?: (query: CubeQuery, context: { securityContext: SecurityContext }) => CubeQuery | Promise<CubeQuery>;
  /** Compiled queries kept (LRU); 0 disables the cache. */
  readonly compileCacheSize?: number;
  /** Resolves callers' groups for the model's `access_policy` (default: the `groups` claim). */
  readonly accessControl?: AccessControl;
  /** Rollup matching; returns undefined when the source must answer (the default). */
  readonly matchPreAggregation?: (query: NormalizedQuery, model: SemanticModel) => PreAggregationMatch | undefined;
  /** Result cache and per-data-source queues; without it every query goes straight to its driver. */
  readonly orchestrator?: QueryOrchestrator;
}

/** A compiled query and where it runs: the source, or a rollup in the store. */
interface RunnableQuery {
  readonly compiled: CompiledQuery;
  /** The source compilation: its outputs format the result and its query is echoed. */
  readonly source: CompiledQuery;
  readonly match?: PreAggregationMatch;
}

interface RawResult {
  readonly result: QueryResult;
  readonly total?: QueryResult;
}

export function createEngine(options: EngineOptions): SemanticEngine {
  const model = (): SemanticModel => (typeof options.model === 'function' ? options.model() : options.model);
  const now = options.now ?? (() => new Date());
  const matchPreAggregation = options.matchPreAggregation ?? (() => undefined);
  const cache = new CompileCache(options.compileCacheSize ?? 1000);
  const rollupCache = new CompileCache(options.compileCacheSize ?? 1000);
  const accessControl = options.accessControl ?? createAccessControl();

  async function prepare(query: CubeQuery, ctx: RequestContext): Promise<{ runnable: readonly RunnableQuery[]; compare: boolean; current: SemanticModel }> {
    const rewritten = options.queryRewrite ? await options.queryRewrite(query, { securityContext: ctx.securityContext }) : query;
    const access = await accessControl.resolve(ctx.securityContext);
    const current = model();
    const at = now();
    const key = CompileCache.key(current.version, rewritten, ctx.securityContext, at);
    let entry = cache.get(key);
    if (!entry) {
      // Access policies (member and row level) apply here, once, for every API.
      const normalized = secureQuery(current, normalizeQuery(current, rewritten, { now: at, maxLimit: options.maxLimit, defaultLimit: options.defaultLimit }), access, at);
      const { queries, compare } = expandCompareDateRange(normalized);
      entry = { compiled: queries.map((q) => compileQuery(current, q, options.dialect, ctx.securityContext)), compare };
      cache.set(key, entry);
    }
    // A rollup that can answer replaces the source query: the rewritten query is compiled for
    // the store's model and dialect (not cached: the rollup version changes with every build).
    const runnable = entry.compiled.map((source, i): RunnableQuery => {
      const match = matchPreAggregation(source.normalized, current);
      if (!match) return { compiled: source, source };
      try {
        // Keyed by the table versions leased: a rebuild compiles anew, repeated queries do not.
        const rollupKey = `${key}\n${i}\n${match.targetTableName}`;
        let compiled = rollupCache.get(rollupKey)?.compiled[0];
        if (!compiled) {
          compiled = compileQuery(match.model, match.query, match.dialect, ctx.securityContext);
          rollupCache.set(rollupKey, { compiled: [compiled], compare: false });
        }
        return { compiled, source, match };
      } catch (error) {
        match.release();
        throw error;
      }
    });
    return { runnable, compare: entry.compare, current };
  }

  function releaseAll(runnable: readonly RunnableQuery[]): void {
    for (const r of runnable) r.match?.release();
  }

  async function execute(r: RunnableQuery, current: SemanticModel, ctx: RequestContext, renew: boolean): Promise<RawResult> {
    const c = r.compiled;
    const driver = r.match?.driver ?? options.driver;
    const task = async (signal?: AbortSignal): Promise<RawResult> => {
      const [result, total] = await Promise.all([
        driver.query(c.sql.sql, c.sql.params, { signal }),
        c.totalSql ? driver.query(c.totalSql.sql, c.totalSql.params, { signal }) : undefined,
      ]);
      return { result, total };
    };
    if (!options.orchestrator) return task(ctx.signal);
    const refreshKeyValues = r.match?.refreshKeyValues ?? sourceRefreshKeyValues(r.source.normalized, current, now().getTime());
    const { value } = await options.orchestrator.execute(
      {
        dataSource: r.match?.dataSource ?? 'default',
        cacheKey: { query: [c.sql.sql, c.sql.params, c.totalSql?.sql, c.totalSql?.params], securityContext: ctx.securityContext, refreshKeyValues, modelVersion: current.version },
        signal: ctx.signal,
        renew,
        cacheable: r.match?.cacheable ?? true,
      },
      task,
    );
    return value;
  }

  async function run(r: RunnableQuery, current: SemanticModel, ctx: RequestContext, renew: boolean): Promise<LoadResult> {
    const { result, total } = await execute(r, current, ctx, renew);
    const formatted = formatResult(r.source.plan.outputs, result);
    const match = r.match;
    return {
      query: echoQuery(r.source.normalized),
      ...formatted,
      ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
      annotation: annotateQuery(current, r.source.normalized),
      lastRefreshTime: now().toISOString(),
      usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
      dataSource: 'default',
      dbType: options.driver.name,
      external: match !== undefined,
      slowQuery: false,
    };
  }

  return {
    async load(query, ctx): Promise<LoadResponse> {
      const { runnable, compare, current } = await prepare(query, ctx);
      try {
        const results = await Promise.all(runnable.map((r) => run(r, current, ctx, query.renewQuery === true)));
        return { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results };
      } finally {
        releaseAll(runnable);
      }
    },

    async sql(query, ctx): Promise<readonly SqlResponse[]> {
      const { runnable } = await prepare(query, ctx);
      releaseAll(runnable);
      return runnable.map(({ compiled: c, source, match }) => ({
        sql: [c.sql.sql, c.sql.params] as const,
        preAggregations: match ? [{ preAggregationId: match.name, tableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues, type: 'rollup' }] : [],
        dataSource: 'default',
        external: match !== undefined,
        aliasNameToMember: Object.fromEntries(source.plan.outputs.map((o) => [o.sqlAlias, o.keys[o.keys.length - 1]!])),
        order: source.normalized.order.map((o) => ({ id: o.alias, desc: o.direction === 'desc' })),
      }));
    },

    async dryRun(query, ctx): Promise<DryRunResponse> {
      const { runnable, compare } = await prepare(query, ctx);
      releaseAll(runnable);
      const compiled = runnable.map((r) => r.source);
      const normalizedQueries = compiled.map((c) => ({ ...echoQuery(c.normalized), queryType: compare ? 'compareDateRangeQuery' : 'regularQuery' }));
      return {
        queryType: compare ? 'compareDateRangeQuery' : 'regularQuery',
        normalizedQueries,
        queryOrder: compiled[0]!.normalized.order.map((o) => ({ [o.alias]: o.direction })),
        pivotQuery: normalizedQueries[0]!,
        transformedQueries: compiled.map(() => null),
      };
    },

    async meta(ctx): Promise<Readonly<Record<string, unknown>>> {
      const current = model();
      const visible = accessControl.visibility(current, await accessControl.resolve(ctx.securityContext));
      return buildMeta(current, visible.isVisible) as unknown as Record<string, unknown>;
    },

    currentModel: model,
  };
}
