/**
 * The compiled semantic model: plain, frozen, serializable data produced by the model compiler
 * (`compile-model.ts`) from Cube YAML and read by everything downstream (query normalizer, planner,
 * pre-aggregation matcher, APIs' /meta). Nothing here knows about SQL dialects or drivers.
 *
 * Names follow Cube's vocabulary in camelCase. Member paths are always `Cube.member`.
 * SQL snippets keep Cube's reference syntax already resolved into a small template form
 * (see `SqlTemplate`) so the planner can render them for any table alias without re-parsing YAML.
 */
import type { SourceLocation } from '../errors/source-location.ts';

/** Where a model node came from: every model error and every member points back here. */
export type { SourceLocation };

/**
 * A SQL expression from the model with its references resolved.
 * - `{ kind: 'text' }`    literal SQL text, copied as is
 * - `{ kind: 'cube' }`    `{CUBE}` or `{OtherCube}`: the alias of that cube's table in the query
 * - `{ kind: 'member' }`  `{member}` / `{Cube.member}`: the SQL of that member (a dimension's
 *                         expression, or a measure's aggregated expression inside `number` measures)
 * - `{ kind: 'securityContext' }` `{SECURITY_CONTEXT.path}` / `{securityContext.path}`: a bound parameter
 * - `{ kind: 'filterParams' }` `{FILTER_PARAMS.cube.member.filter(...)}`: the query's filters on that
 *                         member, rendered at query time over `column` (or through `callback`)
 * - `{ kind: 'filterGroup' }` `{FILTER_GROUP(FILTER_PARAMS..., ...)}`: the same for several members,
 *                         keeping the query's AND/OR between their filters
 * - `{ kind: 'cubeSql' }` `{Cube.sql()}`: that cube's own SQL; only while compiling (the compiler
 *                         inlines it, so a compiled model never holds one)
 * - `{ kind: 'dangling' }` a reference to a cube or member that does not exist: a compile warning
 *                         (an error in strict mode); a query whose SQL reaches it fails naming it
 */
export type SqlTemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'cube'; readonly cube: string }
  | { readonly kind: 'member'; readonly path: string }
  | { readonly kind: 'securityContext'; readonly path: readonly string[] }
  | FilterParamsPart
  | { readonly kind: 'filterGroup'; readonly members: readonly FilterParamsPart[] }
  | { readonly kind: 'cubeSql'; readonly cube: string }
  | DanglingReferencePart;

/**
 * `{FILTER_PARAMS.cube.member.filter('column_sql')}` (`column`) or the callback form
 * `filter(lambda a, b: f'... {a} ... {b}')` / `filter((a, b) => \`... ${a} ... ${b}\`)`
 * (`callback`): the callback's body as text pieces and argument indexes, each argument a bound
 * parameter of the filter's values (a date range's from and to).
 * https://cube.dev/docs/reference/data-model/context-variables#filter_params
 */
export interface FilterParamsPart {
  readonly kind: 'filterParams';
  readonly member: string; // `Cube.member` path
  readonly column?: string;
  /** `column` with its references resolved, when it has any (`filter('{CUBE}.created_at')`). */
  readonly columnSql?: SqlTemplate;
  readonly callback?: { readonly params: readonly string[]; readonly body: readonly (string | number)[] };
}

/** A reference that resolved to nothing, with what a failing query reports about it. */
export interface DanglingReferencePart {
  readonly kind: 'dangling';
  readonly reference: string;
  readonly message: string;
  /** The member (or cube, join) whose SQL holds it, and where. */
  readonly owner?: string;
  readonly location?: SourceLocation;
}

export type SqlTemplate = readonly SqlTemplatePart[];

export type MeasureType =
  | 'count'
  | 'count_distinct'
  | 'count_distinct_approx'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'number'
  | 'string'
  | 'time'
  | 'boolean'
  | 'running_total';

export type DimensionType = 'string' | 'number' | 'time' | 'boolean' | 'geo';

export type Granularity =
  | 'second'
  | 'minute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'quarter'
  | 'year';

export const GRANULARITIES: readonly Granularity[] = [
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'quarter',
  'year',
];

export type Relationship = 'many_to_one' | 'one_to_many' | 'one_to_one';

