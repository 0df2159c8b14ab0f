/**
 * `x = ANY(<array>)` and `x <> ALL(<array>)` over a constant array, as Npgsql, pgjdbc and Power BI's
 * native queries send list filters (`= ANY($1)` with a text[] parameter, `= ANY('{a,b}')`,
 * `= ANY(ARRAY['a','b'])`), are `x IN (…)` and `x NOT IN (…)` in Postgres, NULLs included: each
 * is the OR (AND) of the element comparisons. They are rewritten so on the parse tree, so the
 * filter translation pushes them down as IN lists are and the residual step evaluates them as IN.
 * https://www.postgresql.org/docs/current/functions-comparisons.html#FUNCTIONS-COMPARISONS-ANY-SOME
 * An empty array is `false` for ANY and `true` for ALL, whatever x is.
 */
import type { ParamValue } from '../wire/decode-param.ts';
import { transformAst } from './transform-ast.ts';
import { names, type AstNode } from './walk-ast.ts';

/** Rewrites, in place, every `= ANY` / `<> ALL` over a constant array in `select` (every level). */
export function rewriteAnyAllLists(select: AstNode, params: readonly ParamValue[]): void {
  transformAst({ SelectStmt: select }, (node) => {
    const expr = node.A_Expr;
    if (!expr || (expr.kind !== 'AEXPR_OP_ANY' && expr.kind !== 'AEXPR_OP_ALL')) return undefined;
    const op = names(expr.name).at(-1);
    const isIn = expr.kind === 'AEXPR_OP_ANY' && op === '=';
    const isNotIn = expr.kind === 'AEXPR_OP_ALL' && (op === '<>' || op === '!=');
    if (!isIn && !isNotIn) return undefined;
    const items = arrayElements(expr.rexpr, params);
    if (!items) return undefined;
    if (items.length === 0) return { A_Const: { boolval: { boolval: isNotIn } } };
    return { A_Expr: { kind: 'AEXPR_IN', name: [{ String: { sval: isIn ? '=' : '<>' } }], lexpr: expr.lexpr, rexpr: { List: { items } }, location: expr.location } };
  });
}

/** The elements of a constant one-dimensional array as expression nodes, or undefined. */
function arrayElements(node: AstNode | undefined, params: readonly ParamValue[], elementType?: AstNode): AstNode[] | undefined {
  if (!node) return undefined;
  const typed = (item: AstNode): AstNode => (elementType ? { TypeCast: { arg: item, typeName: elementType } } : item);
  if (node.A_ArrayExpr) {
    const elements: AstNode[] = node.A_ArrayExpr.elements ?? [];
    if (elements.some((e) => e.A_ArrayExpr)) return undefined;
    return elements.map(typed);
  }
  if (node.TypeCast) {
    const typeName = node.TypeCast.typeName;
    if (!typeName?.arrayBounds?.length || elementType) return undefined;
    const { arrayBounds: _bounds, ...element } = typeName;
    return arrayElements(node.TypeCast.arg, params, element);
  }
  const text = node.A_Const?.sval?.sval ?? (node.ParamRef ? params[(node.ParamRef.number ?? 1) - 1] : undefined);
  if (typeof text !== 'string') return undefined;
  const values = parseArrayLiteral(text);
  return values?.map((v) => typed(v === null ? { A_Const: { isnull: true } } : { A_Const: { sval: { sval: v } } }));
}

/**
 * Postgres's text form of a one-dimensional array (`{a,"b c",NULL}`): elements separated by
 * commas, double quotes with backslash escapes, unquoted NULL is the null value, whitespace around
 * unquoted elements dropped. Undefined for anything else (nested arrays, dimension decorations).
 * https://www.postgresql.org/docs/current/arrays.html#ARRAYS-IO
 */
export function parseArrayLiteral(text: string): (string | null)[] | undefined {
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const inner = s.slice(1, -1);
  if (inner.trim() === '') return [];
  const values: (string | null)[] = [];
  let i = 0;
  for (;;) {
    while (inner[i] === ' ' || inner[i] === '\t' || inner[i] === '\n') i++;
    let value = '';
    let quoted = false;
    if (inner[i] === '"') {
      quoted = true;
      for (i++; i < inner.length && inner[i] !== '"'; i++) value += inner[i] === '\\' ? inner[++i] ?? '' : inner[i];
      if (inner[i] !== '"') return undefined;
      i++;
      while (inner[i] === ' ' || inner[i] === '\t' || inner[i] === '\n') i++;
    } else {
      for (; i < inner.length && inner[i] !== ','; i++) {
        if (inner[i] === '{' || inner[i] === '}' || inner[i] === '"') return undefined;
        value += inner[i] === '\\' ? inner[++i] ?? '' : inner[i];
      }
      value = value.trim();
      if (value === '') return undefined;
    }
    values.push(!quoted && value.toUpperCase() === 'NULL' ? null : value);
    if (i >= inner.length) return values;
    if (inner[i] !== ',') return undefined;
    i++;
  }
}
