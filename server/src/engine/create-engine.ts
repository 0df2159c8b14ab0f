/**
 * The semantic engine: one pipeline of named stages over plain data, the same for every API.
 * `load` reads top to bottom as the stages, one module each under `stages/`:
 *   rewrite (queryRewrite hook, model, now) → normalize → plan (once) → authorize (access policies)
 *   → choose source (rollup or raw) → lower (SQL) → execute (orchestrator, driver) → shape
 * with reuse/ skipping work for a repeated request: its stores keep normalize → authorize and the
 * lowered SQL per answer key, the answer memo skips everything after rewrite, and the orchestrator
 * serves cached answers and coalesces identical running queries. APIs call it through `SemanticEngine`
 * (engine-types.ts); nothing here knows HTTP, GraphQL or the Postgres wire.
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { CubeQuery } from '../query/query-types.ts';
import type { Driver, QueryResult } from '../drivers/driver-types.ts';
import type { Dialect } from '../sql/dialect.ts';
import type { DryRunResponse, ExplainResponse, LoadResponse, PreAggregationMatcher, RequestContext, SecurityContext, SemanticEngine, SqlResponse, StageObserver, StreamedResult } from './engine-types.ts';
import type { QueryOrchestrator } from '../reuse/query-orchestrator.ts';
import { buildMeta } from '../model/build-meta.ts';
import { formatResult } from './format-result.ts';
import { echoQuery } from './annotate-query.ts';
import { BoundedStore } from '../reuse/bounded-store.ts';
import { AnswerMemo } from '../reuse/answer-memo.ts';
import { securityKey } from '../reuse/answer-key.ts';
import { StageClock } from './stage-clock.ts';
import { createAccessControl, type AccessControl } from '../security/access-control.ts';
import type { MemberVisibilityMask } from '../security/member-visibility.ts';
import { UserError } from '../errors/user-error.ts';
import { withCleanup } from '../util/with-cleanup.ts';
import { rewriteQuery, type RewrittenRequest } from './stages/rewrite-query.ts';
import { normalizeRequest } from './stages/normalize-request.ts';
import { planQueries } from './stages/plan-queries.ts';
import { authorizeQueries, type AuthorizedQuery } from './stages/authorize-queries.ts';
import { chooseSource, isCacheable, releaseSources } from './stages/choose-source.ts';
import { lowerQueries, type LoweredQuery, type LoweredSql } from './stages/lower-queries.ts';
import { executeQueries, sourceRefreshKeys, type ExecutedQuery } from './stages/execute-queries.ts';
import { shapeResults } from './stages/shape-results.ts';

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
  /** Told each stage's duration (main.ts: the Prometheus histograms by stage and API). */
  readonly observeStage?: StageObserver;
  /** Dev mode: every `load` answer carries its stage timings in `annotation.timings`. */
  readonly stageTimingsInAnswers?: boolean;
}

/** The authorized queries of a request (what the compile cache keeps), and whether it compared ranges. */
interface Authorized {
  readonly queries: readonly AuthorizedQuery[];
  readonly compare: boolean;
}

