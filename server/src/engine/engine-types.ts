/**
 * What the APIs (REST, GraphQL, SQL over Postgres wire, playground) ask of the semantic engine.
 * APIs are protocol adapters: they parse their input into a `CubeQuery`, call the engine, and
 * serialize the result. They never build SQL.
 *
 * The engine's contracts, all here: the engine (`SemanticEngine`), the request and security
 * contexts, the answers, the rollup match (`PreAggregationMatcher`, implemented by preagg/), the
 * build compiler preagg/ receives (`CompileBuildQuery`) and the per-stage timings. Types only,
 * from the layers below (query, model, drivers, sql, security): every caller and implementer
 * imports this module, never `create-engine.ts`.
 */
import type { CubeQuery, NormalizedQuery } from '../query/query-types.ts';
import type { SemanticModel } from '../model/model-types.ts';
import type { ColumnInfo, Driver, QueryResult } from '../drivers/driver-types.ts';
import type { CompiledSql, Dialect } from '../sql/dialect.ts';
import type { SecurityContext } from '../security/access-types.ts';
import type { MemberVisibilityMask } from '../security/member-visibility.ts';

export type { SecurityContext };

export interface RequestContext {
  readonly securityContext: SecurityContext;
  readonly requestId: string;
  /** Which API asked; metrics and logs only: rules never depend on it. */
  readonly api: 'rest' | 'graphql' | 'sql' | 'playground' | 'internal';
  readonly signal?: AbortSignal;
}

/** Cube's annotation entry for one member (as in `/load` responses). */
export interface MemberAnnotation {
  readonly title: string;
  readonly shortTitle: string;
  readonly type: string;
  readonly format?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly drillMembers?: readonly string[];
  /** Measures only: the drill members split as Cube's `drillMembersGrouped` (what `ResultSet.drillDown` queries). */
  readonly drillMembersGrouped?: { readonly measures: readonly string[]; readonly dimensions: readonly string[] };
  /** Custom granularities add their `interval` and `origin` or `offset` (the client's drill-down snaps buckets with them). */
  readonly granularity?: { readonly name: string; readonly title: string; readonly interval?: string; readonly origin?: string; readonly offset?: string };
}

export interface Annotation {
  readonly measures: Readonly<Record<string, MemberAnnotation>>;
  readonly dimensions: Readonly<Record<string, MemberAnnotation>>;
  readonly segments: Readonly<Record<string, MemberAnnotation>>;
  readonly timeDimensions: Readonly<Record<string, MemberAnnotation>>;
  /**
   * Dev mode only (an addition to Cube's annotation): milliseconds this request spent in each
   * stage of the engine, so the playground can show where a query's time went.
   */
  readonly timings?: StageTimings;
}

/**
 * The stages of one query, in the order `load` runs them; each is one module of
 * `engine/stages/` (`choose-source` is `choose-source.ts`, the others `<stage>-*.ts`).
 */
export type StageName = 'rewrite' | 'normalize' | 'plan' | 'authorize' | 'choose-source' | 'lower' | 'execute' | 'shape';

/**
 * Milliseconds one request spent in each stage. A stage that did not run is absent: a repeated
 * query skips normalize and plan (compile cache; authorize then only resolves the caller's groups),
 * or everything after rewrite (answer memo).
 */
export type StageTimings = Readonly<Partial<Record<StageName, number>>>;

/** Told the duration of every stage run, with the API that asked (Prometheus histograms, main.ts). */
export type StageObserver = (stage: StageName, api: RequestContext['api'], seconds: number) => void;

/**
 * One result set (Cube returns one per query; `compareDateRange` yields several).
 * Rows stay columnar: `columns[i]` is the result key (e.g. `fato_vendas.data_venda.month`) and
 * `data[i]` its values, already formatted as Cube formats them (time → local ISO without zone,
 * decimals/int64 → strings). REST writes JSON rows from these columns without building objects.
 */
