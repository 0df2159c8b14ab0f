/**
 * Turns the engine's columnar result into GraphQL result objects:
 * `{ fato_vendas: { valor_liquido: "12.5", data_venda: { value, month } } }` per row.
 * Time values leave as UTC instants (ISO with `Z`), as Cube's GraphQL API returns them; the
 * engine's local times are in the query's timezone.
 */
import type { LoadResult } from '../../engine/engine-types.ts';
import type { CubeQuery } from '../../query/query-types.ts';
import { localToUtcIso } from '../../time/local-time.ts';
import type { GraphqlCube } from './graphql-members.ts';
import { cubeFieldName } from './graphql-names.ts';

type Row = Record<string, Record<string, unknown>>;

export function toGraphqlRows(result: LoadResult, query: CubeQuery, cubes: ReadonlyMap<string, GraphqlCube>): Row[] {
  const timezone = query.timezone ?? 'UTC';
  const asDimension = new Set(query.dimensions ?? []);
  const rows: Row[] = Array.from({ length: result.rowCount }, () => ({}));
  result.columns.forEach((column, index) => {
    const [cubeName, memberName, granularity] = column.name.split('.');
    const cube = cubeName ? cubes.get(cubeName) : undefined;
    if (!cube || !memberName) return;
    const isTimeDimension = cube.dimensions.some((d) => d.name === memberName && d.type === 'time');
    const isTimeMeasure = cube.measures.some((m) => m.name === memberName && m.type === 'time');
    // The engine also writes a granular time dimension under its plain name; that column is the
    // `value` field only when the client selected `value`.
    if (isTimeDimension && !granularity && !asDimension.has(column.name)) return;
    const values = result.data[index] ?? [];
    const field = cubeFieldName(cubeName!);
    const toUtc = (raw: unknown) => (raw === null || raw === undefined ? null : localToUtcIso(String(raw), timezone));
    for (let row = 0; row < result.rowCount; row++) {
      const target = (rows[row]![field] ??= {});
      const raw = values[row];
      if (isTimeDimension) ((target[memberName] ??= {}) as Record<string, unknown>)[granularity ?? 'value'] = toUtc(raw);
      else target[memberName] = isTimeMeasure ? toUtc(raw) : raw;
    }
  });
  return rows;
}
