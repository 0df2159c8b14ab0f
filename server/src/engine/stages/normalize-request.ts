/**
 * Stage 2, normalize: the rewritten Cube query checked and resolved against the model
 * (query/normalize-query.ts: members, filters, relative date ranges from the request's "now",
 * limits), then split into one query per range of a `compareDateRange` (Cube answers one result
 * set per range).
 */
import type { NormalizedQuery } from '../../query/query-types.ts';
import { normalizeQuery } from '../../query/normalize-query.ts';
import type { RewrittenRequest } from './rewrite-query.ts';

/** Limits of the API asking; `streamed` answers have no default order (a sort would hold every row). */
export interface NormalizeLimits {
  readonly maxLimit?: number;
  readonly defaultLimit?: number;
  readonly streamed: boolean;
}

/** The queries of one request, one per compared date range. */
export interface NormalizedRequest {
  readonly queries: readonly NormalizedQuery[];
  readonly compare: boolean;
}

export function normalizeRequest(request: RewrittenRequest, limits: NormalizeLimits): NormalizedRequest {
  const normalized = normalizeQuery(request.model, request.query, {
    now: request.at,
    maxLimit: limits.maxLimit,
    defaultLimit: limits.defaultLimit,
    defaultOrder: !limits.streamed,
  });
  return expandCompareDateRange(normalized);
}

/** Splits a `compareDateRange` query into one query per range (or returns the query alone). */
export function expandCompareDateRange(query: NormalizedQuery): { queries: NormalizedQuery[]; compare: boolean } {
  const index = query.timeDimensions.findIndex((td) => td.compareDateRange);
  if (index < 0) return { queries: [query], compare: false };
  const td = query.timeDimensions[index]!;
  const queries = td.compareDateRange!.map((range) => ({
    ...query,
    timeDimensions: query.timeDimensions.map((t, i) => (i === index ? { target: t.target, granularity: t.granularity, dateRange: range } : t)),
  }));
  return { queries, compare: true };
}
