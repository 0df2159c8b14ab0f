/**
 * A `sub_query` dimension: a measure of another cube computed per primary key of the dimension's
 * cube, then used like any column of that cube (shown, grouped by, filtered on, aggregated by its
 * cube's measures). Cube describes it as a correlated subquery implemented with joins; here it is
 * `LEFT JOIN (SELECT pk, <measure> FROM cube LEFT JOIN … GROUP BY pk) ON pk`, so a key without rows
 * in the other cube gets what the correlated subquery gives (a count of 0, a NULL sum).
 * https://cube.dev/docs/product/data-modeling/concepts/subquery-dimensions
 *
 * The query's own filters reach inside only with `propagate_filters_to_sub_query: true` (its
 * dimension filters and time dimension date ranges, as Cube passes them); access-policy row filters
 * always do, so a policy limiting the other cube's rows limits the dimension too.
 */
import type { Dimension, Measure } from '../../model/model-types.ts';
import { findJoinTree, type JoinTree } from '../../model/join-graph.ts';
import { UserError } from '../../errors/user-error.ts';
import { expr, type ExpressionNode } from '../../sql/expression-node.ts';
import { selectQuery, type JoinNode } from '../../sql/select-query-node.ts';
import type { NormalizedFilter } from '../../query/query-types.ts';
import { collectCubes, measureFilterMember } from '../collect-cubes.ts';
import { filterSql } from '../filter-sql.ts';
import { SUB_QUERY_VALUE, subQueryAlias, type MemberSql } from '../member-sql.ts';

const pkAlias = (i: number): string => `pk_${i}`;

/** The query's row predicates a subquery may apply: row filters always, the rest when propagated. */
export interface SubQueryFilters {
  readonly rowFilters: readonly NormalizedFilter[];
  /** The query's dimension filters and date ranges (as `inDateRange` filters). */
  readonly queryFilters: readonly NormalizedFilter[];
  readonly timezone: string;
}

/** `LEFT JOIN (per-key subquery) AS <cube>_<dimension>_subquery ON its keys = the cube's keys`. */
export function subQueryDimensionJoin(dimension: Dimension, members: MemberSql, filters: SubQueryFilters): JoinNode {
  const refuse = (why: string): UserError =>
    new UserError('UNSUPPORTED', `sub_query dimension ${dimension.path} (${dimension.location.file}:${dimension.location.line}): ${why}`, { location: dimension.location });
  const applied = [...filters.rowFilters, ...(dimension.propagateFiltersToSubQuery ? filters.queryFilters.filter((f) => !readsSubQuery(f)) : [])];
  const cube = members.cube(dimension.cube);
  const primaryKeys = Object.values(cube.dimensions).filter((d) => d.primaryKey);
  if (primaryKeys.length === 0) throw refuse(`cube ${cube.name} needs a primary_key to compute it per row`);

  const measures = referencedMeasures(members, dimension);
  if (measures.length === 0) throw refuse('its sql must reference a measure of another cube');
  const own = measures.find((m) => m.cube === dimension.cube);
  if (own) throw refuse(`it references ${own.path}, a measure of its own cube; a sub_query dimension reads other cubes' measures`);

  const cubes = collectCubes(members.model, [{ ...dimension, subQuery: false }]);
  for (const filter of applied) {
    for (const leaf of leaves(filter)) {
      if (leaf.kind === 'measureFilter') collectCubes(members.model, [measureFilterMember(leaf.target.member)], cubes);
      else cubes.add(leaf.target.member.cube);
    }
  }
  cubes.delete(dimension.cube);
  const tree = joinTree(members, dimension.cube, [...cubes]);
  const multiplied = measures.find((m) => tree.multipliedCubes.has(m.cube));
  if (multiplied) throw refuse(`the joins to ${multiplied.cube} multiply its rows`);

  // A count without sql counts the other cube's keys: a key with no rows there counts 0, not 1.
  const inner = members.withRendering({ measureColumn: (m) => countOfKeys(m, members) });
  const value = inner.template(dimension.sql, dimension.cube, [dimension.path]);
  const where = applied.map((f) =>
    filterSql(
      f,
      (leaf) => (leaf.target.member.kind === 'dimension' ? inner.dimension(leaf.target.member) : inner.measureAggregate(leaf.target.member)),
      filters.timezone,
      (measure) => inner.measureFilterCondition(measure),
    ),
  );
  const query = selectQuery({
    columns: [...primaryKeys.map((pk, i) => ({ expr: inner.dimension(pk), alias: pkAlias(i) })), { expr: value, alias: SUB_QUERY_VALUE }],
    from: { kind: 'table', sql: members.cubeFrom(tree.root), alias: members.cubeAlias(tree.root) },
    joins: tree.joins.map((edge) => ({
      type: 'LEFT' as const,
      item: { kind: 'table' as const, sql: members.cubeFrom(edge.to), alias: members.cubeAlias(edge.to) },
      on: members.template(edge.join.sql, edge.from),
    })),
    where: where.length === 0 ? undefined : expr.and(where),
    groupBy: primaryKeys.map((_, i) => expr.literal(i + 1)),
  });
  const alias = subQueryAlias(dimension);
  return {
    type: 'LEFT',
    item: { kind: 'subquery', query, alias },
    on: expr.and(primaryKeys.map((pk, i) => expr.binary(expr.column(alias, pkAlias(i)), '=', members.dimension(pk)))),
  };
}

/**
 * From the dimension's cube when its joins reach the other cubes; otherwise from a cube that
 * reaches it (a join declared on the other side, `orders` many_to_one `customers`), as Cube picks a
 * root: keys without rows there are then absent from the subquery and get NULL.
 */
function joinTree(members: MemberSql, cube: string, others: readonly string[]): JoinTree {
  try {
    return findJoinTree(members.model, [cube, ...others], cube);
  } catch (error) {
    if (!(error instanceof UserError) || others.length === 0) throw error;
    return findJoinTree(members.model, [cube, ...others]);
  }
}

function countOfKeys(measure: Measure, members: MemberSql): ExpressionNode | undefined {
  if (measure.type !== 'count' || measure.sql || measure.filters.length > 0) return undefined;
  const pk = Object.values(members.cube(measure.cube).dimensions).find((d) => d.primaryKey);
  return pk ? expr.func('count', [members.dimension(pk)]) : undefined;
}

/** The measures named directly in the dimension's SQL. */
function referencedMeasures(members: MemberSql, dimension: Dimension): Measure[] {
  const out: Measure[] = [];
  for (const part of dimension.sql) {
    if (part.kind !== 'member') continue;
    const dot = part.path.indexOf('.');
    const measure = members.model.cubes[part.path.slice(0, dot)]?.measures[part.path.slice(dot + 1)];
    if (measure) out.push(measure);
  }
  return out;
}

/** A filter on a sub_query dimension cannot be evaluated inside a subquery (it is one). */
function readsSubQuery(filter: NormalizedFilter): boolean {
  return leaves(filter).some((leaf) => leaf.target.member.kind === 'dimension' && leaf.target.member.subQuery === true);
}

function leaves(filter: NormalizedFilter): Extract<NormalizedFilter, { kind: 'member' | 'measureFilter' }>[] {
  return filter.kind === 'member' || filter.kind === 'measureFilter' ? [filter] : filter.filters.flatMap(leaves);
}
