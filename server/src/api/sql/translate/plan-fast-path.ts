/**
 * Recognizes single-level queries Cube expresses directly — plain dimensions, `date_trunc` time
 * dimensions and measure aggregates at the query's own grain, fully pushed WHERE, ORDER BY over
 * output columns, constant LIMIT/OFFSET — and answers them from the engine's result without any
 * outer evaluation (the common case for BI tools, and the one the latency budget is about).
 */
import type { CubeQuery } from '../../../query/query-types.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { OID } from '../wire/pg-types.ts';
import { countColumn, resolveRef, tableOf, type Level } from './analyze-levels.ts';
import { isPlainCount } from './constant-aggregates.ts';
import { literalValue, NOT_CONSTANT } from './literal-value.ts';
import type { ScanColumn, ScanPlan } from './plan-scan.ts';
import { conjunctsOf } from './translate-filters.ts';
import { names, type AstNode } from './walk-ast.ts';

/** One output column read straight from the engine's result. */
export interface FastOutput {
  readonly name: string;
  readonly resultKey: string;
  readonly oid: number;
  /** The join field: a per-row key, not read from the engine (see ScanColumn.rowKey). */
  readonly rowKey?: boolean;
  /** A segment selected: NULL on every row (see ScanColumn.nullValue). */
  readonly nullValue?: boolean;
}

export interface FastPath {
  readonly query: CubeQuery;
  readonly outputs: readonly FastOutput[];
  /** The statement's own LIMIT (undefined: every row); `query.limit` may be lower (the scan limit). */
  readonly requestedLimit?: number;
}

export function planFastPath(level: Level, plan: ScanPlan, params: readonly ParamValue[], outNames: readonly (string | undefined)[] | undefined): FastPath | undefined {
  const s = level.select;
  if (level.otherSources > 0 || level.hasJoin || s.havingClause || s.withClause || (s.op && s.op !== 'SETOP_NONE')) return undefined;
  if (s.distinctClause && !level.grouped) return undefined;
  if (conjunctsOf(s.whereClause).length !== plan.removedConjuncts.length) return undefined;
  if ((s.groupClause ?? []).some((g: AstNode) => g.GroupingSet)) return undefined;
  if (s.distinctClause && (s.groupClause ?? []).length === 0 && plan.columns.some((c) => c.column.kind === 'measure')) return undefined;

  const targets: AstNode[] = (s.targetList ?? []).map((t: AstNode) => t.ResTarget);
  const outputs: FastOutput[] = [];
  const targetColumns: ScanColumn[] = [];
  for (let i = 0; i < targets.length; i++) {
    const val = targets[i]!.val;
    if (val?.ColumnRef && names(val.ColumnRef.fields).at(-1) === '*') {
      if (level.grouped) return undefined;
      const star = resolveRef(level, val.ColumnRef);
      if (!star) return undefined;
      const qualified = names(val.ColumnRef.fields).length >= 2;
      for (const c of plan.columns) {
        if (c.rowKey || (qualified && tableOf(plan.scan, c.column) !== star.table)) continue;
        outputs.push({ name: c.column.name, resultKey: c.resultKey, oid: c.column.oid });
        targetColumns.push(c);
      }
      continue;
    }
    const col = columnOfTarget(level, plan, val);
    if (!col) return undefined;
    outputs.push({ name: outNames?.[i] ?? col.column.name, resultKey: col.resultKey, oid: col.granularity ? OID.timestamp : col.column.oid, ...(col.rowKey ? { rowKey: true } : {}), ...(col.nullValue ? { nullValue: true } : {}) });
    targetColumns.push(col);
  }
  // Every dimension of the scan must be an output; otherwise the grain differs from the result's.
  // A measure read only by ORDER BY (a top-N subquery's `order by sum(m) desc`) leaves the grain as it is.
  if (plan.columns.some((c) => !targetColumns.includes(c) && (c.column.kind !== 'measure' || !level.grouped))) return undefined;
  if (level.grouped && (s.groupClause ?? []).length > 0) {
    const groupCols = new Set<ScanColumn>();
    for (const g of s.groupClause as AstNode[]) {
      const ordinal = g.A_Const?.ival?.ival;
      const col = ordinal !== undefined ? targetColumns[ordinal - 1] : columnOfGroupItem(level, plan, targets, g);
      if (!col || col.column.kind !== 'dimension') return undefined;
      groupCols.add(col);
    }
    if (plan.columns.some((c) => c.column.kind === 'dimension' && !groupCols.has(c))) return undefined;
  } else if (level.grouped && plan.columns.some((c) => c.column.kind === 'dimension') && !s.distinctClause) return undefined;

  const order: [string, 'asc' | 'desc'][] = [];
  for (const sortBy of (s.sortClause ?? []) as AstNode[]) {
    // The engine's order has no NULLS FIRST/LAST: such an order is the outer evaluation's.
    if (sortBy.SortBy.sortby_nulls && sortBy.SortBy.sortby_nulls !== 'SORTBY_NULLS_DEFAULT') return undefined;
    const node = sortBy.SortBy.node;
    const ordinal = node.A_Const?.ival?.ival;
    const col = ordinal !== undefined ? targetColumns[ordinal - 1] : columnOfGroupItem(level, plan, targets, node);
    if (!col) return undefined;
    order.push([col.granularity ? col.column.path : col.column.path, sortBy.SortBy.sortby_dir === 'SORTBY_DESC' ? 'desc' : 'asc']);
  }
  const limit = constant(s.limitCount, params);
  const offset = constant(s.limitOffset, params);
  if (limit === NOT_CONSTANT || offset === NOT_CONSTANT) return undefined;
  const query: CubeQuery = {
    ...plan.query,
    ...(order.length ? { order } : {}),
    ...(limit !== undefined ? { limit: Math.min(limit, plan.query.limit ?? limit) } : {}),
    ...(offset ? { offset } : {}),
  };
  return { query, outputs, ...(limit !== undefined ? { requestedLimit: limit } : {}) };
}

