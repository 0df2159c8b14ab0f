/**
 * Top-N filters as BI tools write them: the rows of a model table joined (INNER) to a subquery that
 * keeps the N best keys (`… group by k order by sum(m) desc limit N`), on `t.d = n.k` (or its
 * null-safe form `t.d = n.k or t.d is null and n.k is null`). When the subquery's keys are unique
 * and nothing else reads it, that join only keeps the rows whose key is among the N: it is the
 * filter `t.d IN (keys)`. Rewriting it so lets the level stay one semantic query (served by
 * rollups, measures at their own grain) instead of joining ungrouped rows outside the semantic
 * layer. The keys are computed first (`prepare-model-select.ts`).
 */
import type { ModelTable } from '../catalog/model-tables.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

type FindTable = (schema: string | undefined, name: string) => ModelTable | undefined;

/** Marks a SubLink made from a null-safe join: a NULL key then also keeps rows with NULL. */
export const NULL_SAFE = '__sqlapiNullSafe';
/** Marks a SubLink made from a top-N join: the subquery to answer directly, and its key column. */
export const KEY_SOURCE = '__sqlapiKeySource';

/** Rewrites top-N joins into IN (subquery) filters in every level of `select` (in place); true if any was. */
export function rewriteSemiJoins(select: AstNode, findTable: FindTable): boolean {
  if (select.op && select.op !== 'SETOP_NONE') {
    const left = rewriteSemiJoins(select.larg, findTable);
    return rewriteSemiJoins(select.rarg, findTable) || left;
  }
  let rewritten = false;
  walkAst(select.fromClause, (type, body) => {
    if (type === 'RangeSubselect' && body.subquery?.SelectStmt && rewriteSemiJoins(body.subquery.SelectStmt, findTable)) rewritten = true;
    return type === 'RangeSubselect' ? false : undefined;
  });
  const from: AstNode[] = select.fromClause ?? [];
  for (let i = 0; i < from.length; i++) {
    const join = from[i]!.JoinExpr;
    if (!join) continue;
    const filter = semiJoinFilter(select, join, findTable);
    if (!filter) continue;
    from[i] = filter.kept;
    select.whereClause = select.whereClause ? { BoolExpr: { boolop: 'AND_EXPR', args: [select.whereClause, filter.condition] } } : filter.condition;
    rewritten = true;
  }
  return rewritten;
}

function semiJoinFilter(select: AstNode, join: AstNode, findTable: FindTable): { kept: AstNode; condition: AstNode } | undefined {
  if (join.jointype !== 'JOIN_INNER' || join.isNatural || join.usingClause || !join.quals) return undefined;
  for (const [tableSide, subSide] of [
    [join.larg, join.rarg],
    [join.rarg, join.larg],
  ] as const) {
    const rv = tableSide?.RangeVar;
    const sub = subSide?.RangeSubselect;
    if (!rv || !sub?.alias?.aliasname || sub.lateral || sub.alias.colnames || !findTable(rv.schemaname, rv.relname)) continue;
    const tableAlias = String(rv.alias?.aliasname ?? rv.relname).toLowerCase();
    const subAlias = String(sub.alias.aliasname).toLowerCase();
    const key = keyCondition(join.quals, tableAlias, subAlias);
    const inner: AstNode = sub.subquery.SelectStmt;
    if (!key || !hasUniqueKey(inner, key.subColumn) || isReferencedOutsideJoin(select, join, subAlias)) continue;
    const subselect = {
      SelectStmt: {
        targetList: [{ ResTarget: { val: { ColumnRef: { fields: [{ String: { sval: sub.alias.aliasname } }, { String: { sval: key.subColumn } }] } } } }],
        fromClause: [subSide],
        limitOption: 'LIMIT_OPTION_DEFAULT',
        op: 'SETOP_NONE',
      },
    };
    const condition = { SubLink: { subLinkType: 'ANY_SUBLINK', testexpr: key.tableRef, subselect, [NULL_SAFE]: key.nullSafe, [KEY_SOURCE]: { select: inner, column: key.subColumn } } };
    return { kept: tableSide, condition };
  }
  return undefined;
}

interface KeyCondition {
  readonly tableRef: AstNode;
  readonly subColumn: string;
  readonly nullSafe: boolean;
}