export interface LoadResult {
  /** The normalized query as Cube echoes it back (`query` in the response). */
  readonly query: Readonly<Record<string, unknown>>;
  readonly columns: readonly ColumnInfo[];
  readonly data: readonly (readonly unknown[])[];
  readonly rowCount: number;
  readonly total?: number;
  readonly annotation: Annotation;
  readonly lastRefreshTime: string; // ISO
  readonly usedPreAggregations: Readonly<Record<string, { readonly targetTableName: string; readonly refreshKeyValues: readonly unknown[] }>>;
  readonly dataSource: string;
  readonly dbType: string;
  readonly external: boolean;
  readonly slowQuery: boolean;
}

export interface LoadResponse {
  readonly queryType: 'regularQuery' | 'compareDateRangeQuery' | 'blendingQuery';
  readonly results: readonly LoadResult[];
}

export interface SqlResponse {
  /** `[sql, params]` exactly as sent to the driver, as Cube's `/v1/sql` returns it. */
  readonly sql: readonly [string, readonly unknown[]];
  readonly preAggregations: readonly unknown[];
  readonly dataSource: string;
  readonly external: boolean;
  readonly aliasNameToMember: Readonly<Record<string, string>>;
  readonly order: readonly { readonly id: string; readonly desc: boolean }[];
}

export interface DryRunResponse {
  readonly queryType: LoadResponse['queryType'];
  readonly normalizedQueries: readonly Readonly<Record<string, unknown>>[];
  readonly queryOrder: readonly Readonly<Record<string, 'asc' | 'desc'>>[];
  readonly pivotQuery: Readonly<Record<string, unknown>>;
  readonly transformedQueries: readonly unknown[];
}

/** Why a pre-aggregation does not serve a query (`/v1/explain`); codes listed in preagg/match-rollup.ts. */
export interface ExplainReason {
  readonly code: string;
  readonly message: string;
  readonly member?: string;
}

/** Cube's names for pre-aggregation types, as `/v1/explain` reports them. */
export type PreAggregationKind = 'rollup' | 'rollupLambda' | 'originalSql' | 'rollupJoin';

export interface ExplainCandidate {
  readonly preAggregation: string; // "cube.name"
  readonly type: PreAggregationKind;
  readonly served: boolean;
  readonly reasons: readonly ExplainReason[];
}

export interface ExplainServedBy {
  readonly preAggregation: string;
  readonly type: PreAggregationKind;
  /** The store tables read (comma-separated, as `usedPreAggregations.targetTableName`). */
  readonly tableName?: string;
  /** Keys of the partitions the query reads (start of each partition, local ISO; '' when unpartitioned). */
  readonly partitions?: readonly string[];
}

/** A rollup that would serve a query none serves, in the model's YAML and as data. */
export interface RollupSuggestion {
  readonly cube: string;
  readonly name: string;
  readonly yaml: string;
  readonly definition: Readonly<Record<string, unknown>>;
  /** What the rollup will not do (non-additive measures served only at its exact grouping, ...). */
  readonly caveats: readonly string[];
}

/** The matcher's account of one normalized query: who serves it, and why each other candidate does not. */
export interface PreAggregationExplanation {
  readonly servedBy: ExplainServedBy | null;
  readonly candidates: readonly ExplainCandidate[];
  readonly suggestion?: RollupSuggestion;
  /** Why no rollup is suggested for a query none serves. */
  readonly noSuggestion?: string;
}

export interface ExplainResponse extends PreAggregationExplanation {
  /** The normalized query, as `/load` echoes it. */
  readonly query: Readonly<Record<string, unknown>>;
}

/** Options of `SemanticEngine.meta` (optional; an engine may ignore them). */
export interface MetaOptions {
  readonly extended?: boolean;
}

/**
 * A result read chunk by chunk, for answers too large to hold at once (the SQL API's ungrouped and
 * Import queries): no row cap but the query's own limit, never cached. `chunks` yields columnar
 * rows in `columns`' order, formatted as in `LoadResult`; the lease on any rollup read is held
 * until the iteration ends (completed, thrown or returned early).
 */
export interface StreamedResult {
  readonly columns: readonly ColumnInfo[];
  readonly usedPreAggregations: LoadResult['usedPreAggregations'];
  readonly chunks: AsyncIterable<{ readonly data: readonly (readonly unknown[])[]; readonly rowCount: number }>;
}

