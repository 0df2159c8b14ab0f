/**
 * Checks of a SELECT over model tables that Postgres makes while parsing and binding, made here
 * before planning so that foreseeable bad input gets Postgres's SQLSTATE rather than whatever the
 * planner or the residual step's DuckDB would say later (a grain error, a binder message under
 * 0A000): ORDER BY / GROUP BY positions outside the select list (42P10), aggregates in WHERE
 * (42803), a LIMIT/OFFSET that is no number (22P02), `$n` past the parameters given (42P02).
 * Also drops `GROUP BY ()` from a level that aggregates: it is the same single group.
 */
import { UserError } from '../../../errors/user-error.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

/** Aggregates whose call in WHERE Postgres refuses; `measure` is the SQL API's own. */
const AGGREGATES = new Set(['measure', 'sum', 'count', 'avg', 'min', 'max', 'stddev', 'variance', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every']);

/** Throws a UserError with Postgres's SQLSTATE for the first problem found in any level of `select`. */
export function checkSelectInput(select: AstNode, params: readonly ParamValue[]): void {
  walkAst({ SelectStmt: select }, (type, body) => {
    if (type === 'ParamRef' && (body.number ?? 0) > params.length) {
      throw new UserError('QUERY_INVALID', `there is no parameter $${body.number ?? 0}`, { sqlState: '42P02' });
    }
    if (type !== 'SelectStmt' || !body.targetList) return;
    checkPositions(body);
    checkWhere(body.whereClause);
    for (const count of [body.limitCount, body.limitOffset]) checkCount(count, body.limitCount === count ? 'LIMIT' : 'OFFSET');
  });
}

function checkPositions(level: AstNode): void {
  const targets: AstNode[] = level.targetList;
  if (targets.some((t) => names(t.ResTarget?.val?.ColumnRef?.fields).at(-1) === '*')) return; // `*` has columns of its own
  const check = (node: AstNode | undefined, clause: string): void => {
    const n = node?.A_Const?.ival;
    if (!n) return;
    const position = Number(n.ival ?? 0);
    if (position < 1 || position > targets.length) {
      throw new UserError('QUERY_INVALID', `${clause} position ${position} is not in select list`, { sqlState: '42P10' });
    }
  };
  for (const item of level.sortClause ?? []) check(item.SortBy?.node, 'ORDER BY');
  for (const item of level.groupClause ?? []) check(item, 'GROUP BY');
}

function checkWhere(where: AstNode | undefined): void {
  if (!where) return;
  walkAst(where, (type, body) => {
    if (type === 'SubLink') return false;
    if (type === 'FuncCall' && !body.over && AGGREGATES.has(names(body.funcname).at(-1)?.toLowerCase() ?? '')) {
      throw new UserError('MEASURE_AGGREGATE', 'aggregate functions are not allowed in WHERE', { hint: 'filter groups with HAVING' });
    }
  });
}

function checkCount(node: AstNode | undefined, clause: string): void {
  const text = node?.A_Const?.sval?.sval;
  if (typeof text === 'string' && !/^\s*[+-]?\d+\s*$/.test(text)) {
    throw new UserError('INVALID_VALUE', `invalid input syntax for type bigint: "${text}"`, { sqlState: '22P02', hint: `${clause} takes a number` });
  }
}

/**
 * `GROUP BY ()` alone on a level that aggregates is the level without GROUP BY (one group of every
 * row); the planner does not read empty grouping sets. Mutates `select` (the caller's copy).
 */
export function dropEmptyGrouping(select: AstNode): void {
  walkAst({ SelectStmt: select }, (type, body) => {
    if (type !== 'SelectStmt' || !body.groupClause?.length) return;
    if (!body.groupClause.every((g: AstNode) => g.GroupingSet?.kind === 'GROUPING_SET_EMPTY')) return;
    let aggregates = false;
    walkAst(body.targetList, (t, b) => {
      if (t === 'SubLink') return false;
      if (t === 'FuncCall' && !b.over && AGGREGATES.has(names(b.funcname).at(-1)?.toLowerCase() ?? '')) aggregates = true;
    });
    if (aggregates) delete body.groupClause;
  });
}
