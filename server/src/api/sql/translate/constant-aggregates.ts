/**
 * Aggregates of a constant over a cube table or view read directly (`COUNT(1)`, `SUM(1)` —
 * Tableau's "Number of Records" —, `COUNT('x')`, `MAX(1)`). Reading a model table, `COUNT(*)` is
 * the table's `count` measure (Cube's SQL API convention: the rows the model counts, e.g. sale
 * lines only in `vendas`); an aggregate of a constant over the same rows is defined from that
 * number `n` of the group, so COUNT(1) always equals COUNT(*):
 * COUNT(k) = n (0 when k is NULL), SUM(k) = k × n, MIN(k) = MAX(k) = k (NULL when n = 0).
 * Any other aggregate of a constant (AVG, array_agg, string_agg, COUNT(DISTINCT k) …) is refused
 * (0A000) rather than computed over the distinct groups of the semantic query. Over a subquery
 * the rows are the subquery's (inline-subselects.ts), as in Postgres.
 */
import { parseSync } from 'libpg-query';
import { UserError } from '../../../errors/user-error.ts';
import { transformAst } from './transform-ast.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

/** Functions whose value changes from row to row although they read no column. */
const VOLATILE = new Set(['random', 'gen_random_uuid', 'clock_timestamp', 'nextval', 'setseed', 'timeofday', 'uuid_generate_v4']);

/** Whether an aggregate's argument has the same value on every row: no column, subquery or volatile call. */
export function isRowConstant(arg: AstNode): boolean {
  let constant = true;
  walkAst(arg, (type, body) => {
    if (type === 'ColumnRef' || type === 'SubLink') constant = false;
    if (type === 'FuncCall' && VOLATILE.has(names(body.funcname).at(-1)?.toLowerCase() ?? '')) constant = false;
    if (!constant) return false;
  });
  return constant;
}

/** Aggregates of a constant defined from the count measure; MIN/MAX also with DISTINCT. */
const DEFINED = new Set(['count', 'sum', 'min', 'max']);

/** Refuses (0A000) an aggregate of a constant that the count measure does not define. */
export function checkConstantAggregate(fn: string, distinct: boolean, table: string): void {
  if (DEFINED.has(fn) && (!distinct || fn === 'min' || fn === 'max')) return;
  const what = `${fn.toUpperCase()}(${distinct ? 'DISTINCT ' : ''}<constant>)`;
  throw new UserError('UNSUPPORTED', `${what} over ${table} is not supported: reading a cube or view directly, aggregates of a constant count the rows its count measure counts (COUNT(1) = COUNT(*) = MEASURE(count)), and only COUNT, SUM, MIN and MAX are defined from that number`, {
    hint: `aggregate the rows of a subquery instead, as Postgres does: SELECT ${fn.toUpperCase()}(…) FROM (SELECT … FROM ${table}) t`,
  });
}

/** Whether COUNT(k) is the count measure itself (k a non-NULL literal): no expression needed around it. */
export function isPlainCount(fn: string, constant: AstNode): boolean {
  const literal = constant.TypeCast?.arg ?? constant;
  return fn === 'count' && Boolean(literal.A_Const) && !literal.A_Const.isnull;
}

const TEMPLATES: Readonly<Record<string, string>> = {
  count: 'CASE WHEN (__k) IS NULL THEN 0 ELSE __n END',
  sum: 'CASE WHEN __n > 0 THEN (__k) * __n END',
  min: 'CASE WHEN __n > 0 THEN __k END',
  max: 'CASE WHEN __n > 0 THEN __k END',
};

/**
 * The expression an aggregate of constant `k` becomes in the residual step, given `n`: the
 * expression of the group's count measure (the re-aggregation of the scan's count column).
 */
export function constantAggregateExpression(fn: string, constant: AstNode, n: AstNode): AstNode {
  if (isPlainCount(fn, constant)) return n;
  const parsed = parseSync(`SELECT ${TEMPLATES[fn]!}`) as AstNode;
  const root = { ResTarget: parsed.stmts[0].stmt.SelectStmt.targetList[0].ResTarget };
  transformAst(root, (node) => {
    const name = node.ColumnRef ? names(node.ColumnRef.fields).at(-1) : undefined;
    if (name === '__n') return structuredClone(n);
    if (name === '__k') return structuredClone(constant);
    return undefined;
  });
  return root.ResTarget.val;
}
