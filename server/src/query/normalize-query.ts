/**
 * Cube query JSON → `NormalizedQuery`: shape validated, members resolved (cube or view members),
 * filters typed, date ranges absolute, limit and default order applied as Cube applies them.
 * https://cube.dev/docs/product/apis-integrations/rest-api/query-format
 */
import type { Dimension, Measure, Segment, SemanticModel } from '../model/model-types.ts';
import { GRANULARITIES } from '../model/model-types.ts';
import type { CubeQuery, NormalizedOrder, NormalizedQuery, NormalizedTimeDimension, OrderDirection, ResolvedMember, TimeDimensionRequest } from './query-types.ts';
import { UserError } from '../errors/user-error.ts';
import { parseCubeQuery } from './parse-cube-query.ts';
import { resolveAnyMember, resolveMember } from './resolve-member.ts';
import { normalizeFilters, type FilterContext } from './normalize-filter.ts';
import { parseDateRange } from './parse-date-range.ts';

/** Knobs of normalization; `now` is injectable so relative date ranges are testable. */
export interface NormalizeOptions {
  readonly now?: Date;
  /** Default row limit when the query gives none (Cube: 10000). */
  readonly defaultLimit?: number;
  /** `CUBEJS_DB_QUERY_LIMIT` (Cube: 50000); a larger `limit` is rejected. */
  readonly maxLimit?: number;
  /**
   * false: a query without `order` is left unordered instead of getting Cube's default order (a
   * SQL statement without ORDER BY promises no order, and sorting a whole table to stream it
   * would hold all of it in memory).
   */
  readonly defaultOrder?: boolean;
}

export function normalizeQuery(model: SemanticModel, value: unknown, options: NormalizeOptions = {}): NormalizedQuery {
  const maxLimit = options.maxLimit ?? 50000;
  const query = parseCubeQuery(value, { maxLimit });
  const timezone = query.timezone ?? 'UTC';
  const ctx: FilterContext = { model, timezone, now: options.now ?? new Date() };
  const measures = (query.measures ?? []).map((m, i) => resolveMember(model, m, 'measure', `measures[${i}]`));
  const { plain, granular } = splitGranularDimensions(model, query.dimensions ?? []);
  const dimensions = plain.map(({ name, index }) => resolveMember(model, name, 'dimension', `dimensions[${index}]`));
  const segments = (query.segments ?? []).map((s, i) => resolveMember(model, s, 'segment', `segments[${i}]`));
  const timeDimensions = [
    ...(query.timeDimensions ?? []).map((td, i) => normalizeTimeDimension(td, ctx, `timeDimensions[${i}]`)),
    ...granular.map(({ request, index }) => normalizeTimeDimension(request, ctx, `dimensions[${index}]`)),
  ];
  const filters = normalizeFilters(query.filters ?? [], ctx, 'filters');
  const explicitOrder = normalizeOrder(model, query.order);
  const orderOnly = orderOnlyMeasures(explicitOrder ?? [], measures);
  const base = { measures, dimensions, segments, timeDimensions };
  return {
    ...base,
    measures: [...measures, ...orderOnly],
    ...(orderOnly.length > 0 ? { orderOnlyMeasures: orderOnly.map((m) => m.alias) } : {}),
    filters,
    order: explicitOrder?.map(({ alias, direction }) => ({ alias, direction })) ?? (options.defaultOrder === false ? [] : defaultOrder(base)),
    limit: query.limit ?? Math.min(options.defaultLimit ?? 10000, maxLimit),
    offset: query.offset ?? 0,
    ...(query.limit !== undefined || (query.offset ?? 0) > 0 ? { paged: true } : {}),
    total: query.total === true,
    ungrouped: query.ungrouped === true,
    timezone,
  };
}

/**
 * Cube's shorthand `dimensions: ['Cube.time.month']`: a time dimension with a granularity, listed
 * as a dimension. Such entries become time dimensions (answered under the same `Cube.time.month`
 * key); every other entry stays a dimension.
 */
function splitGranularDimensions(model: SemanticModel, names: readonly string[]) {
  const plain: { name: string; index: number }[] = [];
  const granular: { request: TimeDimensionRequest; index: number }[] = [];
  names.forEach((name, index) => {
    const parts = name.split('.');
    const dimension = parts.length === 3 ? knownDimension(model, `${parts[0]}.${parts[1]}`) : undefined;
    const granularity = parts[2];
    if (dimension?.type === 'time' && granularity !== undefined && hasGranularity(dimension, granularity)) granular.push({ request: { dimension: `${parts[0]}.${parts[1]}`, granularity }, index });
    else plain.push({ name, index });
  });
  return { plain, granular };
}

