/**
 * The Cube query that builds a rollup (or one partition of it), and the source model it runs on:
 * the model with the synthetic measures averages need. Planning the build through the same
 * planner as any query keeps joins, segments, filters and dialects in one place.
 */
import type { Cube, PreAggregation, SemanticModel } from '../model/model-types.ts';
import type { CubeQuery } from '../query/query-types.ts';
import { storedColumnsFor, syntheticBuildMeasures } from './rollup-columns.ts';

export function rollupBuildQuery(cube: Cube, rollup: PreAggregation, dateRange?: readonly [string, string]): CubeQuery {
  const measures = rollup.measures.flatMap((path) => {
    const measure = cube.measures[memberName(path)];
    return measure ? storedColumnsFor(measure).map((c) => `${cube.name}.${c.buildMeasure}`) : [path];
  });
  return {
    measures,
    dimensions: [...rollup.dimensions],
    segments: [...rollup.segments],
    timeDimensions: rollup.timeDimensions.map((td, i) => ({
      dimension: td.dimension,
      granularity: td.granularity,
      ...(i === 0 && dateRange ? { dateRange: [dateRange[0], dateRange[1]] as [string, string] } : {}),
    })),
    timezone: rollup.refreshKey?.timezone ?? 'UTC',
    order: [],
  };
}

/** The source model plus the hidden sum/count measures of every average a rollup stores. */
export function modelForRollupBuild(model: SemanticModel, cube: Cube, rollup: PreAggregation): SemanticModel {
  const extra = Object.fromEntries(
    rollup.measures.flatMap((path) => {
      const measure = cube.measures[memberName(path)];
      return measure ? syntheticBuildMeasures(measure).map((m) => [m.name, m] as const) : [];
    }),
  );
  if (Object.keys(extra).length === 0) return model;
  const extended: Cube = { ...cube, measures: { ...cube.measures, ...extra } };
  return { ...model, cubes: { ...model.cubes, [cube.name]: extended } };
}

function memberName(path: string): string {
  return path.slice(path.indexOf('.') + 1);
}
