/**
 * A measure's drill members as Cube shows them in `/v1/meta` and in a `/load` annotation:
 * `drillMembers` (member names) and `drillMembersGrouped` (`{ measures, dimensions }`), which
 * `@cubejs-client/core`'s `ResultSet.drillDown` spreads into the query it returns. Seen through a
 * view, only the drill members the view includes count, under the view's names.
 */
import type { Measure, SemanticModel, View } from './model-types.ts';

export interface DrillMembers {
  readonly drillMembers: string[];
  readonly drillMembersGrouped: { readonly measures: string[]; readonly dimensions: string[] };
}

/** `owner`: the cube or view the measure is shown in (the prefix of the name the client uses). */
export function drillMembersOf(model: SemanticModel, owner: string, measure: Measure): DrillMembers {
  const view = Object.hasOwn(model.views, owner) ? model.views[owner] : undefined;
  if (view) {
    const names = viewNames(view);
    const drillMembers = measure.drillMembers.flatMap((path) => (names.has(path) ? [names.get(path)!] : []));
    const isMeasure = (name: string): boolean => view.members[name.slice(view.name.length + 1)]?.kind === 'measure';
    return grouped(drillMembers, isMeasure);
  }
  return grouped([...measure.drillMembers], (path) => isCubeMeasure(model, path));
}

function grouped(drillMembers: string[], isMeasure: (name: string) => boolean): DrillMembers {
  return {
    drillMembers,
    drillMembersGrouped: { measures: drillMembers.filter(isMeasure), dimensions: drillMembers.filter((m) => !isMeasure(m)) },
  };
}

function isCubeMeasure(model: SemanticModel, path: string): boolean {
  const dot = path.indexOf('.');
  const cube = Object.hasOwn(model.cubes, path.slice(0, dot)) ? model.cubes[path.slice(0, dot)] : undefined;
  return cube !== undefined && Object.hasOwn(cube.measures, path.slice(dot + 1));
}

const viewNamesCache = new WeakMap<View, ReadonlyMap<string, string>>();

/** Cube member path → the view's name for it (the model is frozen: computed once per view). */
function viewNames(view: View): ReadonlyMap<string, string> {
  let names = viewNamesCache.get(view);
  if (!names) {
    names = new Map(Object.values(view.members).map((m) => [m.target, m.path]));
    viewNamesCache.set(view, names);
  }
  return names;
}
