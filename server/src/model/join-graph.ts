/**
 * The join graph of a compiled model, with the same semantics as Cube's JoinGraph
 * (packages/cubejs-schema-compiler/src/compiler/JoinGraph.ts):
 * - edges are the declared `joins`, directed from the declaring cube to the target; a join can
 *   only be walked in its declared direction, so the root must reach every other cube;
 * - every requested cube is tried as the root; the tree with the fewest joins wins (first wins on
 *   ties), and each cube is reached by a shortest path (BFS = Dijkstra with unit weights);
 * - a cube is *multiplied* when, walking the tree from it, some join puts it on the "one" side of a
 *   one-to-many: `from` of a one_to_many, or `to` of a many_to_one. Its measures must then be
 *   aggregated by primary key before joining (no fan-out).
 */
import { UserError } from '../errors/user-error.ts';
import type { Join, SemanticModel } from './model-types.ts';

/** A cube name, or a join path (`['fato_vendas', 'dim_cliente']`, as views declare) that must be walked in order. */
export type JoinHint = string | readonly string[];

/** One join of a tree: `join` is the declaration on cube `from` targeting `to`. */
export interface JoinEdge {
  readonly from: string;
  readonly to: string;
  readonly join: Join;
}

/** A join tree ready for SQL: `joins` are in the order to emit them (each `from` is already joined). */
export interface JoinTree {
  readonly root: string;
  readonly joins: readonly JoinEdge[];
  /** Cubes of the tree whose rows the joins multiply (see module comment). */
  readonly multipliedCubes: ReadonlySet<string>;
}

class JoinGraph {
  readonly edges = new Map<string, Map<string, JoinEdge>>();
  readonly trees = new Map<string, JoinTree>();
  components: Record<string, number> | undefined;

  constructor(readonly model: SemanticModel) {
    for (const cube of Object.values(model.cubes)) {
      const out = new Map<string, JoinEdge>();
      for (const join of cube.joins) if (model.cubes[join.name]) out.set(join.name, { from: cube.name, to: join.name, join });
      this.edges.set(cube.name, out);
    }
  }

  /** Shortest directed path from `from` to `to` as a list of edges, or undefined. */
  path(from: string, to: string): JoinEdge[] | undefined {
    if (from === to) return [];
    const previous = new Map<string, JoinEdge>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const edge of this.edges.get(node)?.values() ?? []) {
        if (seen.has(edge.to)) continue;
        seen.add(edge.to);
        previous.set(edge.to, edge);
        if (edge.to === to) return this.unwind(previous, from, to);
        queue.push(edge.to);
      }
    }
    return undefined;
  }

  private unwind(previous: Map<string, JoinEdge>, from: string, to: string): JoinEdge[] {
    const out: JoinEdge[] = [];
    for (let node = to; node !== from; ) {
      const edge = previous.get(node)!;
      out.unshift(edge);
      node = edge.from;
    }
    return out;
  }

  treeForRoot(root: JoinHint, others: readonly JoinHint[]): { root: string; joins: JoinEdge[] } | undefined {
    let rootName: string;
    let hints = [...others];
    if (typeof root === 'string') rootName = root;
    else {
      const [first, ...rest] = root;
      rootName = first!;
      if (rest.length > 0) hints = [rest, ...hints];
    }
    const joined = new Set([rootName]);
    const joins: JoinEdge[] = [];
    for (const hint of hints) {
      let previous = rootName;
      for (const target of typeof hint === 'string' ? [hint] : hint) {
        if (target === previous) continue;
        if (!joined.has(target)) {
          const path = this.path(previous, target);
          if (!path) return undefined;
          for (const edge of path) if (!joins.includes(edge)) joins.push(edge);
          for (const edge of path) joined.add(edge.to);
        }
        previous = target;
      }
    }
    return { root: rootName, joins };
  }
}

const graphs = new WeakMap<SemanticModel, JoinGraph>();

function graphOf(model: SemanticModel): JoinGraph {
  let graph = graphs.get(model);
  if (!graph) {
    graph = new JoinGraph(model);
    graphs.set(model, graph);
  }
  return graph;
}

