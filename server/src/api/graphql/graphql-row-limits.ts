/**
 * "No silent row caps": a `cube` (or `cubeCompare`) field without a `limit` argument gets Cube's
 * default row limit (10,000, `CUBEJS_DB_QUERY_DEFAULT_LIMIT`), as in Cube's GraphQL API, which says
 * nothing when it cuts the rows. REST echoes the applied limit in `query.limit`; GraphQL's `data`
 * has no place for it (its shape stays Cube's), so an answer holding exactly that many rows is
 * named in the response's `extensions.rowLimits` (the GraphQL spec's map for implementors).
 * https://cube.dev/docs/product/apis-integrations/queries#row-limit
 */
import type { LoadResult } from '../../engine/engine-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';

/** A field whose answer may have been cut at the default row limit. */
export interface RowLimitNote {
  /** The response path of the field (`['cube']`, an alias, or `['cubeCompare', 1, 'data']`). */
  readonly path: readonly (string | number)[];
  readonly limit: number;
  readonly rows: number;
  readonly message: string;
}

/** The note for one answer, or undefined when the query named its own limit or the rows stop short of the default. */
export function rowLimitNote(query: CubeQuery, result: LoadResult, path: readonly (string | number)[]): RowLimitNote | undefined {
  if (query.limit !== undefined) return undefined;
  const limit = result.query.limit;
  if (typeof limit !== 'number' || result.rowCount < limit) return undefined;
  return {
    path,
    limit,
    rows: result.rowCount,
    message: `${path.join('.')} holds ${result.rowCount} rows, the default row limit: more rows may exist. Pass limit (up to the server's maximum) or page with offset.`,
  };
}
