/**
 * Translates a GraphQL `cube(...) { <cube> { <member> … } }` selection into Cube's query JSON,
 * following Cube's GraphQL gateway: measures and dimensions from the selected fields, a time
 * dimension's `value` as a dimension and each granularity field as a time dimension, order keys
 * as `cube.member` in the order the client wrote them, and the first `inDateRange` filter on a
 * time dimension moved into that time dimension's `dateRange` (so rollups can match).
 * https://cube.dev/docs/product/apis-integrations/graphql-api/reference
 */
import type { CubeQuery, DateRange, Filter, OrderDirection, TimeDimensionRequest } from '../../query/query-types.ts';
import { UserError } from '../../errors/user-error.ts';
import type { GraphqlCube } from './graphql-members.ts';
import { cubeWhereToFilters, rootWhereToFilters } from './graphql-where.ts';
import { GRANULARITY_FIELDS, type SelectedMember } from './graphql-selection.ts';

/** Arguments of the root `cube` field (and of `cubeCompare`), as coerced by graphql-js. */
export interface CubeRootArgs {
  readonly where?: Record<string, unknown>;
  readonly limit?: number | null;
  readonly offset?: number | null;
  readonly timezone?: string | null;
  readonly renewQuery?: boolean | null;
  readonly cache?: string | null;
  readonly ungrouped?: boolean | null;
}

export interface CompareArgs {
  readonly dimension: string; // "cube.member"
  readonly dateRanges: readonly (readonly string[])[];
}

/** One cube or view field selected under `cube { … }`, with its own arguments. */
export interface SelectedCube {
  readonly cube: GraphqlCube;
  readonly where?: Record<string, unknown>;
  /** Member names and directions, in the order the client wrote them. */
  readonly orderBy: readonly (readonly [string, OrderDirection])[];
  readonly segments: readonly string[];
  readonly members: readonly SelectedMember[];
}

/** Cube's `cache` modes that ask for fresh data map onto `renewQuery`. */
const RENEWING_CACHE_MODES = new Set(['must-revalidate', 'no-cache']);

/**
 * Builds the Cube query. `rootOrder` holds `[cubeField, member, direction]` triples from the root
 * `orderBy` in written order; per-cube `orderBy` entries follow them.
 */
export function buildCubeQuery(
  rootArgs: CubeRootArgs,
  rootOrder: readonly (readonly [string, string, OrderDirection])[],
  selected: readonly SelectedCube[],
  cubesByField: ReadonlyMap<string, GraphqlCube>,
): CubeQuery {
  let filters: Filter[] = rootArgs.where ? rootWhereToFilters(rootArgs.where, cubesByField) : [];
  for (const s of selected) if (s.where) filters = [...cubeWhereToFilters(s.where, s.cube), ...filters];
  const timeMembers = new Set([...cubesByField.values()].flatMap((c) => c.dimensions.filter((d) => d.type === 'time').map((d) => `${c.name}.${d.name}`)));
  const { rest, dateRanges } = takeDateRanges(filters, timeMembers);

  const order: [string, OrderDirection][] = [];
  for (const [field, member, direction] of rootOrder) order.push([`${cubesByField.get(field)?.name ?? field}.${member}`, direction]);
  for (const s of selected) for (const [member, direction] of s.orderBy) order.push([`${s.cube.name}.${member}`, direction]);

  const measures = new Set<string>();
  const dimensions = new Set<string>();
  const timeDimensions: TimeDimensionRequest[] = [];
  const granular = new Set<string>();
  for (const s of selected) {
    for (const member of s.members) {
      const path = `${s.cube.name}.${member.name}`;
      if (s.cube.measures.some((m) => m.name === member.name)) measures.add(path);
      else if (member.subfields.length === 0) dimensions.add(path);
      for (const sub of member.subfields) {
        if (sub === 'value') dimensions.add(path);
        else if (GRANULARITY_FIELDS.includes(sub) && !granular.has(`${path}.${sub}`)) {
          granular.add(`${path}.${sub}`);
          granular.add(path);
          const dateRange = dateRanges.get(path);
          timeDimensions.push({ dimension: path, granularity: sub, ...(dateRange ? { dateRange } : {}) });
        }
      }
    }
  }
  // A date range on a time dimension selected without granularity still filters the query.
  for (const [dimension, dateRange] of dateRanges) if (!granular.has(dimension)) timeDimensions.push({ dimension, dateRange });

  const segments = selected.flatMap((s) => s.segments.map((segment) => `${s.cube.name}.${segment}`));
  const renew = rootArgs.renewQuery === true || (rootArgs.cache ? RENEWING_CACHE_MODES.has(rootArgs.cache) : false);
  return {
    ...(measures.size ? { measures: [...measures] } : {}),
    ...(dimensions.size ? { dimensions: [...dimensions] } : {}),
    ...(segments.length ? { segments } : {}),
    ...(timeDimensions.length ? { timeDimensions } : {}),
    ...(rest.length ? { filters: rest } : {}),
    ...(order.length ? { order } : {}),
    // A limit of 0 means "no limit given" in Cube's GraphQL API: the default limit applies.
    ...(typeof rootArgs.limit === 'number' && rootArgs.limit !== 0 ? { limit: rootArgs.limit } : {}),
    ...(rootArgs.offset ? { offset: rootArgs.offset } : {}),
    ...(rootArgs.timezone ? { timezone: rootArgs.timezone } : {}),
    ...(rootArgs.ungrouped ? { ungrouped: true } : {}),
    ...(renew ? { renewQuery: true } : {}),
  };
}

/** Moves the first top-level `inDateRange` filter of each time dimension out of the filters. */
function takeDateRanges(filters: readonly Filter[], timeMembers: ReadonlySet<string>): { rest: Filter[]; dateRanges: Map<string, DateRange> } {
  const dateRanges = new Map<string, DateRange>();
  const rest = filters.filter((f) => {
    if (!('operator' in f) || f.operator !== 'inDateRange' || !f.member || !timeMembers.has(f.member) || dateRanges.has(f.member)) return true;
    dateRanges.set(f.member, toDateRange(f.values ?? [], f.member));
    return false;
  });
  return { rest, dateRanges };
}

/** Applies `compareDateRange` to the time dimension it names (adding it when not selected). */
export function withCompareDateRange(query: CubeQuery, compare: CompareArgs): CubeQuery {
  const ranges = compare.dateRanges.map((range) => toDateRange(range, compare.dimension));
  const existing = query.timeDimensions ?? [];
  const hit = existing.find((td) => td.dimension === compare.dimension);
  const timeDimensions = hit
    ? existing.map((td) => (td === hit ? { dimension: td.dimension, granularity: td.granularity, compareDateRange: ranges } : td))
    : [...existing, { dimension: compare.dimension, compareDateRange: ranges }];
  return { ...query, timeDimensions };
}

function toDateRange(values: readonly unknown[], member: string): DateRange {
  const strings = values.map(String);
  if (strings.length === 1) return strings[0]!;
  if (strings.length === 2) return [strings[0]!, strings[1]!];
  throw new UserError('INVALID_DATE_RANGE', `A date range for ${member} takes one relative range (e.g. "last 7 days") or two dates, got ${strings.length} values`);
}
