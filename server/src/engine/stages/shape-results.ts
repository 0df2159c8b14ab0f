/**
 * Stage 8, shape: each raw answer as Cube's `/load` result — values in Cube's formats, columnar
 * (engine/format-result.ts), the query echoed and annotated from the source query (engine/
 * annotate-query.ts) whichever source answered, and the rollup read named in `usedPreAggregations`.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { NormalizedQuery } from '../../query/query-types.ts';
import type { Annotation, LoadResponse, LoadResult } from '../engine-types.ts';
import { formatResult } from '../format-result.ts';
import { annotateQuery, echoQuery } from '../annotate-query.ts';
import type { ExecutedQuery } from './execute-queries.ts';

export function shapeResults(executed: readonly ExecutedQuery[], model: SemanticModel, compare: boolean, dbType: string): LoadResponse {
  return { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results: executed.map((q) => shapeResult(q, model, dbType)) };
}

function shapeResult(q: ExecutedQuery, model: SemanticModel, dbType: string): LoadResult {
  const { match, total } = q;
  const described = describeQuery(q.query, model);
  return {
    query: described.echo,
    ...formatResult(q.plan.outputs, q.result),
    ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
    annotation: described.annotation,
    lastRefreshTime: new Date(q.at).toISOString(),
    usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
    dataSource: 'default',
    dbType,
    external: match !== undefined,
    slowQuery: false,
  };
}

/** The echo and the annotation of a normalized query under one model. */
interface Described {
  readonly model: SemanticModel;
  readonly echo: Record<string, unknown>;
  readonly annotation: Annotation;
}

const described = new WeakMap<NormalizedQuery, Described>();

/**
 * The query's echo and annotation, made once per normalized query and model: the compile stages
 * hand a repeated request the same normalized query, so a renewed or re-executed query shares
 * them (and the REST serializer their kept JSON). Answers are never changed once made.
 */
function describeQuery(query: NormalizedQuery, model: SemanticModel): Described {
  const known = described.get(query);
  if (known && known.model === model) return known;
  const made = { model, echo: echoQuery(query), annotation: annotateQuery(model, query) };
  described.set(query, made);
  return made;
}