export interface RollingWindow {
  readonly trailing?: string; // "2 month", "unbounded"
  readonly leading?: string;
  readonly offset?: 'start' | 'end';
  readonly type?: 'fixed' | 'year_to_date' | 'quarter_to_date' | 'month_to_date' | 'to_date';
  readonly granularity?: Granularity;
}

/** A custom granularity declared on a time dimension (Cube `granularities:`). */
export interface CustomGranularity {
  readonly name: string;
  readonly interval?: string;
  readonly origin?: string;
  readonly offset?: string;
  readonly sql?: SqlTemplate;
  readonly title?: string;
}

/** Cube's `time_shift` entry (multi-stage measures, calendar dimensions); carried, not planned yet. */
export interface TimeShift {
  readonly interval?: string;
  readonly type?: 'prior' | 'next';
  readonly timeDimension?: string; // member path
  readonly name?: string;
  readonly sql?: SqlTemplate;
}

/** A problem found while compiling the model (an error fails the compile; a warning does not). */
export interface ModelProblem {
  readonly message: string;
  readonly location?: SourceLocation;
  readonly member?: string;
}

interface MemberBase {
  readonly name: string; // short name, e.g. "valorLiquido" or "valor_liquido"
  readonly path: string; // "cube.name"
  readonly cube: string;
  readonly title: string;
  readonly shortTitle?: string;
  readonly description?: string;
  readonly format?: string; // "currency" | "percent" | "number" | "id" | "imageUrl" | "link" ...
  readonly meta?: Readonly<Record<string, unknown>>;
  /** `public: false` / `shown: false`: hidden from /meta and not queryable through the API. */
  readonly public: boolean;
  readonly location: SourceLocation;
}

export interface Measure extends MemberBase {
  readonly kind: 'measure';
  readonly type: MeasureType;
  /** Absent for `count` without `sql` (counts rows / primary keys). */
  readonly sql?: SqlTemplate;
  /** Measure-level `filters: [{ sql }]` (Cube's filtered measures). */
  readonly filters: readonly SqlTemplate[];
  readonly rollingWindow?: RollingWindow;
  readonly drillMembers: readonly string[];
  /** Multi-stage measures (Cube's Tesseract planner only); carried, not planned yet. */
  readonly multiStage?: boolean;
  /** Multi-stage details (Tesseract only), carried as declared; paths resolved to `Cube.member`. */
  readonly timeShift?: readonly TimeShift[];
  readonly groupBy?: readonly string[];
  readonly reduceBy?: readonly string[];
  readonly addGroupBy?: readonly string[];
  /** True for `running_total` and measures with `rolling_window` (Cube's `cumulative`). */
  readonly cumulative?: boolean;
}

export interface Dimension extends MemberBase {
  readonly kind: 'dimension';
  readonly type: DimensionType;
  readonly sql: SqlTemplate;
  readonly primaryKey: boolean;
  /** Sub-query dimension (`sub_query: true`): a measure of another cube pulled in as a dimension. */
  readonly subQuery?: boolean;
  readonly propagateFiltersToSubQuery?: boolean;
  readonly granularities: readonly CustomGranularity[];
  /** For `case:` dimensions the compiler lowers them to SQL; nothing else to carry. */
  /** Calendar cubes: per-shift SQL of a time dimension (Cube `time_shift` on dimensions). */
  readonly timeShift?: readonly TimeShift[];
  readonly multiStage?: boolean;
  /**
   * The column already holds local times of the query's time zone as timestamps without zone (a
   * rollup's stored buckets, built in the rollup's time zone): the planner reads it as a
   * TIMESTAMP instead of converting it again.
   */
  readonly storedAsLocalTime?: boolean;
  /** Cube's `suggest_filter_values` (default true). */
  readonly suggestFilterValues?: boolean;
}

export interface Segment extends MemberBase {
  readonly kind: 'segment';
  readonly sql: SqlTemplate;
}

export type Member = Measure | Dimension | Segment;

export interface Join {
  readonly name: string; // target cube
  readonly relationship: Relationship; // normalized: belongs_to→many_to_one, has_many→one_to_many, has_one→one_to_one
  readonly sql: SqlTemplate;
  readonly location: SourceLocation;
}

