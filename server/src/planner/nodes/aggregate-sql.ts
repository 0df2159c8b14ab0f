/** An aggregate node: measures aggregated over the join tree, grouped by the key columns. */
import { expr } from '../../sql/expression-node.ts';
import { selectQuery, type SelectQueryNode } from '../../sql/select-query-node.ts';
import type { AggregateNode } from '../plan-types.ts';
import type { ScanSql } from '../scan-sql.ts';

export function aggregateSql(node: AggregateNode, scan: ScanSql): SelectQueryNode {
  const { plan, members } = scan;
  const keys = plan.keys.map((k) => ({ expr: scan.keyExpression(k), alias: k.sqlAlias }));
  const measures = node.measures.map((m) => ({
    expr: plan.ungrouped ? ungroupedMeasure(scan, m.member) : members.measureAggregate(m.member),
    alias: plan.measureAliases.get(m.alias)!,
  }));
  return selectQuery({
    columns: [...keys, ...measures],
    ...scan.from(),
    where: scan.where(),
    groupBy: plan.ungrouped ? [] : keys.map((_, i) => expr.literal(i + 1)),
  });
}

/** Ungrouped queries show each row's raw measure SQL (a count is 1 per row), as Cube does. */
function ungroupedMeasure(scan: ScanSql, measure: AggregateNode['measures'][number]['member']) {
  if (measure.type === 'number' || measure.type === 'string' || measure.type === 'time' || measure.type === 'boolean') return scan.members.measureAggregate(measure);
  return scan.members.measureInput(measure) ?? expr.literal(1);
}
