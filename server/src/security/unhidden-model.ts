/**
 * The model with every cube, view and member public, for resolving the members row-level policies
 * filter on: a policy may filter on a key the API hides (e.g. `loja_id` with `public: false`), and
 * `normalizeFilter` refuses hidden members for callers. Built once per model version.
 */
import type { Cube, SemanticModel, View } from '../model/model-types.ts';

const cache = new WeakMap<SemanticModel, SemanticModel>();

export function unhiddenModel(model: SemanticModel): SemanticModel {
  let copy = cache.get(model);
  if (!copy) {
    copy = {
      ...model,
      cubes: mapValues(model.cubes, unhideCube),
      views: mapValues(model.views, (view): View => ({ ...view, public: true, members: mapValues(view.members, (m) => ({ ...m, public: true })) })),
    };
    cache.set(model, copy);
  }
  return copy;
}

function unhideCube(cube: Cube): Cube {
  const show = <T extends { public: boolean }>(m: T): T => ({ ...m, public: true });
  return { ...cube, public: true, measures: mapValues(cube.measures, show), dimensions: mapValues(cube.dimensions, show), segments: mapValues(cube.segments, show) };
}

function mapValues<T, U>(record: Readonly<Record<string, T>>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
