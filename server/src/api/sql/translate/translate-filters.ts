/**
 * WHERE conjuncts over dimensions of a single model table → Cube filters and time-dimension date
 * ranges. Conjuncts that cannot be expressed stay in the outer evaluation.
 */
import { UserError } from '../../../errors/user-error.ts';
import type { Filter, MemberFilter } from '../../../query/query-types.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import type { Level, Scan } from './analyze-levels.ts';
import { resolveRef } from './analyze-levels.ts';
import { isPeriodStart, literalValue, NOT_CONSTANT, periodEnd, shiftIso, toIsoTimestamp } from './literal-value.ts';
import { names, type AstNode } from './walk-ast.ts';
import { isListPlaceholder, type FoldedList } from './fold-literal-lists.ts';
import { castEffect } from './cast-effect.ts';

/** Result of translating one level's WHERE for its only scan. */
export interface TranslatedWhere {
  readonly filters: Filter[];
  /** Time dimension path → inclusive [from, to] bounds (either may be missing). */
  readonly timeBounds: Map<string, { from?: string; to?: string }>;
  /** Segments the WHERE requires (`WHERE seg`, `seg IS TRUE`, `seg = true`). */
  readonly segments: string[];
  /** Conjunct nodes fully expressed by `filters`/`timeBounds`/`segments`. */
  readonly pushed: AstNode[];
}

export function conjunctsOf(where: AstNode | undefined): AstNode[] {
  if (!where) return [];
  if (where.BoolExpr?.boolop === 'AND_EXPR') return where.BoolExpr.args.flatMap((a: AstNode) => conjunctsOf(a));
  return [where];
}

export function translateWhere(level: Level, scan: Scan, params: readonly ParamValue[], lists: ReadonlyMap<string, FoldedList> = new Map()): TranslatedWhere {
  const out: TranslatedWhere = { filters: [], timeBounds: new Map(), segments: [], pushed: [] };
  for (const conjunct of conjunctsOf(level.select.whereClause)) {
    if (translateConjunct(level, scan, conjunct, params, out, lists)) out.pushed.push(conjunct);
  }
  return out;
}

/**
 * The dimension a node names directly, through `date_trunc('<g>', dim)`, through a cast that keeps
 * its values (`dim::text` of a string) or as the day of a time dimension (`dim::date`). A cast that
 * may change values (`::int`, `::text` of a number) is no dimension: the conjunct stays in the
 * outer evaluation, which applies it to the dimension's own values.
 */
function dimensionOf(level: Level, scan: Scan, node: AstNode | undefined): { path: string; type: string; trunc?: string } | undefined {
  if (!node) return undefined;
  if (node.ColumnRef) {
    const r = resolveRef(level, node.ColumnRef);
    if (r?.scan === scan && r.column?.kind === 'dimension') return { path: r.column.path, type: r.column.type };
    return undefined;
  }
  const call = node.FuncCall;
  if (call && names(call.funcname).at(-1)?.toLowerCase() === 'date_trunc' && call.args?.length === 2) {
    const g = call.args[0]?.A_Const?.sval?.sval;
    const inner = dimensionOf(level, scan, call.args[1]);
    if (g && inner && inner.type === 'time' && !inner.trunc) return { ...inner, trunc: String(g).toLowerCase() };
  }
  if (node.TypeCast) {
    const inner = dimensionOf(level, scan, node.TypeCast.arg);
    if (!inner || inner.trunc) return undefined;
    const effect = castEffect(node.TypeCast, inner.type);
    return effect === 'same' ? inner : effect === 'day' ? { ...inner, trunc: 'day' } : undefined;
  }
  return undefined;
}

/**
 * The segment a conjunct requires, as Cube's SQL API exposes segments: boolean columns that can
 * only be asked to hold — `WHERE seg`, `WHERE seg IS TRUE`, `WHERE seg = true`.
 */