/** A standard granularity, or one declared on the time dimension. */
function hasGranularity(dimension: Dimension, granularity: string): boolean {
  return (GRANULARITIES as readonly string[]).includes(granularity) || dimension.granularities.some((g) => g.name === granularity);
}

/** The cube's or view's dimension of that name, or undefined when there is none. */
function knownDimension(model: SemanticModel, name: string): Dimension | undefined {
  try {
    return resolveMember(model, name, 'dimension', 'dimensions').member as Dimension;
  } catch {
    return undefined;
  }
}

function normalizeTimeDimension(td: TimeDimensionRequest, ctx: FilterContext, where: string): NormalizedTimeDimension {
  const target = resolveMember(ctx.model, td.dimension, 'dimension', `${where}.dimension`) as ResolvedMember<Dimension>;
  if (target.member.type !== 'time') throw new UserError('QUERY_INVALID', `${where}: ${target.alias} is a ${target.member.type} dimension, not a time dimension`);
  const granularity = td.granularity;
  if (granularity !== undefined && !hasGranularity(target.member, granularity)) {
    throw new UserError('QUERY_INVALID', `${where}: unknown granularity "${granularity}" for ${target.alias}`, {
      hint: `Standard granularities: ${GRANULARITIES.join(', ')}; custom ones are declared under the dimension's granularities.`,
    });
  }
  const dateRange = td.dateRange === undefined ? undefined : parseDateRange(td.dateRange, ctx.timezone, ctx.now, target.alias);
  const compareDateRange = td.compareDateRange?.map((r) => parseDateRange(r, ctx.timezone, ctx.now, target.alias));
  return { target, granularity, dateRange, compareDateRange };
}

/** An order key with the member it names. */
interface ResolvedOrder extends NormalizedOrder {
  readonly member: ResolvedMember<Measure | Dimension | Segment>;
}

/** The explicit order as pairs, each key resolved; `undefined` when the query gives none (or `[]`/`{}`). */
function normalizeOrder(model: SemanticModel, order: CubeQuery['order']): ResolvedOrder[] | undefined {
  if (order === undefined) return undefined;
  const pairs: readonly (readonly [string, OrderDirection])[] = isPairList(order) ? order : Object.entries(order);
  if (pairs.length === 0) return undefined;
  return pairs.map(([alias, direction], i) => ({ alias, direction, member: resolveOrderMember(model, alias, i) }));
}

/**
 * Measures the order names but the query does not select. Cube's classic planner dropped such a key
 * from ORDER BY while echoing it; its Tesseract planner computes the measure for ORDER BY without
 * returning it (cube-js/cube#10218), which is what the echoed order promises.
 */
function orderOnlyMeasures(order: readonly ResolvedOrder[], measures: readonly ResolvedMember<Measure>[]): ResolvedMember<Measure>[] {
  const selected = new Set(measures.map((m) => m.alias));
  const added: ResolvedMember<Measure>[] = [];
  for (const { member } of order) {
    if (member.member.kind !== 'measure' || selected.has(member.alias)) continue;
    selected.add(member.alias);
    added.push(member as ResolvedMember<Measure>);
  }
  return added;
}

function isPairList(order: NonNullable<CubeQuery['order']>): order is readonly (readonly [string, OrderDirection])[] {
  return Array.isArray(order);
}

/** Order keys name a member, or `member.granularity` of a time dimension. */
function resolveOrderMember(model: SemanticModel, alias: unknown, i: number): ResolvedMember<Measure | Dimension | Segment> {
  if (typeof alias === 'string') {
    const parts = alias.split('.');
    if (parts.length === 3) return resolveAnyMember(model, `${parts[0]}.${parts[1]}`, `order[${i}]`);
  }
  return resolveAnyMember(model, alias, `order[${i}]`);
}

/** Cube's default: first time dimension with a granularity asc, else first measure desc, else first dimension asc. */
function defaultOrder(q: Pick<NormalizedQuery, 'measures' | 'dimensions' | 'timeDimensions'>): NormalizedOrder[] {
  const td = q.timeDimensions.find((t) => t.granularity);
  if (td) return [{ alias: td.target.alias, direction: 'asc' }];
  if (q.measures[0]) return [{ alias: q.measures[0].alias, direction: 'desc' }];
  if (q.dimensions[0]) return [{ alias: q.dimensions[0].alias, direction: 'asc' }];
  return [];
}
