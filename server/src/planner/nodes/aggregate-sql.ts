/** An aggregate node: measures aggregated over the join tree, grouped by the key columns. */
import { expr } from '../../sql/expression-node.ts';
import { selectQuery, type SelectQueryNode } from '../../sql/select-query-node.ts';
import type { AggregateNode } from '../plan-types.ts';
import type { ScanSql } from '../scan-sql.ts';
import { windowPartition } from '../multi-stage-partition.ts';

export function aggregateSql(node: AggregateNode, scan: ScanSql): SelectQueryNode {
  const { plan } = scan;
  const keys = plan.keys.map((k) => ({ key: k, expr: scan.keyExpression(k) }));
  // Ungrouped: each row shows its measures' per-row values (Cube's `ungrouped`); grouped: multi-stage
  // measures are windows over the groups, partitioned by the keys they keep.
  const members = scan.members.withRendering(plan.ungrouped ? { ungrouped: true } : { windowPartition: windowPartition(keys) });
  const measures = node.measures.map((m) => ({ expr: members.measureAggregate(m.member), alias: plan.measureAliases.get(m.alias)! }));
  return selectQuery({
    columns: [...keys.map((k) => ({ expr: k.expr, alias: k.key.sqlAlias })), ...measures],
    ...scan.from(),
    where: scan.where(),
    groupBy: plan.ungrouped ? [] : keys.map((_, i) => expr.literal(i + 1)),
  });
}
