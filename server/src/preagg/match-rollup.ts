/**
 * Decides whether a rollup pre-aggregation can answer a normalized query, following Cube's
 * matching rules (https://cube.dev/docs/product/caching/matching-pre-aggregations):
 * - every measure is stored in the rollup, or is a `number` measure built only from stored ones;
 *   additive measures (count, sum, min, max, avg kept as sum + count) re-aggregate to any coarser
 *   grouping, non-additive ones (count_distinct, count_distinct_approx, stored `number`) only
 *   when the query groups by exactly the rollup's dimensions and granularity;
 * - every dimension and every filtered dimension is a rollup dimension;
 * - segments are exactly the rollup's segments (a segment filters the stored rows);
 * - time dimensions are the rollup's, at a granularity derivable from the stored one, with date
 *   ranges on whole buckets unless `allow_non_strict_date_range_match`;
 * - the query runs in the rollup's time zone (rollups are built in UTC unless the refresh key says otherwise);
 * - nothing involved reads the security context (a rollup is built once, for every caller);
 * - a non-additive measure is served only when no partition splits one of its groups.
 */
import type { Cube, Measure, PreAggregation, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery } from '../query/query-types.ts';
import { isAlignedRange, isDerivableGranularity } from './granularity-math.ts';
import { isBatchOfSourceLambda, lambdaAsRollup, resolveLambda, type ResolvedLambda } from './lambda-rollup.ts';

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

const ADDITIVE = new Set(['count', 'sum', 'min', 'max', 'avg']);
const ROLLUP_TYPES = new Set(['rollup', 'rollup_lambda']);

/** The best rollup for the query, or undefined; `rejections` says why each candidate did not fit. */
export function matchRollup(query: NormalizedQuery, model: SemanticModel, rejections: RollupRejection[] = []): RollupMatch | undefined {
  return matchRollups(query, model, rejections)[0];
}

/** Every rollup that can answer the query, smallest first (the caller takes the first one built). */
export function matchRollups(query: NormalizedQuery, model: SemanticModel, rejections: RollupRejection[] = []): RollupMatch[] {
  if (query.ungrouped) return [];
  const cubeNames = new Set(query.measures.map((m) => m.member.cube));
  if (query.measures.length === 0) return [];
  const candidates: RollupMatch[] = [];
  for (const cubeName of cubeNames.size === 1 ? cubeNames : new Set<string>()) {
    const cube = model.cubes[cubeName];
    if (!cube) continue;
    for (const preAggregation of Object.values(cube.preAggregations)) {
      if (!ROLLUP_TYPES.has(preAggregation.type)) continue;
      const id = `${cube.name}.${preAggregation.name}`;
      if (preAggregation.type === 'rollup' && isBatchOfSourceLambda(cube, preAggregation)) {
        rejections.push({ preAggregation: id, reason: 'batch layer of a lambda with source data: served through the lambda' });
        continue;
      }
      let lambda: ResolvedLambda | undefined;
      let rollup = preAggregation;
      if (preAggregation.type === 'rollup_lambda') {
        const resolved = resolveLambda(cube, preAggregation);
        if ('reason' in resolved) {
          rejections.push({ preAggregation: id, reason: resolved.reason });
          continue;
        }
        lambda = resolved;
        rollup = lambdaAsRollup(resolved);
      }
      const reason = whyNot(query, cube, rollup);
      if (reason) rejections.push({ preAggregation: id, reason });
      else candidates.push({ cube, preAggregation: rollup, exact: groupsExactly(query, rollup), ...(lambda ? { lambda } : {}) });
    }
  }
  if (cubeNames.size > 1) rejections.push({ preAggregation: '*', reason: 'measures from more than one cube' });
  return candidates.sort((a, b) => estimatedSize(a.preAggregation) - estimatedSize(b.preAggregation));
}

