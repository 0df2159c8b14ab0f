/** The columns of a result, in the order a reader expects: time, dimensions, then measures. */
import type { LoadResult } from '../api/rest-client.ts';

export interface ResultColumn {
  readonly key: string;
  readonly title: string;
  readonly kind: 'time' | 'dimension' | 'measure';
  readonly type: string;
}

export function resultColumns(result: LoadResult): ResultColumn[] {
  const a = result.annotation;
  const pick = (group: Record<string, { title: string; shortTitle: string; type: string }> | undefined, kind: ResultColumn['kind']): ResultColumn[] =>
    Object.entries(group ?? {}).map(([key, info]) => ({ key, title: info.shortTitle || info.title, kind, type: info.type }));
  // A time dimension with granularity is annotated twice (`x.t.month` and `x.t` when asked as a dimension): keep keys present in the rows.
  const first = result.data[0];
  // Cube answers a time dimension with granularity under `x.t.month` and again under `x.t`: show it once.
  const times = pick(a.timeDimensions, 'time');
  const shownTimes = times.filter((t) => times.some((other) => other.key.startsWith(`${t.key}.`)) === false);
  const columns = [...shownTimes, ...pick(a.dimensions, 'dimension'), ...pick(a.measures, 'measure')];
  return first ? columns.filter((c) => c.key in first) : columns;
}
