/**
 * Cube's data blending: `/v1/load` with an array of queries (and `queryType=multi`) answers one
 * result per query under `queryType: "blendingQuery"`. As Cube's gateway does, the queries must
 * share one time granularity (that of each query's first time dimension), every row of a result
 * gets a `time.<granularity>` key holding its own time dimension's value, and the pivot query
 * merges the queries' measures and dimensions around a `time` dimension, which is what
 * `@cubejs-client/core`'s ResultSet pivots blended results on.
 * https://cube.dev/docs/product/apis-integrations/rest-api/reference#base_pathv1load
 */
import type { LoadResponse, LoadResult } from '../../engine/engine-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';
import { UserError } from '../../errors/user-error.ts';

/**
 * Checks the queries of a blending query and returns their one granularity: a UserError with
 * Cube's messages when the granularities differ or none has one (Cube refuses both), and when a
 * query compares date ranges (one result per range would break "one result per query").
 */
export function checkBlendingQueries(queries: readonly CubeQuery[]): string {
  const granularities = new Set<string>();
  for (const [i, query] of queries.entries()) {
    if (query.timeDimensions?.some((td) => td.compareDateRange !== undefined)) {
      throw new UserError('UNSUPPORTED', `query[${i}]: compareDateRange is not supported inside a data blending query`);
    }
    const granularity = query.timeDimensions?.[0]?.granularity;
    if (typeof granularity === 'string' && granularity !== '') granularities.add(granularity);
  }
  if (granularities.size > 1) {
    throw new UserError('QUERY_INVALID', 'Data blending query granularities must match', {
      hint: `the first time dimension of each query uses one of ${[...granularities].join(', ')}; use one granularity`,
    });
  }
  const [granularity] = granularities;
  if (granularity === undefined) {
    throw new UserError('QUERY_INVALID', 'Data blending query without granularity is not supported', {
      hint: 'give the first time dimension of the queries a granularity (e.g. "day")',
    });
  }
  return granularity;
}

/** The engine's results of each query of a blending query, as one `blendingQuery` response. */
export function blendResults(queries: readonly CubeQuery[], results: readonly LoadResult[]): LoadResponse {
  return { queryType: 'blendingQuery', results: results.map((result, i) => withTimeColumn(result, queries[i]!)) };
}

/** Adds `time.<granularity>`, a copy of the query's first time dimension at its granularity. */
function withTimeColumn(result: LoadResult, query: CubeQuery): LoadResult {
  const td = query.timeDimensions?.[0];
  if (!td?.granularity) return result;
  const source = result.columns.findIndex((c) => c.name === `${td.dimension}.${td.granularity}`);
  const name = `time.${td.granularity}`;
  if (source < 0 || result.columns.some((c) => c.name === name)) return result;
  return {
    ...result,
    columns: [...result.columns, { name, type: result.columns[source]!.type }],
    data: [...result.data, result.data[source]!],
  };
}

/** Cube's pivot query of a blending query: measures and dimensions of all queries, pivoted on `time`. */
export function blendingPivotQuery(response: LoadResponse): Record<string, unknown> {
  return blendedPivot(response.results.map((r) => r.query), response.queryType);
}

/** The pivot query of blended queries (their echoed or normalized forms): /load's and /dry-run's. */
export function blendedPivot(queries: readonly Readonly<Record<string, unknown>>[], queryType: string): Record<string, unknown> {
  const merged = (key: 'measures' | 'dimensions'): unknown[] => [...new Set(queries.flatMap((q) => listOf(q[key])))];
  const granularity = queries.map((q) => (listOf(q.timeDimensions)[0] as { granularity?: unknown } | undefined)?.granularity).find((g) => typeof g === 'string');
  return {
    measures: merged('measures'),
    dimensions: merged('dimensions'),
    timeDimensions: [{ dimension: 'time', ...(granularity === undefined ? {} : { granularity }) }],
    queryType,
  };
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