function whyNot(query: NormalizedQuery, cube: Cube, rollup: PreAggregation): string | undefined {
  const timezone = rollup.refreshKey?.timezone ?? 'UTC';
  if (query.timezone !== timezone) return `query time zone ${query.timezone} differs from the rollup's ${timezone}`;
  if (readsSecurityContext(cube)) return `cube ${cube.name} reads the security context`;
  const dimensions = new Set(rollup.dimensions);
  const timeDimensions = new Map(rollup.timeDimensions.map((td) => [td.dimension, td.granularity]));
  const exact = groupsExactly(query, rollup);

  for (const { member } of query.measures) {
    const problem = measureProblem(member, cube, rollup, exact);
    if (problem) return problem;
  }
  for (const { member } of query.dimensions) {
    if (!dimensions.has(member.path)) return `dimension ${member.path} is not in the rollup`;
  }
  const querySegments = new Set(query.segments.map((s) => s.member.path));
  if (querySegments.size !== rollup.segments.length || rollup.segments.some((s) => !querySegments.has(s))) {
    return 'segments differ from the rollup’s';
  }
  for (const td of query.timeDimensions) {
    const stored = timeDimensions.get(td.target.member.path);
    if (!stored) return `time dimension ${td.target.member.path} is not the rollup's`;
    if (td.granularity && !isDerivableGranularity(td.granularity, stored)) return `granularity ${td.granularity} cannot be computed from ${stored}`;
    const ranges = [...(td.dateRange ? [td.dateRange] : []), ...(td.compareDateRange ?? [])];
    if (!rollup.allowNonStrictDateRangeMatch && ranges.some((r) => !isAlignedRange(r, stored))) {
      return `date range does not fall on whole ${stored} buckets`;
    }
  }
  const filterProblem = filtersProblem(query.filters, dimensions, cube, rollup, exact, new Set(query.dimensions.map((d) => d.member.path)));
  if (filterProblem) return filterProblem;
  return undefined;
}

function measureProblem(measure: Measure, cube: Cube, rollup: PreAggregation, exact: boolean, depth = 0): string | undefined {
  if (depth > 10) return `measure ${measure.path} is nested too deeply`;
  if (measure.rollingWindow || measure.type === 'running_total' || measure.multiStage) return `measure ${measure.path} (rolling/multi-stage) is computed from the source`;
  const stored = rollup.measures.includes(measure.path);
  if (stored && ADDITIVE.has(measure.type)) return undefined;
  if (stored && exact) return partitionsSplitGroups(rollup) ? `measure ${measure.path} (${measure.type}) is not additive and partitions split its groups` : undefined;
  if (measure.type === 'number' && measure.sql) {
    if (measure.sql.some((p) => p.kind !== 'member' && p.kind !== 'text')) return `number measure ${measure.path} reads columns, not only measures`;
    const references = measure.sql.filter((p) => p.kind === 'member').map((p) => (p as { path: string }).path);
    if (references.length === 0) return `number measure ${measure.path} has no measures to compose`;
    for (const path of references) {
      const [cubeName, name] = path.split('.') as [string, string];
      const leaf = cubeName === cube.name ? cube.measures[name] : undefined;
      if (!leaf) return `number measure ${measure.path} uses ${path}, which is not a measure of ${cube.name}`;
      const problem = measureProblem(leaf, cube, rollup, exact, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (!stored) return `measure ${measure.path} is not in the rollup`;
  return `measure ${measure.path} (${measure.type}) is not additive and the query groups differently from the rollup`;
}

function filtersProblem(
  filters: readonly NormalizedFilter[],
  dimensions: ReadonlySet<string>,
  cube: Cube,
  rollup: PreAggregation,
  exact: boolean,
  queryDimensions: ReadonlySet<string>,
): string | undefined {
  for (const filter of filters) {
    if (filter.kind !== 'member') {
      const nested = filtersProblem(filter.filters, dimensions, cube, rollup, exact, queryDimensions);
      if (nested) return nested;
      continue;
    }
    const member = filter.target.member;
    if (member.kind === 'measure') {
      const problem = measureProblem(member, cube, rollup, exact);
      if (problem) return `filter: ${problem}`;
    } else if (!dimensions.has(member.path)) {
      return `filter on ${member.path}, which is not a rollup dimension`;
    } else if (exact && !queryDimensions.has(member.path)) {
      return `filter on ${member.path} would need re-aggregation of non-additive measures`;
    }
  }
  return undefined;
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
