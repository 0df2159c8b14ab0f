/**
 * Logical plan → SQL AST. One measure node becomes one grouped SELECT (with HAVING, ORDER BY,
 * LIMIT on it directly); several are joined on their key columns (null-safe), then filtered on
 * measures, ordered and limited. `total` wraps the un-limited query in a COUNT.
 */
import { expr, type ExpressionNode } from '../sql/expression-node.ts';
import { selectQuery, type SelectQueryNode } from '../sql/select-query-node.ts';
import type { LogicalPlan, MeasureNode } from './plan-types.ts';
import type { MemberSql } from './member-sql.ts';
import { ScanSql } from './scan-sql.ts';
import { aggregateSql } from './nodes/aggregate-sql.ts';
import { multipliedAggregateSql } from './nodes/multiplied-aggregate-sql.ts';
import { rollingWindowSql } from './nodes/rolling-window-sql.ts';
import { filterSql, type FilterTargetSql } from './filter-sql.ts';
import { UserError } from '../errors/user-error.ts';

/** The main query and, when asked, the query counting its rows without limit. */
export interface RenderedPlan {
  readonly query: SelectQueryNode;
  readonly totalQuery?: SelectQueryNode;
}

export function renderPlan(plan: LogicalPlan, members: MemberSql, withTotal: boolean): RenderedPlan {
  const scan = new ScanSql(plan, members);
  const alone = plan.nodes.length === 1 && plan.nodes[0]!.kind === 'aggregate' && plan.composed.size === 0;
  const unlimited = alone ? single(plan, scan) : combined(plan, scan);
  const query = selectQuery({
    ...unlimited,
    orderBy: plan.order.map((o) => ({ expr: expr.column(undefined, o.sqlAlias), direction: o.direction })),
    limit: plan.limit,
    offset: plan.offset,
  });
  const totalQuery = withTotal
    ? selectQuery({ columns: [{ expr: expr.func('count', [expr.star()]), alias: 'total' }], from: { kind: 'subquery', query: unlimited, alias: 'original_query' } })
    : undefined;
  return { query, totalQuery };
}

function nodeSql(node: MeasureNode, scan: ScanSql): SelectQueryNode {
  switch (node.kind) {
    case 'aggregate': return aggregateSql(node, scan);
    case 'multipliedAggregate': return multipliedAggregateSql(node, scan);
    case 'rollingWindow': return rollingWindowSql(node, scan);
    case 'timeShift': return aggregateSql({ kind: 'aggregate', measures: node.measures }, scan.shifted(node.shift));
  }
}

/**
 * One plain aggregate: measure filters go to HAVING over the aggregates themselves — unless a
 * multi-stage measure's window (a total over the query's groups) is among the columns: SQL
 * evaluates windows after HAVING, so the filter would drop groups from that total. Then the groups
 * are finished first, the filtered values ride along as hidden columns, and the filter applies
 * outside.
 */
function single(plan: LogicalPlan, scan: ScanSql): SelectQueryNode {
  const q = aggregateSql(plan.nodes[0] as Extract<MeasureNode, { kind: 'aggregate' }>, scan);
  if (plan.having.length === 0) return q;
  if (plan.ungrouped) throw new UserError('QUERY_INVALID', 'Invalid query: measure filters need a grouped query (ungrouped: false)');
  if (!q.columns.some((c) => hasWindow(c.expr))) return selectQuery({ ...q, having: expr.and(plan.having.map((f) => scan.filter(f))) });
  const hidden: { expr: ExpressionNode; alias: string }[] = [];
  const filtered = (leaf: Parameters<FilterTargetSql>[0]): ExpressionNode => {
    const alias = `filtered_${hidden.length}`;
    const member = leaf.target.member;
    hidden.push({ expr: member.kind === 'dimension' ? scan.members.dimension(member) : scan.members.measureAggregate(member), alias });
    return expr.column(GROUPS, alias);
  };
  const where = expr.and(plan.having.map((f) => filterSql(f, filtered, plan.timezone)));
  return selectQuery({
    // A grouped SELECT names every column (keys and measures by their SQL aliases).
    columns: q.columns.map((c) => ({ expr: expr.column(GROUPS, c.alias!), alias: c.alias })),
    from: { kind: 'subquery', query: selectQuery({ ...q, columns: [...q.columns, ...hidden] }), alias: GROUPS },
    where,
  });
}

/** The finished groups of a single aggregate, filtered outside (see `single`). */
const GROUPS = 'grouped';