/** A constant LIMIT/OFFSET: its number, undefined when absent or NULL, NOT_CONSTANT otherwise. */
export function constant(node: AstNode | undefined, params: readonly ParamValue[]): number | undefined | typeof NOT_CONSTANT {
  if (!node) return undefined;
  const v = literalValue(node, params);
  if (v === null) return undefined;
  if (v === NOT_CONSTANT || !Number.isFinite(Number(v))) return NOT_CONSTANT;
  return Number(v);
}

/** The scan column a target expression reads as is (dimension, truncated time, measure aggregate). */
function columnOfTarget(level: Level, plan: ScanPlan, val: AstNode | undefined): ScanColumn | undefined {
  if (!val) return undefined;
  if (val.ColumnRef) {
    const r = resolveRef(level, val.ColumnRef);
    return plan.columns.find((c) => c.column === r?.column && !c.granularity);
  }
  const call = val.FuncCall;
  if (!call || call.over) return undefined;
  const fn = names(call.funcname).at(-1)?.toLowerCase();
  if (fn === 'date_trunc' && call.args?.length === 2) {
    const g = String(call.args[0]?.A_Const?.sval?.sval ?? '').toLowerCase();
    const r = call.args[1].ColumnRef ? resolveRef(level, call.args[1].ColumnRef) : undefined;
    return plan.columns.find((c) => c.column === r?.column && c.granularity === g);
  }
  const m = plan.scan.measureCalls.find((mc) => mc.call === call);
  if (!m || (m.constant && !isPlainCount(m.fn, m.constant))) return undefined;
  const column = m.column ?? countColumn(plan.scan);
  return plan.columns.find((c) => c.column === column);
}

function columnOfGroupItem(level: Level, plan: ScanPlan, targets: readonly AstNode[], item: AstNode): ScanColumn | undefined {
  if (item.ColumnRef && names(item.ColumnRef.fields).length === 1) {
    const name = names(item.ColumnRef.fields)[0]!;
    const aliased = targets.find((t) => t.name === name);
    if (aliased) return columnOfTarget(level, plan, aliased.val);
  }
  const direct = columnOfTarget(level, plan, item);
  if (direct) return direct;
  // The same expression as a target (e.g. GROUP BY date_trunc('month', d) repeating the select).
  const key = JSON.stringify(item, (k, v) => (k === 'location' ? undefined : v));
  const same = targets.find((t) => JSON.stringify(t.val, (k, v) => (k === 'location' ? undefined : v)) === key);
  return same ? columnOfTarget(level, plan, same.val) : undefined;
}
