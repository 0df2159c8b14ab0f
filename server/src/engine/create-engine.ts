/**
 * The semantic engine: the readable main flow of every API request.
 *   queryRewrite (security hook) → normalize → matchPreAggregation → plan → SQL → orchestrator (cache, queue) → driver → format
 * APIs call it through `SemanticEngine`; nothing here knows HTTP, GraphQL or the Postgres wire.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { CubeQuery, NormalizedQuery } from '../query/query-types.ts';
import type { Driver, QueryResult } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { DryRunResponse, ExplainResponse, LoadResponse, PreAggregationExplanation, PreAggregationMatch, PreAggregationMatcher, LoadResult, RequestContext, SecurityContext, SemanticEngine, SqlResponse, StreamedResult } from './engine-types.ts';
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
import type { MemberVisibilityMask } from '../security/member-visibility.ts';
import { AnswerMemo } from './answer-memo.ts';
import { UserError } from '../errors/user-error.ts';
import { withCleanup } from '../util/with-cleanup.ts';

/** The limit a streamed query runs with when it has none: the largest LIMIT every SQL engine takes. */
const STREAM_LIMIT = 2 ** 31 - 1;

async function* oneChunk(result: Promise<QueryResult>): AsyncIterable<QueryResult> {
  yield await result;
}

/** Wiring of an engine; the composition root (main.ts) builds it from configuration. */
export interface EngineOptions {
  /** The current model; a function so hot reload can swap it. */
  readonly model: SemanticModel | (() => SemanticModel);
  /**
   * The model of a request's app (Cube's `contextToAppId` + `COMPILE_CONTEXT`, see
   * model/open-model.ts); `load`, `sql`, `dryRun` and `meta` use it, other readers use `model`.
   */
  readonly modelFor?: (securityContext: SecurityContext) => Promise<SemanticModel>;
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
  readonly matchPreAggregation?: PreAggregationMatcher;
  /** Result cache and per-data-source queues; without it every query goes straight to its driver. */
  readonly orchestrator?: QueryOrchestrator;
}

/** A compiled query and where it runs: the source, or a rollup in the store. */
interface RunnableQuery {
  readonly compiled: CompiledQuery;
  /** The source compilation: its outputs format the result and its query is echoed. */
  readonly source: CompiledQuery;
  readonly match?: PreAggregationMatch;
  /** Answered by the source in place of a live lambda not built yet: never cached. */
  readonly live?: boolean;
}

/** May this query's answer be kept (result cache, answer memo)? */
function isCacheable(r: RunnableQuery): boolean {
  return r.match ? (r.match.cacheable ?? true) : !r.live;
}

interface RawResult {
  readonly result: QueryResult;
  readonly total?: QueryResult;
  /** When the database answered (ms): `lastRefreshTime`, also for answers served from the cache. */
  readonly at: number;
}

/** A request after the security hook: what compilation and the answer memo are keyed by. */
interface ResolvedRequest {
  readonly rewritten: CubeQuery;
  readonly current: SemanticModel;
  readonly at: Date;
  /** Compile-cache key: model version, "now" to the second, security context, rewritten query. */
  readonly key: string;
}

