/**
 * Turns the engine's columnar result into GraphQL result objects:
 * `{ fato_vendas: { valor_liquido: 12.5, data_venda: { value, month } } }` per row.
 * Time values leave as UTC instants (ISO with `Z`), as Cube's GraphQL API returns them.
 */
import type { LoadResult } from '../../engine/engine-types.ts';
import type { GraphqlCube } from './graphql-members.ts';
import { cubeFieldName } from './graphql-names.ts';
import { localIsoToUtcIso } from '../../util/timezone.ts';

export function toGraphqlRows(result: LoadResult, cubes: ReadonlyMap<string, GraphqlCube>, timezone: string): Record<string, Record<string, unknown>>[] {
  const rows: Record<string, Record<string, unknown>>[] = Array.from({ length: result.rowCount }, () => ({}));
  result.columns.forEach((column, index) => {
    const parts = column.name.split('.');
    const [cubeName, memberName, granularity] = parts;
    if (!cubeName || !memberName) return;
    const cube = cubes.get(cubeName);
    const dimension = cube?.dimensions.find((d) => d.name === memberName);
    const isTime = dimension?.type === 'time';
    // A time dimension with a granularity also appears without it in Cube's rows; keep only the granular one.
    if (isTime && !granularity && result.columns.some((c) => c.name.startsWith(`${column.name}.`))) return;
    const values = result.data[index] ?? [];
    const field = cubeFieldName(cubeName);
    for (let row = 0; row < result.rowCount; row++) {
      const target = (rows[row]![field] ??= {});
      const raw = values[row];
      if (isTime) {
        const slot = (target[memberName] ??= {}) as Record<string, unknown>;
        slot[granularity ?? 'value'] = raw === null || raw === undefined ? null : localIsoToUtcIso(String(raw), timezone);
      } else {
        target[memberName] = raw;
      }
    }
  });
  return rows;
}
