/**
 * The semantic engine: the readable main flow of every API request.
 *   queryRewrite (security hook) → normalize → matchPreAggregation (seam) → plan → SQL → driver → format
 * APIs call it through `SemanticEngine`; nothing here knows HTTP, GraphQL or the Postgres wire.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { CubeQuery, NormalizedQuery } from '../query/query-types.ts';
import type { Driver } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { DryRunResponse, LoadResponse, LoadResult, RequestContext, SecurityContext, SemanticEngine, SqlResponse } from './engine-types.ts';
import { normalizeQuery } from '../query/normalize-query.ts';
import { buildMeta } from '../model/build-meta.ts';
import { compileQuery, expandCompareDateRange, type CompiledQuery } from './compile-query.ts';
import { formatResult } from './format-result.ts';
import { annotateQuery, echoQuery } from './annotate-query.ts';
import { CompileCache } from './compile-cache.ts';

/** A pre-aggregation that can answer a query instead of the source (filled in by preagg/ later). */
export interface PreAggregationMatch {
  readonly name: string;
  readonly targetTableName: string;
  readonly driver: Driver;
  readonly dialect: Dialect;
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
  /** Seam for rollup matching; returns undefined when the source must answer (the default). */
  readonly matchPreAggregation?: (query: NormalizedQuery, model: SemanticModel) => PreAggregationMatch | undefined;
}

export function createEngine(options: EngineOptions): SemanticEngine {
  const model = (): SemanticModel => (typeof options.model === 'function' ? options.model() : options.model);
  const now = options.now ?? (() => new Date());
  const matchPreAggregation = options.matchPreAggregation ?? (() => undefined);
  const cache = new CompileCache(options.compileCacheSize ?? 1000);

  async function prepare(query: CubeQuery, ctx: RequestContext): Promise<{ compiled: readonly CompiledQuery[]; compare: boolean; current: SemanticModel }> {
    const rewritten = options.queryRewrite ? await options.queryRewrite(query, { securityContext: ctx.securityContext }) : query;
    const current = model();
    const at = now();
    const key = CompileCache.key(current.version, rewritten, ctx.securityContext, at);
    let entry = cache.get(key);
    if (!entry) {
      const normalized = normalizeQuery(current, rewritten, { now: at, maxLimit: options.maxLimit, defaultLimit: options.defaultLimit });
      const { queries, compare } = expandCompareDateRange(normalized);
      entry = { compiled: queries.map((q) => compileQuery(current, q, options.dialect, ctx.securityContext)), compare };
      cache.set(key, entry);
    }
    // A rollup that can answer replaces the source query (compiled for the store's dialect, not cached).
    const compiled = entry.compiled.map((c) => {
      const match = matchPreAggregation(c.normalized, current);
      return match ? compileQuery(current, c.normalized, match.dialect, ctx.securityContext) : c;
    });
    return { compiled, compare: entry.compare, current };
  }

  async function run(c: CompiledQuery, current: SemanticModel, ctx: RequestContext): Promise<LoadResult> {
    const [result, total] = await Promise.all([
      options.driver.query(c.sql.sql, c.sql.params, { signal: ctx.signal }),
      c.totalSql ? options.driver.query(c.totalSql.sql, c.totalSql.params, { signal: ctx.signal }) : undefined,
    ]);
    const formatted = formatResult(c.plan.outputs, result);
    return {
      query: echoQuery(c.normalized),
      ...formatted,
      ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
      annotation: annotateQuery(current, c.normalized),
      lastRefreshTime: now().toISOString(),
      usedPreAggregations: {},
      dataSource: 'default',
      dbType: options.driver.name,
      external: false,
      slowQuery: false,
    };
  }

  return {
    async load(query, ctx): Promise<LoadResponse> {
      const { compiled, compare, current } = await prepare(query, ctx);
      const results = await Promise.all(compiled.map((c) => run(c, current, ctx)));
      return { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results };
    },

    async sql(query, ctx): Promise<readonly SqlResponse[]> {
      const { compiled } = await prepare(query, ctx);
      return compiled.map((c) => ({
        sql: [c.sql.sql, c.sql.params] as const,
        preAggregations: [],
        dataSource: 'default',
        external: false,
        aliasNameToMember: Object.fromEntries(c.plan.outputs.map((o) => [o.sqlAlias, o.keys[o.keys.length - 1]!])),
        order: c.normalized.order.map((o) => ({ id: o.alias, desc: o.direction === 'desc' })),
      }));
    },

    async dryRun(query, ctx): Promise<DryRunResponse> {
      const { compiled, compare } = await prepare(query, ctx);
      const normalizedQueries = compiled.map((c) => ({ ...echoQuery(c.normalized), queryType: compare ? 'compareDateRangeQuery' : 'regularQuery' }));
      return {
        queryType: compare ? 'compareDateRangeQuery' : 'regularQuery',
        normalizedQueries,
        queryOrder: compiled[0]!.normalized.order.map((o) => ({ [o.alias]: o.direction })),
        pivotQuery: normalizedQueries[0]!,
        transformedQueries: compiled.map(() => null),
      };
    },

    async meta(): Promise<Readonly<Record<string, unknown>>> {
      return buildMeta(model()) as unknown as Record<string, unknown>;
    },

    currentModel: model,
  };
}