function hintCube(hint: JoinHint): string {
  return typeof hint === 'string' ? hint : hint[hint.length - 1]!;
}

/**
 * Finds how to join `cubes` (cube names or join paths) in one query.
 * `rootHint` forces the root (e.g. the view's first cube); otherwise each requested cube is tried
 * as root and the tree with fewest joins wins, as Cube does. Results are cached per model.
 * Throws a `UserError` (QUERY_INVALID) naming the cubes when no root reaches them all along the
 * declared join directions, or when a cube is unknown.
 */
export function findJoinTree(model: SemanticModel, cubes: readonly JoinHint[], rootHint?: string): JoinTree {
  if (cubes.length === 0 && rootHint === undefined) throw new UserError('QUERY_INVALID', 'No cubes to join');
  for (const hint of cubes) {
    for (const cube of typeof hint === 'string' ? [hint] : hint) {
      if (!model.cubes[cube]) throw new UserError('QUERY_INVALID', `Cube '${cube}' not found`);
    }
  }
  const graph = graphOf(model);
  const key = JSON.stringify([rootHint ?? null, cubes]);
  const cached = graph.trees.get(key);
  if (cached) return cached;
  const roots: readonly JoinHint[] = rootHint !== undefined ? [rootHint] : cubes;
  let best: { root: string; joins: JoinEdge[] } | undefined;
  for (const root of roots) {
    const others = cubes.filter((c) => c !== root);
    const tree = graph.treeForRoot(root, others);
    if (tree && (!best || tree.joins.length < best.joins.length)) best = tree;
  }
  if (!best) {
    const names = [...(rootHint !== undefined ? [rootHint] : []), ...cubes.map(hintCube)];
    throw new UserError('QUERY_INVALID', `Can't find join path to join ${names.map((c) => `'${c}'`).join(', ')}`, {
      hint: 'Joins are walked in the direction they are declared; declare a join from a cube that can reach all the others.',
    });
  }
  const members = new Set([best.root, ...best.joins.flatMap((j) => [j.from, j.to])]);
  const multipliedCubes = new Set([...members].filter((cube) => isMultiplied(cube, best!.joins)));
  const tree: JoinTree = Object.freeze({ root: best.root, joins: Object.freeze(best.joins), multipliedCubes });
  graph.trees.set(key, tree);
  return tree;
}

/** True when some join reachable from `cube` inside `joins` multiplies its rows. */
export function isMultiplied(cube: string, joins: readonly JoinEdge[]): boolean {
  const visited = new Set<string>();
  const walk = (current: string): boolean => {
    if (visited.has(current)) return false;
    visited.add(current);
    const next = joins.filter((j) => j.from === current || j.to === current);
    const other = (j: JoinEdge): string => (j.from === current ? j.to : j.from);
    if (next.some((j) => multiplies(current, j) && !visited.has(other(j)))) return true;
    return next.some((j) => walk(other(j)));
  };
  return walk(cube);
}

function multiplies(cube: string, edge: JoinEdge): boolean {
  const { relationship } = edge.join;
  return (edge.from === cube && relationship === 'one_to_many') || (edge.to === cube && relationship === 'many_to_one');
}

/**
 * Cube's `connectedComponent` of /meta: cubes linked by joins (either direction) share a number.
 * As in Cube, numbering walks cubes that declare joins; a cube with no join at all has none.
 */
export function connectedComponents(model: SemanticModel): Readonly<Record<string, number>> {
  const graph = graphOf(model);
  if (graph.components) return graph.components;
  const undirected = new Map<string, Set<string>>();
  const link = (a: string, b: string): void => {
    if (!undirected.has(a)) undirected.set(a, new Set());
    undirected.get(a)!.add(b);
  };
  for (const [from, edges] of graph.edges) for (const to of edges.keys()) (link(from, to), link(to, from));
  const components: Record<string, number> = {};
  let id = 1;
  for (const [cube, edges] of graph.edges) {
    if (edges.size === 0) continue;
    if (components[cube] === undefined) {
      const stack = [cube];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (components[node] !== undefined) continue;
        components[node] = id;
        for (const next of undirected.get(node) ?? []) stack.push(next);
      }
    }
    id += 1;
  }
  graph.components = components;
  return components;
}
