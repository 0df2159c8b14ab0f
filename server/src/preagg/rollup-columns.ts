/**
 * How a rollup's measures are stored and read back. Additive measures are stored as partial
 * aggregates and re-aggregated (count and sum by SUM, min by MIN, max by MAX); an average is
 * stored as a sum and a count, so an average over any coarser grouping stays exact.
 * Non-additive measures (count_distinct, count_distinct_approx, number) are stored as final
 * values and read back only when the query groups exactly like the rollup.
 */
import type { Measure, MeasureType } from '../model/model-types.ts';

export interface StoredMeasureColumn {
  /** Name of the (possibly synthetic) source measure built into the column. */
  readonly buildMeasure: string; // member name within the cube
  /** Aggregation that combines stored rows. */
  readonly reaggregate: 'sum' | 'min' | 'max';
}

export const AVG_SUM_SUFFIX = '__rollup_sum';
export const AVG_COUNT_SUFFIX = '__rollup_count';

export function storedColumnsFor(measure: Measure): readonly StoredMeasureColumn[] {
  switch (measure.type) {
    case 'avg':
      return [
        { buildMeasure: measure.name + AVG_SUM_SUFFIX, reaggregate: 'sum' },
        { buildMeasure: measure.name + AVG_COUNT_SUFFIX, reaggregate: 'sum' },
      ];
    case 'count':
    case 'sum':
      return [{ buildMeasure: measure.name, reaggregate: 'sum' }];
    case 'min':
      return [{ buildMeasure: measure.name, reaggregate: 'min' }];
    case 'max':
      return [{ buildMeasure: measure.name, reaggregate: 'max' }];
    default:
      // Final value: with an exact grouping each result group holds one stored row.
      return [{ buildMeasure: measure.name, reaggregate: 'max' }];
  }
}

/** Synthetic source measures an average needs at build time (sum and count of its SQL). */
export function syntheticBuildMeasures(measure: Measure): Measure[] {
  if (measure.type !== 'avg') return [];
  const part = (suffix: string, type: MeasureType): Measure => ({
    ...measure,
    name: measure.name + suffix,
    path: measure.path + suffix,
    type,
    // Queryable by the build query; they exist only in the build's copy of the model, never in /meta.
    public: true,
  });
  return [part(AVG_SUM_SUFFIX, 'sum'), part(AVG_COUNT_SUFFIX, 'count')];
}
