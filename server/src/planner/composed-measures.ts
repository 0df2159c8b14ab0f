/**
 * Calculated measures (`type: number`, …) over measures of other cubes, e.g. on `customers`
 * `orders_per_customer: {orders.row_count} / {CUBE.row_count}`. Rendered inside one aggregate, the
 * leaves would be counted over the fanned-out join (or inside another cube's per-key subquery):
 * the wrong rows. As Cube does, such a measure is split: each leaf measure is planned at its own
 * grain like any other measure (plain or multiplied aggregate), and the expression is evaluated
 * over their columns once the measure nodes are joined on the key columns.
 * https://cube.dev/docs/product/data-modeling/concepts/working-with-joins
 */
import type { Measure, SemanticModel } from '../model/model-types.ts';
import type { JoinTree } from '../model/join-graph.ts';
import type { ResolvedMember } from '../query/query-types.ts';
import { UserError } from '../errors/user-error.ts';

/** The measures the nodes compute, and the calculated measures evaluated over their columns. */
export interface SplitMeasures {
  /** Query measures computed in nodes, then the leaves of split measures (aliases `__leaf.<path>`). */
  readonly nodeMeasures: readonly ResolvedMember<Measure>[];
  /** Query measure alias → the calculated measure evaluated over leaf columns. */
  readonly composed: ReadonlyMap<string, Measure>;
  /** Leaf measure path → the alias of its column in the nodes. */
  readonly leafAliases: ReadonlyMap<string, string>;
}

/** True for measure types whose SQL composes other measures rather than aggregating rows. */
export function isComposedMeasure(measure: Measure): boolean {
  return measure.type === 'number' || measure.type === 'string' || measure.type === 'time' || measure.type === 'boolean';
}

export function splitComposedMeasures(model: SemanticModel, measures: readonly ResolvedMember<Measure>[], tree: JoinTree, ungrouped: boolean): SplitMeasures {
  const nodeMeasures: ResolvedMember<Measure>[] = [];
  const composed = new Map<string, Measure>();
  const leafAliases = new Map<string, string>();
  const leaves: ResolvedMember<Measure>[] = [];
  for (const m of measures) {
    const found = ungrouped || m.member.multiStage || !isComposedMeasure(m.member) ? undefined : leafMeasures(model, m.member);
    if (!found || !needsSplit(m.member, found, tree)) {
      nodeMeasures.push(m);
      continue;
    }
    if (found.rowLevel) {
      throw new UserError('UNSUPPORTED', `Measure ${m.member.path} combines measures of several cubes with row-level SQL (${found.rowLevel}); a join multiplies rows here, so it cannot be computed in one aggregate`, {
        location: m.member.location,
        hint: 'Reference only measures in a calculated measure over other cubes (move the row-level SQL into a measure of its cube).',
      });
    }
    composed.set(m.alias, m.member);
    for (const leaf of found.leaves) {
      if (leafAliases.has(leaf.path)) continue;
      const alias = `__leaf.${leaf.path}`;
      leafAliases.set(leaf.path, alias);
      leaves.push({ alias, member: leaf, joinPath: [] });
    }
  }
  return { nodeMeasures: [...nodeMeasures, ...leaves], composed, leafAliases };
}

/** Split when the leaves reach beyond the measure's cube and a cube involved is multiplied. */
function needsSplit(measure: Measure, found: Leaves, tree: JoinTree): boolean {
  const cubes = new Set(found.leaves.map((l) => l.cube));
  if (![...cubes].some((c) => c !== measure.cube)) return false;
  return [...cubes, measure.cube].some((c) => tree.multipliedCubes.has(c));
}

interface Leaves {
  readonly leaves: readonly Measure[];
  /** The first reference that is not a measure (a dimension, `{CUBE}`), if any. */
  readonly rowLevel?: string;
}

/** The aggregated measures a calculated measure reaches through other calculated measures. */
function leafMeasures(model: SemanticModel, measure: Measure): Leaves {
  const leaves = new Map<string, Measure>();
  let rowLevel: string | undefined;
  const visit = (m: Measure, stack: readonly string[]): void => {
    if (stack.includes(m.path)) throw new UserError('MODEL_INVALID', `Circular reference: ${[...stack, m.path].join(' → ')}`);
    for (const part of m.sql ?? []) {
      if (part.kind === 'cube') rowLevel ??= `{${part.cube}}`;
      if (part.kind !== 'member') continue;
      const dot = part.path.indexOf('.');
      const cube = model.cubes[part.path.slice(0, dot)];
      const name = part.path.slice(dot + 1);
      const target = cube?.measures[name];
      if (!target) {
        rowLevel ??= `{${part.path}}`;
        continue;
      }
      if (isComposedMeasure(target) && !target.multiStage) visit(target, [...stack, m.path]);
      else leaves.set(target.path, target);
    }
  };
  visit(measure, []);
  return { leaves: [...leaves.values()], ...(rowLevel ? { rowLevel } : {}) };
}
