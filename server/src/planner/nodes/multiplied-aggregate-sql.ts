/**
 * Measures of a multiplied cube (one-to-many fan-out): first the distinct key columns with the
 * cube's primary key over the whole join tree, then the cube joined back once per primary key and
 * aggregated, so each of its rows counts once (Cube's "multiplied measures").
 */
import { UserError } from '../../errors/user-error.ts';
import { expr, type ExpressionNode } from '../../sql/expression-node.ts';
import type { Measure } from '../../model/model-types.ts';
import type { MemberSql } from '../member-sql.ts';
import { selectQuery, type SelectQueryNode } from '../../sql/select-query-node.ts';
import type { MultipliedAggregateNode } from '../plan-types.ts';
import type { ScanSql } from '../scan-sql.ts';

const KEYS = 'keys';

/** A plain `count` counts the cube's primary keys, so a key row without a match in the cube counts 0. */
function multipliedAggregate(measure: Measure, primaryKey: ExpressionNode, members: MemberSql): ExpressionNode {
  if (measure.type === 'count' && !measure.sql && measure.filters.length === 0) return expr.func('count', [primaryKey]);
  return members.measureAggregate(measure);
}

export function multipliedAggregateSql(node: MultipliedAggregateNode, scan: ScanSql): SelectQueryNode {
  const { plan, members } = scan;
  const cube = members.cube(node.cube);
  const primaryKeys = Object.values(cube.dimensions).filter((d) => d.primaryKey);
  if (primaryKeys.length === 0) {
    throw new UserError('MODEL_INVALID', `Cube ${node.cube} needs a primary_key: its measures are multiplied by a one-to-many join in this query`, { location: cube.location });
  }
  const pkAlias = (i: number): string => `${node.cube}__pk_${i}`;
  const keysQuery = selectQuery({
    distinct: true,
    columns: [
      ...plan.keys.map((k) => ({ expr: scan.keyExpression(k), alias: k.sqlAlias })),
      ...primaryKeys.map((pk, i) => ({ expr: members.dimension(pk), alias: pkAlias(i) })),
    ],
    ...scan.from(),
    where: scan.where(),
  });
  const on = expr.and(primaryKeys.map((pk, i) => expr.binary(expr.column(KEYS, pkAlias(i)), '=', members.dimension(pk))));
  return selectQuery({
    columns: [
      ...plan.keys.map((k) => ({ expr: expr.column(KEYS, k.sqlAlias), alias: k.sqlAlias })),
      ...node.measures.map((m) => ({ expr: multipliedAggregate(m.member, members.dimension(primaryKeys[0]!), members), alias: plan.measureAliases.get(m.alias)! })),
    ],
    from: { kind: 'subquery', query: keysQuery, alias: KEYS },
    // The cube joined back, with its sub_query dimensions (its measures may aggregate them).
    joins: [{ type: 'LEFT', item: { kind: 'table', sql: members.cubeFrom(node.cube), alias: members.cubeAlias(node.cube) }, on }, ...scan.subQueryJoins(node.cube)],
    groupBy: plan.keys.map((_, i) => expr.literal(i + 1)),
  });
}
