/**
 * Cube query JSON → `NormalizedQuery`: shape validated, members resolved (cube or view members),
 * filters typed, date ranges absolute, limit and default order applied as Cube applies them.
 * https://cube.dev/docs/product/apis-integrations/rest-api/query-format
 */
import type { Dimension, SemanticModel } from '../model/model-types.ts';
import { GRANULARITIES } from '../model/model-types.ts';
import type { NormalizedOrder, NormalizedQuery, NormalizedTimeDimension, OrderDirection, ResolvedMember } from './query-types.ts';
import { UserError } from '../errors/user-error.ts';
import { validateQueryShape } from './validate-query-shape.ts';
import { resolveAnyMember, resolveMember } from './resolve-member.ts';
import { normalizeFilters, type FilterContext } from './normalize-filter.ts';
import { parseDateRange } from './parse-date-range.ts';
import { isValidTimeZone } from '../time/local-time.ts';

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

export function normalizeQuery(model: SemanticModel, query: unknown, options: NormalizeOptions = {}): NormalizedQuery {
  validateQueryShape(query);
  const timezone = (query.timezone as string | undefined) ?? 'UTC';
  if (!isValidTimeZone(timezone)) throw new UserError('QUERY_INVALID', `Invalid query: timezone "${timezone}" is not an IANA time zone`);
  const ctx: FilterContext = { model, timezone, now: options.now ?? new Date() };
  const measures = ((query.measures as string[] | undefined) ?? []).map((m, i) => resolveMember(model, m, 'measure', `measures[${i}]`));
  const dimensions = ((query.dimensions as string[] | undefined) ?? []).map((d, i) => resolveMember(model, d, 'dimension', `dimensions[${i}]`));
  const segments = ((query.segments as string[] | undefined) ?? []).map((s, i) => resolveMember(model, s, 'segment', `segments[${i}]`));
  const timeDimensions = ((query.timeDimensions as Record<string, unknown>[] | undefined) ?? []).map((td, i) => normalizeTimeDimension(td, ctx, `timeDimensions[${i}]`));
  requireSomethingToSelect(measures.length + dimensions.length, timeDimensions);
  const filters = normalizeFilters((query.filters as unknown[] | undefined) ?? [], ctx, 'filters');
  const limit = normalizeLimit(query.limit, options);
  const offset = query.offset === undefined || query.offset === null ? 0 : Number(query.offset);
  const explicitOrder = normalizeOrder(model, query.order);
  const base = { measures, dimensions, segments, timeDimensions };
  return {
    ...base,
    filters,
    order: explicitOrder ?? (options.defaultOrder === false ? [] : defaultOrder(base)),
    limit,
    offset,
    total: query.total === true,
    ungrouped: query.ungrouped === true,
    timezone,
  };
}

function normalizeTimeDimension(td: Record<string, unknown>, ctx: FilterContext, where: string): NormalizedTimeDimension {
  const target = resolveMember(ctx.model, td.dimension, 'dimension', `${where}.dimension`) as ResolvedMember<Dimension>;
  if (target.member.type !== 'time') throw new UserError('QUERY_INVALID', `${where}: ${target.alias} is a ${target.member.type} dimension, not a time dimension`);
  const granularity = td.granularity === null ? undefined : (td.granularity as string | undefined);
  if (granularity !== undefined && !(GRANULARITIES as readonly string[]).includes(granularity) && !target.member.granularities.some((g) => g.name === granularity)) {
    throw new UserError('QUERY_INVALID', `${where}: unknown granularity "${granularity}" for ${target.alias}`, {
      hint: `Standard granularities: ${GRANULARITIES.join(', ')}; custom ones are declared under the dimension's granularities.`,
    });
  }
  const dateRange = td.dateRange === undefined || td.dateRange === null ? undefined : parseDateRange(td.dateRange, ctx.timezone, ctx.now, target.alias);
  const compareRanges = td.compareDateRange as unknown[] | undefined;
  // Each range is one result set: none would be an answer without results.
  if (compareRanges?.length === 0) throw new UserError('QUERY_INVALID', `${where}.compareDateRange of ${target.alias} needs at least one date range`);
  const compareDateRange = compareRanges?.map((r) => parseDateRange(r, ctx.timezone, ctx.now, target.alias));
  return { target, granularity, dateRange, compareDateRange };
}

/**
 * Cube's rule (same message as its API gateway): a query returns at least one member column.
 * Filters, segments or a date range alone select nothing, and would otherwise render an empty SELECT.
 */
function requireSomethingToSelect(members: number, timeDimensions: readonly NormalizedTimeDimension[]): void {
  if (members > 0 || timeDimensions.some((td) => td.granularity)) return;
  throw new UserError('QUERY_INVALID', 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid', {
    hint: 'add a measure or a dimension; filters, segments and date ranges only narrow the rows',
  });
}

function normalizeLimit(limit: unknown, options: NormalizeOptions): number {
  const max = options.maxLimit ?? 50000;
  if (limit === undefined || limit === null) return Math.min(options.defaultLimit ?? 10000, max);
  const n = Number(limit);
  if (n > max) throw new UserError('LIMIT_EXCEEDED', `Invalid query: limit ${n} exceeds the maximum of ${max} (CUBEJS_DB_QUERY_LIMIT)`);
  return n;
}

function normalizeOrder(model: SemanticModel, order: unknown): NormalizedOrder[] | undefined {
  if (order === undefined || order === null) return undefined;
  const pairs: unknown[][] = Array.isArray(order) ? (order as unknown[][]) : Object.entries(order as Record<string, unknown>);
  if (pairs.length === 0) return undefined;
  return pairs.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new UserError('QUERY_INVALID', `Invalid query: order[${i}] must be a [member, "asc" | "desc"] pair`);
    const [alias, direction] = pair as [unknown, unknown];
    if (direction !== 'asc' && direction !== 'desc') throw new UserError('QUERY_INVALID', `Invalid query: order of ${String(alias)} must be "asc" or "desc"`);
    resolveOrderMember(model, alias, i);
    return { alias: alias as string, direction: direction as OrderDirection };
  });
}

/** Order keys name a member, or `member.granularity` of a time dimension. */
function resolveOrderMember(model: SemanticModel, alias: unknown, i: number): void {
  if (typeof alias === 'string') {
    const parts = alias.split('.');
    if (parts.length === 3) return void resolveAnyMember(model, `${parts[0]}.${parts[1]}`, `order[${i}]`);
  }
  resolveAnyMember(model, alias, `order[${i}]`);
}

/** Cube's default: first time dimension with a granularity asc, else first measure desc, else first dimension asc. */
function defaultOrder(q: Pick<NormalizedQuery, 'measures' | 'dimensions' | 'timeDimensions'>): NormalizedOrder[] {
  const td = q.timeDimensions.find((t) => t.granularity);
  if (td) return [{ alias: td.target.alias, direction: 'asc' }];
  if (q.measures[0]) return [{ alias: q.measures[0].alias, direction: 'desc' }];
  if (q.dimensions[0]) return [{ alias: q.dimensions[0].alias, direction: 'asc' }];
  return [];
}
