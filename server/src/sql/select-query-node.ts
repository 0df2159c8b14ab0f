/**
 * The SELECT statement node and its parts (FROM items, joins, order items). Frozen plain data;
 * the planner builds it, a dialect's compiler renders it.
 */
import type { ExpressionNode } from './expression-node.ts';

/** A relation in FROM or JOIN. `table` carries the model's table SQL (already reference-free). */
export type FromItem =
  | { readonly kind: 'table'; readonly sql: ExpressionNode; readonly alias: string }
  | { readonly kind: 'subquery'; readonly query: SelectQueryNode; readonly alias: string }
  | { readonly kind: 'cteRef'; readonly name: string; readonly alias: string }
  | { readonly kind: 'values'; readonly rows: readonly (readonly ExpressionNode[])[]; readonly columns: readonly string[]; readonly alias: string };

export interface JoinNode {
  readonly type: 'LEFT' | 'INNER' | 'FULL' | 'CROSS';
  readonly item: FromItem;
  readonly on?: ExpressionNode;
}

export interface SelectColumn {
  readonly expr: ExpressionNode;
  readonly alias?: string;
}

export interface OrderItem {
  readonly expr: ExpressionNode;
  readonly direction: 'asc' | 'desc';
}

/** One SELECT (with optional CTEs). Ordering follows Postgres' NULL placement, as Cube users see it. */
export interface SelectQueryNode {
  readonly kind: 'select';
  readonly with: readonly { readonly name: string; readonly query: SelectQueryNode }[];
  readonly distinct: boolean;
  readonly columns: readonly SelectColumn[];
  readonly from?: FromItem;
  readonly joins: readonly JoinNode[];
  readonly where?: ExpressionNode;
  readonly groupBy: readonly ExpressionNode[];
  readonly having?: ExpressionNode;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: number;
  readonly offset?: number;
}

/** Builds a frozen SELECT node; unspecified parts are empty. */
export function selectQuery(parts: Partial<Omit<SelectQueryNode, 'kind'>> & { readonly columns: readonly SelectColumn[] }): SelectQueryNode {
  return Object.freeze({
    kind: 'select',
    with: parts.with ?? [],
    distinct: parts.distinct ?? false,
    columns: parts.columns,
    from: parts.from,
    joins: parts.joins ?? [],
    where: parts.where,
    groupBy: parts.groupBy ?? [],
    having: parts.having,
    orderBy: parts.orderBy ?? [],
    limit: parts.limit,
    offset: parts.offset,
  });
}