/** Whether an expression holds a window function (a multi-stage measure's total over groups). */
function hasWindow(e: ExpressionNode): boolean {
  switch (e.kind) {
    case 'window': return true;
    case 'raw': return e.parts.some((p) => typeof p !== 'string' && hasWindow(p));
    case 'func': return e.args.some(hasWindow);
    case 'binary': return hasWindow(e.left) || hasWindow(e.right);
    case 'logical': return e.items.some(hasWindow);
    case 'case': return e.whens.some((w) => hasWindow(w.when) || hasWindow(w.then)) || (e.else !== undefined && hasWindow(e.else));
    case 'not': case 'isNull': case 'cast': case 'timeTrunc': case 'toLocalTime': case 'intervalAdd': case 'approxCountDistinct': case 'customTrunc':
      return hasWindow(e.expr);
    case 'in': return hasWindow(e.expr) || e.list.some(hasWindow);
    case 'like': return hasWindow(e.expr) || e.pattern.some(hasWindow);
    default: return false;
  }
}

/** Several nodes: each a subquery `q_i`, joined on the key columns; measure filters over their columns. */
function combined(plan: LogicalPlan, scan: ScanSql): SelectQueryNode {
  const subqueries = plan.nodes.map((n, i) => ({ alias: `q_${i}`, node: n, query: nodeSql(n, scan) }));
  const owner = new Map<string, string>();
  for (const s of subqueries) for (const m of s.node.measures) owner.set(m.alias, s.alias);
  const [first, ...rest] = subqueries;
  const joins = rest.map((s) => ({
    type: joinType(s.node),
    item: { kind: 'subquery' as const, query: s.query, alias: s.alias },
    on: plan.keys.length === 0 ? expr.binary(expr.literal(1), '=', expr.literal(1)) : expr.and(plan.keys.map((k) => expr.binary(expr.column(first!.alias, k.sqlAlias), 'IS NOT DISTINCT FROM', expr.column(s.alias, k.sqlAlias)))),
  }));
  const leafColumn = (alias: string): ExpressionNode => expr.column(owner.get(alias) ?? first!.alias, plan.measureAliases.get(alias)!);
  // A calculated measure split into leaves is its expression over the leaves' columns.
  const outer = scan.members.withRendering({ measureColumn: (m) => (plan.leafAliases.has(m.path) ? leafColumn(plan.leafAliases.get(m.path)!) : undefined) });
  const column = (alias: string): ExpressionNode => {
    const composed = plan.composed.get(alias);
    return composed ? outer.measureAggregate(composed) : leafColumn(alias);
  };
  const hidden = new Set(plan.leafAliases.values());
  const where = plan.having.length === 0 ? undefined : expr.and(plan.having.map((f) => filterSql(f, (leaf) => havingTarget(plan, leaf.target.alias, leaf.target.member.kind, first!.alias, column), plan.timezone)));
  return selectQuery({
    columns: [
      ...plan.keys.map((k) => ({ expr: expr.column(first!.alias, k.sqlAlias), alias: k.sqlAlias })),
      ...[...plan.measureAliases.keys()].filter((alias) => !hidden.has(alias)).map((alias) => ({ expr: column(alias), alias: plan.measureAliases.get(alias)! })),
    ],
    from: { kind: 'subquery', query: first!.query, alias: first!.alias },
    joins,
    where,
  });
}

/**
 * Cube's classic planner inner-joins a time-shifted measure to the others, so a bucket shows only
 * when both sides have rows (its corpus: "SQL API: Timeshift measure from cube"). Other nodes see
 * the same keys (same scan and WHERE) or a full date series, and are left-joined.
 */
function joinType(node: MeasureNode): 'LEFT' | 'INNER' {
  return node.kind === 'timeShift' ? 'INNER' : 'LEFT';
}

function havingTarget(plan: LogicalPlan, alias: string, kind: string, firstAlias: string, column: (alias: string) => ExpressionNode): ExpressionNode {
  if (kind === 'measure') {
    if (!plan.measureAliases.has(alias)) throw new UserError('QUERY_INVALID', `Invalid query: filter on measure ${alias} needs it in "measures" when measures come from several cubes`);
    return column(alias);
  }
  const key = plan.keys.find((k) => k.kind === 'dimension' && k.member.alias === alias);
  if (!key) throw new UserError('QUERY_INVALID', `Invalid query: ${alias} is combined with a measure filter, so it must be in "dimensions"`);
  return expr.column(firstAlias, key.sqlAlias);
}