function requiredSegment(level: Level, scan: Scan, node: AstNode, params: readonly ParamValue[]): string | undefined {
  const segmentOf = (ref: AstNode | undefined): string | undefined => {
    const r = ref?.ColumnRef ? resolveRef(level, ref.ColumnRef) : undefined;
    return r?.scan === scan && r.column?.kind === 'segment' ? r.column.path : undefined;
  };
  if (node.ColumnRef) return segmentOf(node);
  if (node.BooleanTest?.booltesttype === 'IS_TRUE') return segmentOf(node.BooleanTest.arg);
  const expr = node.A_Expr;
  if (expr?.kind === 'AEXPR_OP' && names(expr.name).at(-1) === '=') {
    const path = segmentOf(expr.lexpr) ?? segmentOf(expr.rexpr);
    const other = segmentOf(expr.lexpr) ? expr.rexpr : expr.lexpr;
    if (path && literalValue(other, params) === true) return path;
  }
  return undefined;
}

function translateConjunct(level: Level, scan: Scan, node: AstNode, params: readonly ParamValue[], out: TranslatedWhere, lists: ReadonlyMap<string, FoldedList>): boolean {
  const segment = requiredSegment(level, scan, node, params);
  if (segment) {
    if (!out.segments.includes(segment)) out.segments.push(segment);
    return true;
  }
  if (node.NullTest) {
    const dim = dimensionOf(level, scan, node.NullTest.arg);
    if (!dim || dim.trunc) return false;
    out.filters.push({ member: dim.path, operator: node.NullTest.nulltesttype === 'IS_NULL' ? 'notSet' : 'set' });
    return true;
  }
  const expr = node.A_Expr;
  if (!expr) return false;
  const op = names(expr.name).at(-1) ?? '';
  const dim = dimensionOf(level, scan, expr.lexpr);
  if (!dim) return false;
  if (expr.kind === 'AEXPR_IN') {
    const values = inListValues(expr.rexpr?.List?.items ?? [], params, lists);
    if (values.some((v: unknown) => v === NOT_CONSTANT || v === null)) return false;
    if (dim.type === 'time') {
      for (const v of values) checkTimestampText(v as ParamValue);
      if (op !== '=' || values.length !== 1 || !dim.trunc) return false;
      return addTruncEquals(dim, values[0] as ParamValue, out); // checked above: a constant, not NULL
    }
    out.filters.push({ member: dim.path, operator: op === '=' ? 'equals' : 'notEquals', values: values.map(String) });
    if (op !== '=') out.filters.push({ member: dim.path, operator: 'set' });
    return true;
  }
  if (expr.kind === 'AEXPR_LIKE' || expr.kind === 'AEXPR_ILIKE') return false;
  if (expr.kind !== 'AEXPR_OP') return false;
  const value = literalValue(expr.rexpr, params);
  if (value === NOT_CONSTANT) return false;
  if (value === null) return addNeverTrue(dim, op, out);
  if (dim.type === 'time') {
    checkTimestampText(value);
    return addTimeComparison(dim, op, value, out);
  }
  const operator = ({ '=': 'equals', '<>': 'notEquals', '!=': 'notEquals', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const)[op];
  if (!operator) return false;
  if (dim.type !== 'number' && operator !== 'equals' && operator !== 'notEquals') return false;
  out.filters.push({ member: dim.path, operator, values: [String(value)] } satisfies MemberFilter);
  // SQL's three-valued logic: `x <> v` is not true on a NULL x, while Cube's notEquals keeps NULL rows.
  if (operator === 'notEquals') out.filters.push({ member: dim.path, operator: 'set' });
  return true;
}

/**
 * `dim <op> NULL` is never true, so the conjunct keeps no row: the dimension both set and not
 * set. Pushing that down keeps the query's grain (a Describe before Bind runs the statement with
 * NULL parameters, and the result's columns must not depend on them).
 */
function addNeverTrue(dim: { path: string; trunc?: string }, op: string, out: TranslatedWhere): boolean {
  if (!['=', '<>', '!=', '<', '<=', '>', '>='].includes(op)) return false;
  out.filters.push({ member: dim.path, operator: 'set' }, { member: dim.path, operator: 'notSet' });
  return true;
}

/** Words Postgres reads as timestamps though they hold no digit. */
const TIMESTAMP_WORDS = new Set(['now', 'today', 'tomorrow', 'yesterday', 'epoch', 'infinity', '-infinity', 'allballs']);

/**
 * A time dimension compared with text that cannot be a timestamp (no digit, not one of Postgres's
 * special words) is Postgres's 22007, not a conjunct left for later (where the grain check or
 * DuckDB's conversion would say something else).
 */
function checkTimestampText(value: ParamValue): void {
  if (typeof value !== 'string' || /\d/.test(value) || TIMESTAMP_WORDS.has(value.trim().toLowerCase())) return;
  throw new UserError('INVALID_DATE_RANGE', `invalid input syntax for type timestamp: "${value}"`, { sqlState: '22007' });
}

/**
 * Values of an IN list, folded lists expanded. A plain loop: `flatMap` over a folded list of
 * thousands of values costs a fifth of a millisecond in V8, most of the SQL planning budget.
 */
function inListValues(items: readonly AstNode[], params: readonly ParamValue[], lists: ReadonlyMap<string, FoldedList>): (ParamValue | typeof NOT_CONSTANT)[] {
  const values: (ParamValue | typeof NOT_CONSTANT)[] = [];
  for (const item of items) {
    const folded = isListPlaceholder(item.A_Const?.sval?.sval) ? lists.get(item.A_Const.sval.sval) : undefined;
    if (!folded) values.push(literalValue(item, params));
    else for (const v of folded.values) values.push(v);
  }
  return values;
}

function bounds(out: TranslatedWhere, path: string): { from?: string; to?: string } {
  const b = out.timeBounds.get(path) ?? {};
  out.timeBounds.set(path, b);
  return b;
}

function addTruncEquals(dim: { path: string; trunc?: string }, value: ParamValue, out: TranslatedWhere): boolean {
  const iso = toIsoTimestamp(value);
  const end = iso && dim.trunc ? periodEnd(iso, dim.trunc) : undefined;
  if (!iso || !end || !isPeriodStart(iso, dim.trunc!)) return false;
  const b = bounds(out, dim.path);
  b.from = b.from && b.from > iso ? b.from : iso;
  b.to = b.to && b.to < end ? b.to : end;
  return true;
}

function addTimeComparison(dim: { path: string; trunc?: string }, op: string, value: ParamValue, out: TranslatedWhere): boolean {
  const iso = toIsoTimestamp(value);
  if (!iso) return false;
  if (dim.trunc) {
    if (op === '=') return addTruncEquals(dim, value, out);
    // When X starts a period: date_trunc(g, t) < X and >= X equal t < X and t >= X; > X is
    // t >= the next period, <= X is t <= the end of X's period. Other X stay in the outer evaluation.
    if (!isPeriodStart(iso, dim.trunc)) return false;
    const end = periodEnd(iso, dim.trunc);
    if (!end) return false;
    if (op === '>') return addTimeComparison({ path: dim.path }, '>=', shiftIso(end, 1), out);
    if (op === '<=') return addTimeComparison({ path: dim.path }, '<=', end, out);
    if (op !== '<' && op !== '>=') return false;
  }
  const b = bounds(out, dim.path);
  const setFrom = (v: string) => (b.from = b.from && b.from > v ? b.from : v);
  const setTo = (v: string) => (b.to = b.to && b.to < v ? b.to : v);
  switch (op) {
    case '>=':
      setFrom(iso);
      return true;
    case '>':
      setFrom(shiftIso(iso, 1));
      return true;
    case '<':
      setTo(shiftIso(iso, -1));
      return true;
    case '<=':
      setTo(iso);
      return true;
    case '=':
      setFrom(iso);
      setTo(iso);
      return true;
    default:
      return false;
  }
}
