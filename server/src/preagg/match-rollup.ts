/**
 * Decides whether a rollup pre-aggregation can answer a normalized query, following Cube's
 * matching rules (https://cube.dev/docs/product/caching/matching-pre-aggregations):
 * - every measure is stored in the rollup, or is a `number` measure built only from stored ones;
 *   additive measures (count, sum, min, max, avg kept as sum + count) re-aggregate to any coarser
 *   grouping, non-additive ones (count_distinct, count_distinct_approx, stored `number`) only
 *   when the query groups by exactly the rollup's dimensions and granularity;
 * - every dimension and every filtered dimension is a rollup dimension; a `measureFilter` (drill-down)
 *   only when its measure's filters read nothing but rollup dimensions (measure-filter-dimensions.ts);
 * - segments are exactly the rollup's segments (a segment filters the stored rows);
 * - time dimensions are the rollup's, at a granularity derivable from the stored one, with date
 *   ranges on whole buckets unless `allow_non_strict_date_range_match`;
 * - the query runs in the rollup's time zone (rollups are built in UTC unless the refresh key says otherwise);
 * - nothing involved reads the security context (a rollup is built once, for every caller);
 * - a non-additive measure is served only when no partition splits one of its groups.
 */
import type { Cube, Measure, PreAggregation, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import { isAlignedRange, isDerivableGranularity } from './granularity-math.ts';
import { isBatchOfSourceLambda, lambdaAsRollup, resolveLambda, type ResolvedLambda } from './lambda-rollup.ts';
import { measureFilterDimensions } from './measure-filter-dimensions.ts';

export interface RollupMatch {
  readonly cube: Cube;
  readonly preAggregation: PreAggregation;
  /** The query groups exactly like the rollup: stored values can be read without re-aggregating. */
  readonly exact: boolean;
  /** Set for a `rollup_lambda`: `preAggregation` then carries its batch rollup's members. */
  readonly lambda?: ResolvedLambda;
}

export interface RollupRejection {
  readonly preAggregation: string; // "cube.name"
  readonly reason: string;
}

/**
 * Why a pre-aggregation does not serve a query, as `/v1/explain` reports it. The codes of the
 * matching rules are set here; those of the store's state (NOT_BUILT_YET, OUTSIDE_BUILD_RANGE,
 * PARTITION_NOT_BUILT, ...) by the matcher (rollup-matcher.ts), which owns the final decision.
 */
export type MissCode =
  | 'UNGROUPED_QUERY'
  | 'NO_MEASURES'
  | 'MEASURES_FROM_SEVERAL_CUBES'
  | 'DIFFERENT_CUBE'
  | 'NOT_A_ROLLUP'
  | 'LAMBDA_BATCH_LAYER'
  | 'LAMBDA_UNSUPPORTED'
  | 'TIMEZONE_MISMATCH'
  | 'SECURITY_CONTEXT_IN_SQL'
  | 'MISSING_MEASURE'
  | 'MEASURE_NOT_ADDITIVE'
  | 'MEASURE_COMPUTED_FROM_SOURCE'
  | 'CALCULATED_MEASURE_NOT_DERIVABLE'
  | 'MISSING_DIMENSION'
  | 'SEGMENT_NOT_IN_ROLLUP'
  | 'ROLLUP_SEGMENT_NOT_IN_QUERY'
  | 'TIME_DIMENSION_MISMATCH'
  | 'GRANULARITY_TOO_FINE'
  | 'GRANULARITY_NOT_DERIVABLE'
  | 'DATE_RANGE_NOT_ALIGNED'
  | 'FILTER_ON_NON_ROLLUP_MEMBER'
  | 'MEASURE_FILTER_NOT_IN_ROLLUP'
  | 'ROW_FILTER_ON_NON_ROLLUP_MEMBER'
  | 'ROLLUPS_DISABLED'
  | 'NOT_BUILT_YET'
  | 'OUTSIDE_BUILD_RANGE'
  | 'PARTITION_NOT_BUILT'
  | 'LAMBDA_NOT_SERVABLE'
  | 'ANOTHER_ROLLUP_SERVES';

export interface MissReason {
  readonly code: MissCode;
  readonly message: string;
  /** The member the reason is about (query member path), when there is one. */
  readonly member?: string;
}

/** One pre-aggregation of the model weighed against a query: a match, or every rule it breaks. */
export interface RollupAssessment {
  readonly id: string; // "cube.name"
  readonly cube: Cube;
  /** The pre-aggregation as the model declares it (a lambda, not its batch). */
  readonly declared: PreAggregation;
  readonly reasons: readonly MissReason[];
  /** Set when no rule is broken: what the matcher then tries to serve from the store. */
  readonly match?: RollupMatch;
}

const ADDITIVE = new Set(['count', 'sum', 'min', 'max', 'avg']);
const ROLLUP_TYPES = new Set(['rollup', 'rollup_lambda']);

/** The best rollup for the query, or undefined; `rejections` says why each candidate did not fit. */
export function matchRollup(query: NormalizedQuery, model: SemanticModel, rejections: RollupRejection[] = []): RollupMatch | undefined {
  return matchRollups(query, model, rejections)[0];
}

/** Every rollup that can answer the query, smallest first (the caller takes the first one built). */
export function matchRollups(query: NormalizedQuery, model: SemanticModel, rejections?: RollupRejection[]): RollupMatch[] {
  const assessed = assessRollups(query, model);
  if (rejections) {
    for (const a of assessed) if (!a.match) rejections.push({ preAggregation: a.id, reason: a.reasons.map((r) => r.message).join('; ') });
    if (new Set(query.measures.map((m) => m.member.cube)).size > 1) rejections.push({ preAggregation: '*', reason: 'measures from more than one cube' });
  }
  return sortBySize(assessed.flatMap((a) => (a.match ? [a.match] : [])));
}

/** Matches smallest first: the order the matcher tries them in. */
export function sortBySize(matches: readonly RollupMatch[]): RollupMatch[] {
  return [...matches].sort((a, b) => estimatedSize(a.preAggregation) - estimatedSize(b.preAggregation));
}

/**
 * Weighs pre-aggregations against the query with Cube's rules: the one place those rules live
 * (the matcher serves from `match`, `/v1/explain` reports `reasons`). By default only the rollups
 * of the query's measure cube (the only ones that can match); `every: true` adds every other
 * pre-aggregation of the model, each with the reason it cannot serve.
 */
export function assessRollups(query: NormalizedQuery, model: SemanticModel, options: { every?: boolean } = {}): RollupAssessment[] {
  const measureCubes = new Set(query.measures.map((m) => m.member.cube));
  const queryReasons: MissReason[] = [];
  if (query.ungrouped) queryReasons.push({ code: 'UNGROUPED_QUERY', message: 'an ungrouped query reads rows, not aggregates: rollups never serve it' });
  if (query.measures.length === 0) queryReasons.push({ code: 'NO_MEASURES', message: 'a query without measures is answered from the source' });
  if (measureCubes.size > 1) {
    queryReasons.push({ code: 'MEASURES_FROM_SEVERAL_CUBES', message: `measures from more than one cube (${[...measureCubes].join(', ')}): rollup_join is not supported, the source answers` });
  }
  // The cubes whose rollups could hold the query: its measures' (or, without measures, its members').
  const queryCubes = measureCubes.size > 0 ? measureCubes : new Set([...query.dimensions, ...query.segments, ...query.timeDimensions.map((td) => td.target)].map((m) => m.member.cube));
  const cubes = options.every ? Object.values(model.cubes) : [...measureCubes].flatMap((name) => (model.cubes[name] ? [model.cubes[name]] : []));
  const assessed: RollupAssessment[] = [];
  for (const cube of cubes) {
    for (const declared of Object.values(cube.preAggregations)) {
      const id = `${cube.name}.${declared.name}`;
      if (!queryCubes.has(cube.name)) {
        const owner = [...queryCubes].join(', ') || 'none';
        assessed.push({ id, cube, declared, reasons: [{ code: 'DIFFERENT_CUBE', message: `a pre-aggregation of ${cube.name}, which the query does not reach as its measures' cube (the query's: ${owner})` }] });
        continue;
      }
      const reasons = [...queryReasons, ...declaredProblems(cube, declared)];
      let rollup = declared;
      let lambda: ResolvedLambda | undefined;
      if (reasons.length === 0 && declared.type === 'rollup_lambda') {
        const resolved = resolveLambda(cube, declared);
        if ('reason' in resolved) reasons.push({ code: 'LAMBDA_UNSUPPORTED', message: resolved.reason });
        else {
          lambda = resolved;
          rollup = lambdaAsRollup(resolved);
        }
      }
      if (reasons.length === 0) reasons.push(...rollupProblems(query, cube, rollup));
      assessed.push({ id, cube, declared, reasons, ...(reasons.length === 0 ? { match: { cube, preAggregation: rollup, exact: groupsExactly(query, rollup), ...(lambda ? { lambda } : {}) } } : {}) });
    }
  }
  return assessed;
}

/** Reasons a pre-aggregation is never matched on its own, whatever the query. */
function declaredProblems(cube: Cube, declared: PreAggregation): MissReason[] {
  if (!ROLLUP_TYPES.has(declared.type)) {
    return [{ code: 'NOT_A_ROLLUP', message: `a ${declared.type} pre-aggregation is not matched to queries (only rollup and rollup_lambda are)` }];
  }
  if (declared.type === 'rollup' && isBatchOfSourceLambda(cube, declared)) {
    return [{ code: 'LAMBDA_BATCH_LAYER', message: 'batch layer of a lambda with source data: served through the lambda' }];
  }
  return [];
}

/** Every matching rule the rollup breaks for the query (empty: it can answer, if built); also checks suggested rollups. */
export function rollupProblems(query: NormalizedQuery, cube: Cube, rollup: PreAggregation): MissReason[] {
  const problems: MissReason[] = [];
  const timezone = rollup.refreshKey?.timezone ?? 'UTC';
  if (query.timezone !== timezone) problems.push({ code: 'TIMEZONE_MISMATCH', message: `query time zone ${query.timezone} differs from the rollup's ${timezone}` });
  if (readsSecurityContext(cube)) problems.push({ code: 'SECURITY_CONTEXT_IN_SQL', message: `cube ${cube.name} reads the security context in its SQL: a rollup is built once for every caller` });
  const dimensions = new Set(rollup.dimensions);
  const timeDimensions = new Map(rollup.timeDimensions.map((td) => [td.dimension, td.granularity]));
  const exact = groupsExactly(query, rollup);

  for (const { alias, member } of query.measures) {
    const problem = measureProblem(member, cube, rollup, exact);
    if (problem) problems.push({ ...problem, member: alias });
  }
  for (const { alias, member } of query.dimensions) {
    if (!dimensions.has(member.path)) problems.push({ code: 'MISSING_DIMENSION', message: `dimension ${member.path} is not in the rollup`, member: alias });
  }
  const querySegments = new Set(query.segments.map((s) => s.member.path));
  for (const { alias, member } of query.segments) {
    if (!rollup.segments.includes(member.path)) problems.push({ code: 'SEGMENT_NOT_IN_ROLLUP', message: `segment ${member.path} is not in the rollup`, member: alias });
  }
  for (const segment of rollup.segments) {
    if (!querySegments.has(segment)) problems.push({ code: 'ROLLUP_SEGMENT_NOT_IN_QUERY', message: `the rollup stores only the rows of segment ${segment}, which the query does not ask for`, member: segment });
  }
  for (const td of query.timeDimensions) {
    const path = td.target.member.path;
    const stored = timeDimensions.get(path);
    if (!stored) {
      const own = rollup.timeDimensions.map((t) => t.dimension).join(', ') || 'none';
      problems.push({ code: 'TIME_DIMENSION_MISMATCH', message: `time dimension ${path} is not the rollup's (${own})`, member: td.target.alias });
      continue;
    }
    if (td.granularity && !isDerivableGranularity(td.granularity, stored)) {
      const finer = (GRANULARITY_WEIGHT[td.granularity] ?? -1) > (GRANULARITY_WEIGHT[stored] ?? Infinity);
      problems.push(
        finer
          ? { code: 'GRANULARITY_TOO_FINE', message: `granularity ${td.granularity} is finer than the rollup's ${stored}`, member: td.target.alias }
          : { code: 'GRANULARITY_NOT_DERIVABLE', message: `granularity ${td.granularity} cannot be computed from ${stored} buckets`, member: td.target.alias },
      );
    }
    const ranges = [...(td.dateRange ? [td.dateRange] : []), ...(td.compareDateRange ?? [])];
    if (!rollup.allowNonStrictDateRangeMatch && ranges.some((r) => !isAlignedRange(r, stored))) {
      problems.push({ code: 'DATE_RANGE_NOT_ALIGNED', message: `date range does not fall on whole ${stored} buckets (allow_non_strict_date_range_match is off)`, member: td.target.alias });
    }
  }
  if (query.filters.length > 0) {
    const queryDimensions = new Set(query.dimensions.map((d) => d.member.path));
    filtersProblems(query.filters, { dimensions, cube, rollup, exact, queryDimensions, rowFilters: query.rowFilters ?? [] }, false, problems);
  }
  return problems;
}

type Problem = Omit<MissReason, 'member'>;

function measureProblem(measure: Measure, cube: Cube, rollup: PreAggregation, exact: boolean, depth = 0): Problem | undefined {
  const notDerivable = (message: string): Problem => ({ code: 'CALCULATED_MEASURE_NOT_DERIVABLE', message });
  if (depth > 10) return notDerivable(`measure ${measure.path} is nested too deeply`);
  if (measure.rollingWindow || measure.type === 'running_total' || measure.multiStage) {
    return { code: 'MEASURE_COMPUTED_FROM_SOURCE', message: `measure ${measure.path} (rolling/multi-stage) is computed from the source` };
  }
  const stored = rollup.measures.includes(measure.path);
  if (stored && ADDITIVE.has(measure.type)) return undefined;
  if (stored && exact) {
    return partitionsSplitGroups(rollup)
      ? { code: 'MEASURE_NOT_ADDITIVE', message: `measure ${measure.path} (${measure.type}) is not additive and partitions split its groups` }
      : undefined;
  }
  if (measure.type === 'number' && measure.sql) {
    if (measure.sql.some((p) => p.kind !== 'member' && p.kind !== 'text')) return notDerivable(`number measure ${measure.path} reads columns, not only measures`);
    const references = measure.sql.filter((p) => p.kind === 'member').map((p) => (p as { path: string }).path);
    if (references.length === 0) return notDerivable(`number measure ${measure.path} has no measures to compose`);
    for (const path of references) {
      const [cubeName, name] = path.split('.') as [string, string];
      const leaf = cubeName === cube.name ? cube.measures[name] : undefined;
      if (!leaf) return notDerivable(`number measure ${measure.path} uses ${path}, which is not a measure of ${cube.name}`);
      const problem = measureProblem(leaf, cube, rollup, exact, depth + 1);
      if (problem) return { code: problem.code, message: `${problem.message} (used by ${measure.path})` };
    }
    return undefined;
  }
  if (!stored) return { code: 'MISSING_MEASURE', message: `measure ${measure.path} is not in the rollup` };
  return { code: 'MEASURE_NOT_ADDITIVE', message: `measure ${measure.path} (${measure.type}) is not additive and the query groups differently from the rollup` };
}

interface FilterScope {
  readonly dimensions: ReadonlySet<string>;
  readonly cube: Cube;
  readonly rollup: PreAggregation;
  readonly exact: boolean;
  readonly queryDimensions: ReadonlySet<string>;
  /** The access-policy row filters secureQuery added (the same objects as in `filters`). */
  readonly rowFilters: readonly NormalizedFilter[];
}

function filtersProblems(filters: readonly NormalizedFilter[], scope: FilterScope, fromPolicy: boolean, problems: MissReason[]): void {
  for (const filter of filters) {
    const policy = fromPolicy || scope.rowFilters.includes(filter);
    if (filter.kind === 'and' || filter.kind === 'or') {
      filtersProblems(filter.filters, scope, policy, problems);
      continue;
    }
    if (filter.kind === 'measureFilter') {
      problems.push(...measureFilterProblems(filter.target, scope));
      continue;
    }
    const member = filter.target.member;
    const alias = filter.target.alias;
    if (member.kind === 'measure') {
      const problem = measureProblem(member, scope.cube, scope.rollup, scope.exact);
      if (problem) problems.push({ code: problem.code, message: `filter: ${problem.message}`, member: alias });
    } else if (!scope.dimensions.has(member.path)) {
      problems.push(
        policy
          ? { code: 'ROW_FILTER_ON_NON_ROLLUP_MEMBER', message: `the caller's access policy filters rows on ${member.path}, which is not a rollup dimension`, member: alias }
          : { code: 'FILTER_ON_NON_ROLLUP_MEMBER', message: `filter on ${member.path}, which is not a rollup dimension`, member: alias },
      );
    } else if (scope.exact && !scope.queryDimensions.has(member.path)) {
      problems.push({ code: 'MEASURE_NOT_ADDITIVE', message: `filter on ${member.path} would need re-aggregation of non-additive measures`, member: alias });
    }
  }
}

/** Why the rollup cannot apply a measureFilter's row condition (none: it reads only stored dimensions). */
function measureFilterProblems({ alias, member }: ResolvedMember<Measure>, scope: FilterScope): MissReason[] {
  const read = measureFilterDimensions(member, scope.cube);
  if (!read) {
    return [{ code: 'MEASURE_FILTER_NOT_IN_ROLLUP', message: `measureFilter on ${member.path}: its filters read more than dimensions of ${scope.cube.name} a rollup can store (columns, functions, time or other cubes' members)`, member: alias }];
  }
  const missing = read.filter((path) => !scope.dimensions.has(path));
  if (missing.length > 0) {
    return [{ code: 'MEASURE_FILTER_NOT_IN_ROLLUP', message: `measureFilter on ${member.path}: its filters read ${missing.join(', ')}, not rollup dimensions`, member: alias }];
  }
  const regrouped = read.filter((path) => !scope.queryDimensions.has(path));
  if (scope.exact && regrouped.length > 0) {
    return [{ code: 'MEASURE_NOT_ADDITIVE', message: `measureFilter on ${member.path} filters on ${regrouped.join(', ')}: non-additive measures would need re-aggregation`, member: alias }];
  }
  return [];
}

/** A partition coarser than or equal to the rollup's time granularity keeps every group in one table. */
function partitionsSplitGroups(rollup: PreAggregation): boolean {
  const partition = rollup.partitionGranularity;
  const stored = rollup.timeDimensions[0]?.granularity;
  return partition !== undefined && stored !== undefined && !isDerivableGranularity(partition, stored);
}

const securityContextReaders = new WeakMap<Cube, boolean>();

/** Does any SQL of the cube bind `{SECURITY_CONTEXT.x}`? Then its rows depend on the caller. */
function readsSecurityContext(cube: Cube): boolean {
  let reads = securityContextReaders.get(cube);
  if (reads === undefined) {
    const templates = [
      cube.sql, cube.sqlTable,
      ...Object.values(cube.measures).flatMap((m) => [m.sql, ...m.filters]),
      ...Object.values(cube.dimensions).map((d) => d.sql),
      ...Object.values(cube.segments).map((s) => s.sql),
    ];
    reads = templates.some((t) => t?.some((part) => part.kind === 'securityContext') ?? false);
    securityContextReaders.set(cube, reads);
  }
  return reads;
}

/** Does the query group by exactly the rollup's dimensions and time granularities? */
function groupsExactly(query: NormalizedQuery, rollup: PreAggregation): boolean {
  const queryDims = new Set(query.dimensions.map((d) => d.member.path));
  if (queryDims.size !== rollup.dimensions.length || rollup.dimensions.some((d) => !queryDims.has(d))) return false;
  if (query.timeDimensions.filter((td) => td.granularity).length !== rollup.timeDimensions.length) return false;
  return rollup.timeDimensions.every((rtd) =>
    query.timeDimensions.some((td) => td.target.member.path === rtd.dimension && td.granularity === rtd.granularity),
  );
}

const GRANULARITY_WEIGHT: Record<string, number> = { second: 7, minute: 6, hour: 5, day: 4, week: 3, month: 2, quarter: 1, year: 0 };

/** Rough size order: fewer dimensions and coarser granularities mean fewer rows. */
function estimatedSize(rollup: PreAggregation): number {
  return rollup.dimensions.length * 10 + rollup.timeDimensions.reduce((sum, td) => sum + (GRANULARITY_WEIGHT[td.granularity] ?? 8), 0);
}