/** `t.d = n.k`, `n.k = t.d`, `t.d IS NOT DISTINCT FROM n.k`, or `(t.d = n.k OR t.d IS NULL AND n.k IS NULL)`. */
function keyCondition(quals: AstNode, tableAlias: string, subAlias: string): KeyCondition | undefined {
  const sideOf = (node: AstNode | undefined): { ref: AstNode; qualifier: string; column: string } | undefined => {
    const f = node?.ColumnRef ? names(node.ColumnRef.fields) : [];
    return f.length === 2 ? { ref: node!, qualifier: f[0]!.toLowerCase(), column: f[1]! } : undefined;
  };
  const equality = (e: AstNode | undefined, ops: readonly string[]): KeyCondition | undefined => {
    const a = e?.A_Expr;
    if (!a || !ops.includes(a.kind === 'AEXPR_NOT_DISTINCT' ? 'NOT DISTINCT' : names(a.name).at(-1)!) || (a.kind !== 'AEXPR_OP' && a.kind !== 'AEXPR_NOT_DISTINCT')) return undefined;
    const l = sideOf(a.lexpr);
    const r = sideOf(a.rexpr);
    if (!l || !r) return undefined;
    const [t, s] = l.qualifier === tableAlias && r.qualifier === subAlias ? [l, r] : r.qualifier === tableAlias && l.qualifier === subAlias ? [r, l] : [];
    return t && s ? { tableRef: t.ref, subColumn: s.column, nullSafe: a.kind === 'AEXPR_NOT_DISTINCT' } : undefined;
  };
  const plain = equality(quals, ['=', 'NOT DISTINCT']);
  if (plain) return plain;
  const or = quals.BoolExpr?.boolop === 'OR_EXPR' && quals.BoolExpr.args.length === 2 ? quals.BoolExpr.args : undefined;
  const eq = or ? equality(or[0], ['=']) : undefined;
  const both = or?.[1]?.BoolExpr?.boolop === 'AND_EXPR' ? or[1].BoolExpr.args : [];
  const nullTests = both.filter((n: AstNode) => n.NullTest?.nulltesttype === 'IS_NULL').map((n: AstNode) => sideOf(n.NullTest.arg)?.qualifier);
  if (eq && both.length === 2 && nullTests.includes(tableAlias) && nullTests.includes(subAlias)) return { ...eq, nullSafe: true };
  return undefined;
}

/**
 * Whether the subquery returns each value of `column` once: grouped by it alone, DISTINCT over it
 * alone, or a level that only filters, orders and limits such a subquery and passes the column on.
 */
function hasUniqueKey(inner: AstNode, column: string): boolean {
  if (inner.op && inner.op !== 'SETOP_NONE') return false;
  const targets: AstNode[] = (inner.targetList ?? []).map((t: AstNode) => t.ResTarget);
  const index = targets.findIndex((t) => String(t.name ?? names(t.val?.ColumnRef?.fields).at(-1) ?? '').toLowerCase() === column.toLowerCase());
  if (index < 0) return false;
  const target = targets[index]!;
  const from: AstNode[] = inner.fromClause ?? [];
  const passed = target.val?.ColumnRef ? names(target.val.ColumnRef.fields) : [];
  const wrapped = from.length === 1 ? from[0]!.RangeSubselect : undefined;
  if (!inner.groupClause && !inner.distinctClause && wrapped?.subquery?.SelectStmt && !wrapped.alias?.colnames && passed.length > 0) {
    const qualifier = passed.length === 2 ? passed[0]!.toLowerCase() : undefined;
    if (qualifier !== undefined && qualifier !== String(wrapped.alias?.aliasname ?? '').toLowerCase()) return false;
    return hasUniqueKey(wrapped.subquery.SelectStmt, passed.at(-1)!);
  }
  const sameItem = (g: AstNode): boolean => {
    if (g.A_Const?.ival?.ival === index + 1) return true;
    const f = g.ColumnRef ? names(g.ColumnRef.fields) : undefined;
    if (f?.length === 1 && target.name && f[0]!.toLowerCase() === String(target.name).toLowerCase()) return true;
    return JSON.stringify(g, dropLocation) === JSON.stringify(target.val, dropLocation);
  };
  const groups: AstNode[] = inner.groupClause ?? [];
  if (groups.length === 1 && !groups[0]!.GroupingSet) return sameItem(groups[0]!);
  if (groups.length === 0 && inner.distinctClause && targets.length === 1) return true;
  return false;
}

const dropLocation = (k: string, v: unknown): unknown => (k === 'location' ? undefined : v);

/** Whether the level reads the subquery's alias anywhere but in the join's own condition. */
function isReferencedOutsideJoin(select: AstNode, join: AstNode, subAlias: string): boolean {
  let found = false;
  const look = (node: unknown): void =>
    walkAst(node, (type, body) => {
      if (type === 'ColumnRef') {
        const f = names(body.fields);
        if (f.length >= 2 && f[f.length - 2]!.toLowerCase() === subAlias) found = true;
        if (f.length === 1 && f[0] === '*') found = true;
      }
    });
  look([select.targetList, select.whereClause, select.groupClause, select.havingClause, select.sortClause, select.distinctClause]);
  walkAst(select.fromClause, (type, body) => {
    if (type === 'JoinExpr' && body !== join) look(body.quals);
  });
  return found;
}
