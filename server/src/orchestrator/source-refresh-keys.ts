/**
 * Refresh-key values of a query answered by the source: one per cube it reads, from the cube's
 * `refresh_key.every` (Cube's default for cubes without one: every 10 seconds). A cube whose
 * refresh key is SQL or a cron string also falls back to the 10-second interval here: results
 * from the source are kept at most that long, never longer than the data allows.
 * https://cube.dev/docs/reference/data-model/cube#refresh_key
 */
import type { SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery } from '../query/query-types.ts';
import { intervalBucket, intervalMillis } from '../time/interval.ts';

const DEFAULT_EVERY = '10 seconds';

export function sourceRefreshKeyValues(query: NormalizedQuery, model: SemanticModel, now: number): string[] {
  const cubes = new Set<string>();
  for (const m of query.measures) cubes.add(m.member.cube);
  for (const d of query.dimensions) cubes.add(d.member.cube);
  for (const td of query.timeDimensions) cubes.add(td.target.member.cube);
  for (const s of query.segments) cubes.add(s.member.cube);
  const visit = (f: NormalizedFilter): void => {
    if (f.kind === 'member') cubes.add(f.target.member.cube);
    else f.filters.forEach(visit);
  };
  query.filters.forEach(visit);
  return [...cubes].sort().map((name) => `${name}:${intervalBucket(intervalOf(model, name), now)}`);
}

function intervalOf(model: SemanticModel, cube: string): string {
  const every = model.cubes[cube]?.refreshKey?.every;
  if (!every) return DEFAULT_EVERY;
  try {
    intervalMillis(every);
    return every;
  } catch {
    return DEFAULT_EVERY;
  }
}
