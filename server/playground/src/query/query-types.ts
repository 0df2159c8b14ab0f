/**
 * A Cube REST query as the playground edits it: the same JSON `/load` accepts, so the JSON box,
 * the controls and the "copy as REST" output are one object and nothing is lost between them
 * (ticking a member never touches hand-written filters).
 */
export interface MemberFilter {
  readonly member: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** Cube's boolean filter groups, kept as written (the controls edit only member filters). */
export type Filter = MemberFilter | { readonly and: readonly Filter[] } | { readonly or: readonly Filter[] };

export interface TimeDimension {
  readonly dimension: string;
  readonly granularity?: string;
  readonly dateRange?: string | readonly [string, string];
}

export interface CubeQuery {
  readonly measures?: readonly string[];
  readonly dimensions?: readonly string[];
  readonly timeDimensions?: readonly TimeDimension[];
  readonly filters?: readonly Filter[];
  readonly segments?: readonly string[];
  readonly order?: readonly (readonly [string, 'asc' | 'desc'])[] | Readonly<Record<string, 'asc' | 'desc'>>;
  readonly limit?: number;
  readonly offset?: number;
  readonly timezone?: string;
}

export function isMemberFilter(filter: Filter): filter is MemberFilter {
  return 'member' in filter;
}

/** The order as a list of pairs, whichever of Cube's two shapes the query uses. */
export function orderPairs(query: CubeQuery): [string, 'asc' | 'desc'][] {
  if (!query.order) return [];
  if (Array.isArray(query.order)) return query.order.map(([m, d]) => [m, d]);
  return Object.entries(query.order as Record<string, 'asc' | 'desc'>);
}

/** Removes empty arrays and undefined fields, so the JSON shown is what a person would write. */
export function tidyQuery(query: CubeQuery): CubeQuery {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    out[key] = value;
  }
  return out as CubeQuery;
}

/** True when the query asks for something `/load` can answer. */
export function isRunnable(query: CubeQuery): boolean {
  return (query.measures?.length ?? 0) + (query.dimensions?.length ?? 0) + (query.timeDimensions?.filter((t) => t.granularity).length ?? 0) > 0;
}