export interface SemanticEngine {
  load(query: CubeQuery, ctx: RequestContext): Promise<LoadResponse>;
  /** The query's whole answer in chunks (see StreamedResult); optional for engines that cannot stream. */
  stream?(query: CubeQuery, ctx: RequestContext): Promise<StreamedResult>;
  sql(query: CubeQuery, ctx: RequestContext): Promise<readonly SqlResponse[]>;
  dryRun(query: CubeQuery, ctx: RequestContext): Promise<DryRunResponse>;
  /**
   * `/v1/explain`: for each normalized query (several with compareDateRange), which
   * pre-aggregation `load` would read and why every other one would not; optional for engines
   * without pre-aggregations. Same security hook, access policies and validation as `load`.
   */
  explain?(query: CubeQuery, ctx: RequestContext): Promise<readonly ExplainResponse[]>;
  /**
   * `/v1/meta`: cubes and views visible to this security context.
   * `options.extended` (REST `?extended`) asks for Cube's extended meta (members' SQL, joins).
   */
  meta(ctx: RequestContext, options?: MetaOptions): Promise<Readonly<Record<string, unknown>>>;
  /**
   * Which members of `model` (default: the current one) this security context may query, by the
   * same access policies `load` enforces: APIs that list members (the SQL API's catalog) hide the rest.
   */
  visibleMembers(ctx: RequestContext, model?: SemanticModel): Promise<MemberVisibilityMask>;
  /** The model queries are answered from right now (hot reload swaps it); APIs build their schemas from it. */
  currentModel(): SemanticModel;
  /**
   * The model this caller's queries compile against: `currentModel()`, or with a model that reads
   * COMPILE_CONTEXT, the one compiled for the caller's app id. APIs that list members per caller
   * (GraphQL's schema) build from it, so they show what `load` answers.
   */
  modelOf(ctx: RequestContext): Promise<SemanticModel>;
}

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
  /** Keys of the partitions read, when the matcher knows them (`/v1/explain`). */
  readonly partitions?: readonly string[];
  /**
   * When the oldest partition read was built (ms since the epoch): the answer's `lastRefreshTime`,
   * as Cube reports the oldest `lastUpdatedAt` of the pre-aggregation tables a query read.
   */
  readonly builtAt?: number;
  release(): void;
}

/** Finds the pre-aggregation that answers a query (undefined: the source answers). */
export interface PreAggregationMatcher {
  (query: NormalizedQuery, model: SemanticModel): PreAggregationMatch | undefined;
  /**
   * Changes whenever an answer read from pre-aggregations could change (a rebuild swapped tables
   * in, rollups switched on or off). Without it the engine does not memoize answers.
   */
  readonly generation?: () => number;
  /**
   * True when a pre-aggregation that answers live (a lambda unioning source data) covers the
   * query but cannot serve it yet (its batch is not built), so the source answers: that answer
   * must not be kept either, or it would hide the fresh rows the lambda exists to show.
   */
  readonly coversLive?: (query: NormalizedQuery, model: SemanticModel) => boolean;
  /** `/v1/explain`: the same decision as the call, with why every other candidate was not used. */
  readonly explain?: (query: NormalizedQuery, model: SemanticModel) => PreAggregationExplanation;
}

/**
 * A rollup build's source query compiled by the engine's stages (normalize → plan → lower; `shape`
 * is the shape stage's column formatting): the SQL to run on the source, unlimited and in the
 * query's own order, and how its rows become columns named by member key
 * (`fato_vendas.data_venda.day`) with values in Cube's formats.
 */
export interface BuildQuery {
  readonly sql: CompiledSql;
  shape(result: QueryResult): QueryResult;
}

/**
 * How preagg/ compiles the queries its builds (and a lambda's live tail) run on the source. The
 * engine implements it (`engine/compile-build-query.ts`); whoever assembles a server hands it to
 * `openPreAggregations`, so a build is planned and lowered like any query without preagg/
 * importing the engine. `at` is the build's "now" (relative date ranges).
 */
export type CompileBuildQuery = (model: SemanticModel, query: CubeQuery, dialect: Dialect, at: Date) => BuildQuery;
