/**
 * Which expressions over a measure an aggregate may read in a grouped level. The level's scan
 * holds the measure at the semantic query's grain (a group total), not the view's rows, so an
 * aggregate of an expression over it (`sum(case when m < 0 …)`, `max(m + 0)`, `avg(m * 1)`,
 * `sum(greatest(m, 0))`) would be computed over group totals: refused, 42803. The one exception
 * is provably the same number: SUM of an additive measure (sum, count) scaled by constants —
 * `sum(m * 2)`, `sum(-m)`, `sum(cast(m as numeric) * 0.5)` — is the constant times the measure at
 * any grain, since a sum of scaled partial sums is the scaled sum.
 */
import { UserError } from '../../../errors/user-error.ts';
import type { ModelColumn } from '../catalog/model-tables.ts';
import { isAggregateName, type Level } from './analyze-levels.ts';
import { castEffect } from './cast-effect.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

const ADDITIVE = new Set(['sum', 'count']);

/** Refuses a measure read inside an aggregate of an expression, unless that is a scaled SUM of an additive measure. */
export function checkMeasureInAggregate(level: Level, ref: AstNode, column: ModelColumn): void {
  const call = enclosingAggregate(level, ref);
  const fn = call ? names(call.funcname).at(-1)!.toLowerCase() : 'aggregate';
  const scaledSum = call && fn === 'sum' && !call.agg_distinct && call.args?.length === 1 && ADDITIVE.has(column.type) && isScaled(call.args[0], ref);
  if (scaledSum) return;
  throw new UserError('MEASURE_AGGREGATE', `${fn.toUpperCase()}() over an expression of measure ${column.path} (${column.type}) would be computed on the measure's value per group, not over rows`, {
    hint: `aggregate the measure itself and compute on the result: MEASURE(${column.name}) (or ${column.type === 'sum' || column.type === 'count' ? `SUM(${column.name})` : 'its own aggregate'}) … GROUP BY …; for a statistic over rows, read a subquery that lists them`,
  });
}

/** The innermost aggregate call of the level's own expressions whose argument holds `ref`. */
function enclosingAggregate(level: Level, ref: AstNode): AstNode | undefined {
  let found: AstNode | undefined;
  const s = level.select;
  walkAst([s.targetList, s.havingClause, s.sortClause], (type, body) => {
    if (type === 'SubLink') return false;
    if (type !== 'FuncCall' || body.over || !isAggregateName(names(body.funcname).at(-1)?.toLowerCase() ?? '')) return;
    if (holds(body.args, ref)) found = body;
  });
  return found;
}

function holds(node: unknown, ref: AstNode): boolean {
  let found = false;
  walkAst(node, (_, body) => {
    if (body === ref) found = true;
  });
  return found;
}

/** `ref` times constants: `ref`, `-x`, `x * c`, `c * x`, or a cast that keeps numbers' values of such an `x`. */
function isScaled(node: AstNode | undefined, ref: AstNode): boolean {
  if (!node) return false;
  if (node.ColumnRef) return node.ColumnRef === ref;
  if (node.TypeCast) return castEffect(node.TypeCast, 'number') === 'same' && isScaled(node.TypeCast.arg, ref);
  const e = node.A_Expr;
  if (!e || e.kind !== 'AEXPR_OP') return false;
  const op = names(e.name).at(-1);
  if (op === '-' && !e.lexpr) return isScaled(e.rexpr, ref);
  if (op !== '*') return false;
  return (isNumber(e.lexpr) && isScaled(e.rexpr, ref)) || (isScaled(e.lexpr, ref) && isNumber(e.rexpr));
}

function isNumber(node: AstNode | undefined): boolean {
  if (!node) return false;
  if (node.A_Const) return node.A_Const.ival !== undefined || node.A_Const.fval !== undefined;
  if (node.TypeCast) return isNumber(node.TypeCast.arg);
  const e = node.A_Expr;
  return Boolean(e && e.kind === 'AEXPR_OP' && !e.lexpr && names(e.name).at(-1) === '-' && isNumber(e.rexpr));
}