export function createEngine(options: EngineOptions): SemanticEngine {
  const model = (): SemanticModel => (typeof options.model === 'function' ? options.model() : options.model);
  const now = options.now ?? (() => new Date());
  const matcher: PreAggregationMatcher = options.matchPreAggregation ?? (() => undefined);
  const cacheSize = options.compileCacheSize ?? 1000;
  // What the compile stages computed per request key (reuse/answer-key.ts); 0 keeps nothing.
  const authorizedCache = new BoundedStore<Authorized>({ maxEntries: cacheSize });
  const loweredCache = new BoundedStore<LoweredSql>({ maxEntries: 2 * cacheSize });
  const accessControl = options.accessControl ?? createAccessControl();
  const visibilityCache = new BoundedStore<MemberVisibilityMask>({ maxEntries: cacheSize, ttlMs: 60_000 });
  const rewriteSetup = { queryRewrite: options.queryRewrite, modelFor: options.modelFor ?? model, now };
  // Whole answers of repeated queries, so a cache hit skips every stage after rewrite: only with
  // a result cache (the memo never answers what the cache would not), and only when the matcher
  // says when rollup answers change.
  const memo = options.orchestrator && (!options.matchPreAggregation || options.matchPreAggregation.generation) ? new AnswerMemo<LoadResponse, LoweredQuery>(500) : undefined;
  const generation = (): number => matcher.generation?.() ?? 0;

  /**
   * The members a caller may see (GraphQL's schema, /meta, the SQL API's catalog), kept per model
   * version and security context for a minute: working it out walks every member against every
   * policy, the largest part of a GraphQL request's cost. The minute bounds how long a
   * `contextToGroups` that reads changing state is not asked again.
   */
  async function visibleMembers(ctx: RequestContext, forModel: SemanticModel = model()): Promise<MemberVisibilityMask> {
    const key = `${forModel.version}\n${securityKey(ctx.securityContext)}`;
    const known = visibilityCache.get(key);
    if (known) return known;
    const mask = accessControl.visibility(forModel, await accessControl.resolve(ctx.securityContext));
    visibilityCache.set(key, mask);
    return mask;
  }

  /**
   * normalize → plan → authorize for a request, or what the compile cache kept of them (the key
   * holds everything they read). `streamed`: no maximum limit and no default order (see `stream`).
   */
  async function normalizePlanAuthorize(request: RewrittenRequest, ctx: RequestContext, clock: StageClock, streamed = false): Promise<Authorized> {
    const key = streamed ? `${request.key}\nstreamed` : request.key;
    const access = await clock.timeAsync('authorize', () => accessControl.resolve(ctx.securityContext));
    const known = authorizedCache.get(key);
    if (known) return known;
    const limits = { maxLimit: streamed ? STREAM_LIMIT : options.maxLimit, defaultLimit: options.defaultLimit, streamed };
    const normalized = clock.time('normalize', () => normalizeRequest(request, limits));
    const planned = clock.time('plan', () => planQueries(request.model, normalized));
    const queries = clock.time('authorize', () => authorizeQueries(request.model, planned, access, request.at));
    const authorized = { queries, compare: normalized.compare };
    authorizedCache.set(key, authorized);
    return authorized;
  }

  /** choose source → lower, for the APIs that do not run the query through `load`. */
  function chooseSourceAndLower(request: RewrittenRequest, authorized: Authorized, ctx: RequestContext, clock: StageClock, streamed = false): LoweredQuery[] {
    const sourced = clock.time('choose-source', () => chooseSource(request.model, authorized.queries, matcher));
    try {
      const key = streamed ? `${request.key}\nstreamed` : request.key;
      return clock.time('lower', () => lowerQueries(sourced, { model: request.model, dialect: options.dialect, securityContext: ctx.securityContext, cache: loweredCache, key }));
    } catch (error) {
      releaseSources(sourced);
      throw error;
    }
  }

  /** The memoized answer of this request while still valid (answer-memo.ts), counted as a result-cache hit. */
  function recall(request: RewrittenRequest): LoadResponse | undefined {
    const orchestrator = options.orchestrator;
    if (!memo || !orchestrator) return undefined;
    const hit = memo.get(request.key, generation(), orchestrator.epoch, (part) => sourceRefreshKeys(part, request.model, now()).join('\n'));
    if (hit) orchestrator.countHit();
    return hit;
  }

  /** What a memoized answer is valid under; read before leasing: a rebuild after it makes the answer stale, never the reverse. */
  function answersValidity(): { readonly generation: number; readonly epoch: number } {
    return { generation: generation(), epoch: options.orchestrator?.epoch ?? 0 };
  }

  /** Memoizes an answer every part of which may be kept, with the refresh keys of its source-answered parts. */
  function remember(request: RewrittenRequest, validity: { readonly generation: number; readonly epoch: number }, lowered: readonly LoweredQuery[], executed: readonly ExecutedQuery[], response: LoadResponse): void {
    if (!memo || !lowered.every(isCacheable)) return;
    const sourceChecks = lowered.flatMap((q, i) => (q.match ? [] : [{ check: q, values: (executed[i]!.sourceKeys ?? []).join('\n') }]));
    memo.set(request.key, { response, ...validity, sourceChecks });
  }

  /** In dev mode, the answer with this request's stage timings (the memoized answer stays without). */
  function withTimings(response: LoadResponse, clock: StageClock): LoadResponse {
    if (!options.stageTimingsInAnswers) return response;
    const timings = clock.timings();
    return { ...response, results: response.results.map((r) => ({ ...r, annotation: { ...r.annotation, timings } })) };
  }

  return {
    async load(query, ctx): Promise<LoadResponse> {
      const clock = new StageClock(ctx.api, options.observeStage);
      const renew = query.renewQuery === true;
      const request = await clock.timeAsync('rewrite', () => rewriteQuery(query, ctx.securityContext, rewriteSetup));
      const reused = renew ? undefined : recall(request);
      if (reused) return withTimings(reused, clock);
      const readBeforeLeasing = answersValidity();
      const authorized = await normalizePlanAuthorize(request, ctx, clock);
      const sourced = clock.time('choose-source', () => chooseSource(request.model, authorized.queries, matcher));
      try {
        const lowered = clock.time('lower', () => lowerQueries(sourced, { model: request.model, dialect: options.dialect, securityContext: ctx.securityContext, cache: loweredCache, key: request.key }));
        const executed = await clock.timeAsync('execute', () => executeQueries(lowered, { model: request.model, driver: options.driver, orchestrator: options.orchestrator, now, ctx, renew }));
        const response = clock.time('shape', () => shapeResults(executed, request.model, authorized.compare, options.driver.name));
        remember(request, readBeforeLeasing, lowered, executed, response);
        return withTimings(response, clock);
      } finally {
        releaseSources(sourced);
      }
    },

    async stream(query, ctx): Promise<StreamedResult> {
      // The whole answer, bounded only by the query's own limit: chunks go to the caller as the
      // driver reads them, so no maximum result size (CUBEJS_DB_QUERY_LIMIT) is needed to bound memory.
      // Without an explicit order the rows come as the source reads them: a sort would hold them all.
      const clock = new StageClock(ctx.api, options.observeStage);
      const request = await clock.timeAsync('rewrite', () => rewriteQuery({ ...query, limit: query.limit ?? STREAM_LIMIT }, ctx.securityContext, rewriteSetup));
      const authorized = await normalizePlanAuthorize(request, ctx, clock, true);
      const lowered = chooseSourceAndLower(request, authorized, ctx, clock, true);
      const q = lowered[0]!;
      if (authorized.compare || lowered.length !== 1) {
        releaseSources(lowered);
        throw new UserError('UNSUPPORTED', 'compareDateRange queries cannot be streamed');
      }
      const driver = q.match?.driver ?? options.driver;
      const outputs = q.plan.outputs;
      const first = formatResult(outputs, { columns: [], data: [], rowCount: 0 }, true);
      async function* chunks(): AsyncIterable<{ data: readonly (readonly unknown[])[]; rowCount: number }> {
        const source = driver.stream ? driver.stream(q.sql.sql, q.sql.params, { signal: ctx.signal }) : oneChunk(driver.query(q.sql.sql, q.sql.params, { signal: ctx.signal }));
        for await (const chunk of source) {
          const formatted = formatResult(outputs, chunk);
          yield { data: formatted.data, rowCount: formatted.rowCount };
        }
      }
      const match = q.match;
      return {
        columns: first.columns,
        usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
        // The rollup lease is held until the caller has read the stream or let it go.
        chunks: withCleanup(chunks(), () => releaseSources(lowered)),
      };
    },

    async sql(query, ctx): Promise<readonly SqlResponse[]> {
      const clock = new StageClock(ctx.api, options.observeStage);
      const request = await clock.timeAsync('rewrite', () => rewriteQuery(query, ctx.securityContext, rewriteSetup));
      const lowered = chooseSourceAndLower(request, await normalizePlanAuthorize(request, ctx, clock), ctx, clock);
      releaseSources(lowered);
      return lowered.map((q) => ({
        sql: [q.sql.sql, q.sql.params] as const,
        preAggregations: q.match ? [{ preAggregationId: q.match.name, tableName: q.match.targetTableName, refreshKeyValues: q.match.refreshKeyValues, type: 'rollup' }] : [],
        dataSource: 'default',
        external: q.match !== undefined,
        aliasNameToMember: Object.fromEntries(q.plan.outputs.map((o) => [o.sqlAlias, o.keys[o.keys.length - 1]!])),
        order: q.query.order.map((o) => ({ id: o.alias, desc: o.direction === 'desc' })),
      }));
    },

    async dryRun(query, ctx): Promise<DryRunResponse> {
      const clock = new StageClock(ctx.api, options.observeStage);
      const request = await clock.timeAsync('rewrite', () => rewriteQuery(query, ctx.securityContext, rewriteSetup));
      const authorized = await normalizePlanAuthorize(request, ctx, clock);
      // Lowered as `load` would, so a query `load` cannot run fails here too.
      releaseSources(chooseSourceAndLower(request, authorized, ctx, clock));
      const queryType = authorized.compare ? 'compareDateRangeQuery' : 'regularQuery';
      const normalizedQueries = authorized.queries.map((q) => ({ ...echoQuery(q.query), queryType }));
      return {
        queryType,
        normalizedQueries,
        queryOrder: authorized.queries[0]!.query.order.map((o) => ({ [o.alias]: o.direction })),
        pivotQuery: normalizedQueries[0]!,
        transformedQueries: authorized.queries.map(() => null),
      };
    },

    async explain(query, ctx): Promise<readonly ExplainResponse[]> {
      // The queries `load` would run, asked of the same matcher `load` asks.
      const clock = new StageClock(ctx.api, options.observeStage);
      const request = await clock.timeAsync('rewrite', () => rewriteQuery(query, ctx.securityContext, rewriteSetup));
      const authorized = await normalizePlanAuthorize(request, ctx, clock);
      // Candidates of cubes the caller cannot see are left out, as /meta leaves those cubes out.
      const visible = await visibleMembers(ctx, request.model);
      const seen = (id: string): boolean => {
        const cube = request.model.cubes[id.slice(0, id.indexOf('.'))];
        return cube !== undefined && [...Object.values(cube.measures), ...Object.values(cube.dimensions)].some((m) => visible.isVisible(m.path));
      };
      return authorized.queries.map(({ query: normalized }) => {
        const explained = matcher.explain?.(normalized, request.model) ?? { servedBy: null, candidates: [], noSuggestion: 'pre-aggregations are not enabled on this server' };
        return { query: echoQuery(normalized), ...explained, candidates: explained.candidates.filter((c) => seen(c.preAggregation)) };
      });
    },

    async meta(ctx, metaOptions): Promise<Readonly<Record<string, unknown>>> {
      const current = options.modelFor ? await options.modelFor(ctx.securityContext) : model();
      const visible = await visibleMembers(ctx, current);
      return buildMeta(current, visible.isVisible, { extended: metaOptions?.extended }) as unknown as Record<string, unknown>;
    },

    visibleMembers,

    currentModel: model,
    modelOf: async (ctx) => rewriteSetup.modelFor(ctx.securityContext),
  };
}