export interface RefreshKey {
  readonly every?: string; // "1 hour", "30 seconds", or a cron string
  readonly sql?: SqlTemplate;
  readonly incremental?: boolean;
  readonly updateWindow?: string;
  readonly timezone?: string;
}

export interface PreAggregationTimeDimension {
  readonly dimension: string; // member path
  readonly granularity: Granularity | string;
}

export interface PreAggregation {
  readonly name: string;
  readonly cube: string;
  readonly type: 'rollup' | 'original_sql' | 'rollup_lambda' | 'rollup_join';
  readonly measures: readonly string[]; // member paths
  readonly dimensions: readonly string[];
  readonly segments: readonly string[];
  readonly timeDimensions: readonly PreAggregationTimeDimension[];
  readonly partitionGranularity?: Granularity;
  readonly refreshKey?: RefreshKey;
  readonly buildRangeStart?: SqlTemplate;
  readonly buildRangeEnd?: SqlTemplate;
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[];
  readonly scheduledRefresh: boolean;
  readonly allowNonStrictDateRangeMatch: boolean;
  /** For `rollup_lambda`: the rollups united (closed partitions + fresh tail). */
  readonly rollups: readonly string[];
  readonly unionWithSourceData?: boolean;
  readonly location: SourceLocation;
}

export interface AccessPolicy {
  readonly role?: string; // Cube's `role` / `group`
  readonly group?: string;
  readonly memberLevel?: { readonly includes: '*' | readonly string[]; readonly excludes: readonly string[] };
  readonly rowLevel?: {
    readonly allowAll?: boolean;
    readonly filters: readonly unknown[]; // Cube filter objects, values may reference securityContext
  };
  readonly conditions?: readonly { readonly if: SqlTemplate }[];
}

export interface Cube {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly public: boolean;
  readonly sqlAlias?: string;
  /** Exactly one of sqlTable / sql. */
  readonly sqlTable?: SqlTemplate;
  readonly sql?: SqlTemplate;
  readonly dataSource: string; // "default" unless `data_source` is set
  readonly measures: Readonly<Record<string, Measure>>;
  readonly dimensions: Readonly<Record<string, Dimension>>;
  readonly segments: Readonly<Record<string, Segment>>;
  readonly joins: readonly Join[];
  readonly preAggregations: Readonly<Record<string, PreAggregation>>;
  readonly accessPolicies: readonly AccessPolicy[];
  readonly location: SourceLocation;
  /** `calendar: true` (Cube's retail calendars): its granularities may carry `sql`. */
  readonly calendar?: boolean;
  /** Cube-level `refresh_key` (default refresh key of its pre-aggregations). */
  readonly refreshKey?: RefreshKey;
  /** The cube it `extends`, after inheritance was applied. */
  readonly extends?: string;
  readonly folders?: readonly Folder[];
}

/** A folder of members for BI tools (Cube `folders`); members are full paths, nested folders allowed. */
export interface Folder {
  readonly name: string;
  readonly members: readonly (string | Folder)[];
}

/**
 * A view member points at a cube member reached through a join path.
 * `path` is the view's own name (`vendas.valor_liquido`), `target` the cube member
 * (`fato_vendas.valor_liquido`), `joinPath` the cubes walked from the view's root.
 */
export interface ViewMember {
  readonly name: string;
  readonly path: string;
  readonly target: string;
  readonly joinPath: readonly string[];
  readonly kind: 'measure' | 'dimension' | 'segment';
  readonly title?: string;
  readonly description?: string;
  readonly format?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Visible through the API; an explicitly included member is public, a `*` one inherits its target's flag. */
  readonly public?: boolean;
  readonly shortTitle?: string;
}

export interface View {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly public: boolean;
  readonly members: Readonly<Record<string, ViewMember>>;
  readonly accessPolicies: readonly AccessPolicy[];
  readonly location: SourceLocation;
  readonly folders?: readonly Folder[];
}

/** The whole compiled model. Frozen; a recompile produces a new object (hot reload swaps it). */
export interface SemanticModel {
  readonly cubes: Readonly<Record<string, Cube>>;
  readonly views: Readonly<Record<string, View>>;
  /** Version hash of the source files: part of every cache key. */
  readonly version: string;
  /** Problems that did not fail the compile (e.g. a construct accepted but not executed). */
  readonly warnings?: readonly ModelProblem[];
}
