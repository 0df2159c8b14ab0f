/**
 * Stage 8, shape: each raw answer as Cube's `/load` result — values in Cube's formats, columnar
 * (engine/format-result.ts), the query echoed and annotated from the source query (engine/
 * annotate-query.ts) whichever source answered, and the rollup read named in `usedPreAggregations`.
 */
import type { SemanticModel } from '../../model/model-types.ts';
import type { NormalizedQuery } from '../../query/query-types.ts';
import type { Annotation, LoadResponse, LoadResult } from '../engine-types.ts';
import { formatResult, type FormattedColumns } from '../format-result.ts';
import { annotateQuery, echoQuery } from '../annotate-query.ts';
import type { ExecutedQuery } from './execute-queries.ts';

export function shapeResults(executed: readonly ExecutedQuery[], model: SemanticModel, compare: boolean, dbType: string): LoadResponse {
  return { queryType: compare ? 'compareDateRangeQuery' : 'regularQuery', results: executed.map((q) => shapeResult(q, model, dbType, compare)) };
}

function shapeResult(q: ExecutedQuery, model: SemanticModel, dbType: string, compare: boolean): LoadResult {
  const { match, total } = q;
  const described = describeQuery(q.query, model);
  const formatted = formatResult(q.plan.outputs, q.result);
  return {
    query: described.echo,
    ...(compare ? withPeriod(formatted, q.query) : formatted),
    ...(total ? { total: Number(total.data[0]?.[0] ?? 0) } : {}),
    annotation: described.annotation,
    // A rollup's answer is as fresh as its oldest partition read, not as the query that read it.
    lastRefreshTime: new Date(match?.builtAt ?? q.at).toISOString(),
    usedPreAggregations: match ? { [match.name]: { targetTableName: match.targetTableName, refreshKeyValues: match.refreshKeyValues } } : {},
    dataSource: 'default',
    dbType,
    external: match !== undefined,
    slowQuery: false,
  };
}

/**
 * A compared period's rows carry the period as `compareDateRange` ("from - to", its date range as
 * echoed), as Cube's gateway writes them: clients pivot on it, so without it the periods of a
 * chart would merge into one series.
 */
function withPeriod(formatted: FormattedColumns, query: NormalizedQuery): FormattedColumns {
  const range = query.timeDimensions.find((td) => td.dateRange)?.dateRange;
  if (!range) return formatted;
  const period = range.join(' - ');
  return {
    columns: [...formatted.columns, { name: 'compareDateRange', type: 'string' }],
    data: [...formatted.data, new Array<string>(formatted.rowCount).fill(period)],
    rowCount: formatted.rowCount,
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