export function createEngine(options: EngineOptions): SemanticEngine {
  const model = (): SemanticModel => (typeof options.model === 'function' ? options.model() : options.model);
  const now = options.now ?? (() => new Date());
  const matchPreAggregation: PreAggregationMatcher = options.matchPreAggregation ?? (() => undefined);
  const cache = new CompileCache(options.compileCacheSize ?? 1000);
  const rollupCache = new CompileCache(options.compileCacheSize ?? 1000);
  const accessControl = options.accessControl ?? createAccessControl();
  // Whole answers of repeated queries, so a cache hit skips normalization, matching, leases and
  // compilation: only with a result cache (the memo never answers what the cache would not), and
  // only when the matcher says when rollup answers change.
  const memo = options.orchestrator && (!options.matchPreAggregation || options.matchPreAggregation.generation) ? new AnswerMemo<RunnableQuery>(500) : undefined;
  const generation = (): number => matchPreAggregation.generation?.() ?? 0;

  async function visibleMembers(ctx: RequestContext, forModel: SemanticModel = model()): Promise<MemberVisibilityMask> {
    return accessControl.visibility(forModel, await accessControl.resolve(ctx.securityContext));
  }

  async function resolveRequest(query: CubeQuery, ctx: RequestContext): Promise<ResolvedRequest> {
    const rewritten = options.queryRewrite ? await options.queryRewrite(query, { securityContext: ctx.securityContext }) : query;
    const current = options.modelFor ? await options.modelFor(ctx.securityContext) : model();
    const at = now();
    return { rewritten, current, at, key: CompileCache.key(current.version, rewritten, ctx.securityContext, at) };
  }

  /** The source compilations of a request (cached): what every API and `/v1/explain` start from. */
  async function compiledEntry(request: ResolvedRequest, ctx: RequestContext, key = request.key, maxLimit = options.maxLimit, streamed = false) {
    const { rewritten, current, at } = request;
    const access = await accessControl.resolve(ctx.securityContext);
    let entry = cache.get(key);
    if (!entry) {
      // Access policies (member and row level) apply here, once, for every API.
      const normalized = secureQuery(current, normalizeQuery(current, rewritten, { now: at, maxLimit, defaultLimit: options.defaultLimit, defaultOrder: !streamed }), access, at);
      const { queries, compare } = expandCompareDateRange(normalized);
      entry = { compiled: queries.map((q) => compileQuery(current, q, options.dialect, ctx.securityContext)), compare };
      cache.set(key, entry);
    }
    return entry;
  }

  /** `streamed`: no maximum limit and no default order (see `stream`); compiled under a key of its own. */
  async function prepare(query: CubeQuery, ctx: RequestContext, resolved?: ResolvedRequest, streamed = false): Promise<{ runnable: readonly RunnableQuery[]; compare: boolean; current: SemanticModel }> {
    const request = resolved ?? (await resolveRequest(query, ctx));
    const { current } = request;
    const key = streamed ? `${request.key}\nstreamed` : request.key;
    const maxLimit = streamed ? STREAM_LIMIT : options.maxLimit;
    const entry = await compiledEntry(request, ctx, key, maxLimit, streamed);
    // A rollup that can answer replaces the source query: the rewritten query is compiled for
    // the store's model and dialect (not cached: the rollup version changes with every build).
    const runnable = entry.compiled.map((source, i): RunnableQuery => {
      const match = matchPreAggregation(source.normalized, current);
      if (!match) return matchPreAggregation.coversLive?.(source.normalized, current) ? { compiled: source, source, live: true } : { compiled: source, source };
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

  /** The raw answer, and for a source query the refresh-key values its cache entry is keyed by. */
  async function execute(r: RunnableQuery, current: SemanticModel, ctx: RequestContext, renew: boolean): Promise<RawResult & { readonly sourceKeys?: readonly string[] }> {
    const c = r.compiled;
    const driver = r.match?.driver ?? options.driver;
    const task = async (signal?: AbortSignal): Promise<RawResult> => {
      const [result, total] = await Promise.all([
        driver.query(c.sql.sql, c.sql.params, { signal }),
        c.totalSql ? driver.query(c.totalSql.sql, c.totalSql.params, { signal }) : undefined,
      ]);
      return { result, total, at: now().getTime() };
    };
    if (!options.orchestrator) return task(ctx.signal);
    const refreshKeyValues = r.match?.refreshKeyValues ?? sourceRefreshKeys(r, current);
    const { value } = await options.orchestrator.execute(
      {
        dataSource: r.match?.dataSource ?? 'default',
        cacheKey: { query: [c.sql.sql, c.sql.params, c.totalSql?.sql, c.totalSql?.params], securityContext: ctx.securityContext, refreshKeyValues, modelVersion: current.version },
        signal: ctx.signal,
        renew,
        cacheable: isCacheable(r),
      },
      task,
    );
    return r.match ? value : { ...value, sourceKeys: refreshKeyValues as string[] };
  }

  /** Refresh-key values of a query the source answers (they change with time: part of the cache key). */
  function sourceRefreshKeys(r: RunnableQuery, current: SemanticModel): string[] {
    return sourceRefreshKeyValues(r.source.normalized, current, now().getTime());
  }

  async function run(r: RunnableQuery, current: SemanticModel, ctx: RequestContext, renew: boolean, sourceKeys?: Map<RunnableQuery, string>): Promise<LoadResult> {
    const { result, total, at, sourceKeys: keys } = await execute(r, current, ctx, renew);
    if (keys) sourceKeys?.set(r, keys.join('\n'));
    const formatted = formatResult(r.source.plan.outputs, result);
    const match = r.match;
    return {
      query: echoQuery(r.source.normalized),
      ...formatted,
      ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
      annotation: annotateQuery(current, r.source.normalized),
      lastRefreshTime: new Date(at).toISOString(),
      usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
      dataSource: 'default',
      dbType: options.driver.name,
      external: match !== undefined,
      slowQuery: false,
    };
  }

  return {
    async load(query, ctx): Promise<LoadResponse> {
      const renew = query.renewQuery === true;
      const resolved = await resolveRequest(query, ctx);
      // The memo key leaves renewQuery out: a renewed answer replaces the memoized one.
      const memoKey = memo ? (resolved.rewritten.renewQuery === undefined ? resolved.key : CompileCache.key(resolved.current.version, { ...resolved.rewritten, renewQuery: undefined }, ctx.securityContext, resolved.at)) : undefined;
      const orchestrator = options.orchestrator;
      if (memo && memoKey && !renew && orchestrator) {
        const hit = memo.get(memoKey, generation(), orchestrator.epoch, (check) => sourceRefreshKeys(check, resolved.current).join('\n'));
        if (hit) {
          orchestrator.countHit();
          return hit;
        }
      }
      // Read before leasing: a rebuild after this point makes the memoized answer stale, never the reverse.
      const generationAtLease = generation();
      const epoch = orchestrator?.epoch ?? 0;
      const { runnable, compare, current } = await prepare(query, ctx, resolved);
      try {
        const sourceKeys = new Map<RunnableQuery, string>();
        const results = await Promise.all(runnable.map((r) => run(r, current, ctx, renew, sourceKeys)));
        const response: LoadResponse = { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results };
        if (memo && memoKey && runnable.every(isCacheable)) {
          const sourceChecks = runnable.filter((r) => !r.match).map((r) => ({ check: r, values: sourceKeys.get(r) ?? '' }));
          memo.set(memoKey, { response, generation: generationAtLease, epoch, sourceChecks });
        }
        return response;
      } finally {
        releaseAll(runnable);
      }
    },

    async stream(query, ctx): Promise<StreamedResult> {
      // The whole answer, bounded only by the query's own limit: chunks go to the caller as the
      // driver reads them, so no maximum result size (CUBEJS_DB_QUERY_LIMIT) is needed to bound memory.
      // Without an explicit order the rows come as the source reads them: a sort would hold them all.
      const { runnable, compare } = await prepare({ ...query, limit: query.limit ?? STREAM_LIMIT }, ctx, undefined, true);
      const r = runnable[0]!;
      if (compare || runnable.length !== 1) {
        releaseAll(runnable);
        throw new UserError('UNSUPPORTED', 'compareDateRange queries cannot be streamed');
      }
      const driver = r.match?.driver ?? options.driver;
      const outputs = r.source.plan.outputs;
      const sql = r.compiled.sql;
      const first = formatResult(outputs, { columns: [], data: [], rowCount: 0 }, true);
      async function* chunks(): AsyncIterable<{ data: readonly (readonly unknown[])[]; rowCount: number }> {
        const source = driver.stream ? driver.stream(sql.sql, sql.params, { signal: ctx.signal }) : oneChunk(driver.query(sql.sql, sql.params, { signal: ctx.signal }));
        for await (const chunk of source) {
          const formatted = formatResult(outputs, chunk);
          yield { data: formatted.data, rowCount: formatted.rowCount };
        }
      }
      const match = r.match;
      return {
        columns: first.columns,
        usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
        // The rollup lease is held until the caller has read the stream or let it go.
        chunks: withCleanup(chunks(), () => releaseAll(runnable)),
      };
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

    async explain(query, ctx): Promise<readonly ExplainResponse[]> {
      // The queries `load` would run, asked of the same matcher `load` asks.
      const request = await resolveRequest(query, ctx);
      const entry = await compiledEntry(request, ctx);
      // Candidates of cubes the caller cannot see are left out, as /meta leaves those cubes out.
      const visible = await visibleMembers(ctx, request.current);
      const seen = (id: string): boolean => {
        const cube = request.current.cubes[id.slice(0, id.indexOf('.'))];
        return cube !== undefined && [...Object.values(cube.measures), ...Object.values(cube.dimensions)].some((m) => visible.isVisible(m.path));
      };
      return entry.compiled.map(({ normalized }) => {
        const explained = matchPreAggregation.explain?.(normalized, request.current) ?? { servedBy: null, candidates: [], noSuggestion: 'pre-aggregations are not enabled on this server' };
        return { query: echoQuery(normalized), ...explained, candidates: explained.candidates.filter((c) => seen(c.preAggregation)) };
      });
    },

    async meta(ctx): Promise<Readonly<Record<string, unknown>>> {
      const current = options.modelFor ? await options.modelFor(ctx.securityContext) : model();
      const visible = await visibleMembers(ctx, current);
      return buildMeta(current, visible.isVisible) as unknown as Record<string, unknown>;
    },

    visibleMembers,

    currentModel: model,
  };
}
