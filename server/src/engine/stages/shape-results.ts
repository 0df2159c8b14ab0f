/**
 * Stage 8, shape: each raw answer as Cube's `/load` result — values in Cube's formats, columnar
 * (engine/format-result.ts), the query echoed and annotated from the source query (engine/
 * annotate-query.ts) whichever source answered, and the rollup read named in `usedPreAggregations`.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { LoadResponse, LoadResult } from '../engine-types.ts';
import { formatResult } from '../format-result.ts';
import { annotateQuery, echoQuery } from '../annotate-query.ts';
import type { ExecutedQuery } from './execute-queries.ts';

export function shapeResults(executed: readonly ExecutedQuery[], model: SemanticModel, compare: boolean, dbType: string): LoadResponse {
  return { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results: executed.map((q) => shapeResult(q, model, dbType)) };
}

function shapeResult(q: ExecutedQuery, model: SemanticModel, dbType: string): LoadResult {
  const { match, total } = q;
  return {
    query: echoQuery(q.query),
    ...formatResult(q.plan.outputs, q.result),
    ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
    annotation: annotateQuery(model, q.query),
    lastRefreshTime: new Date(q.at).toISOString(),
    usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
    dataSource: 'default',
    dbType,
    external: match !== undefined,
    slowQuery: false,
  };
}
