/**
 * Power BI wraps a visual's grouping level once more:
 * `select "_"."c", "_"."a0" from (<grouping level>) "_" where not "_"."a0" is null limit 1000001`.
 * That level only picks columns of the grouping level's result, keeps the rows whose columns are
 * (not) NULL, and limits. When the grouping level is answered by one Cube query (the fast path),
 * so is the wrapper: the NULL tests become `set`/`notSet` filters on the members behind those
 * columns (a HAVING for a measure, a WHERE for a dimension), the LIMIT the query's limit, the
 * column list a projection of the result — no post-processing step.
 */
import type { Filter, MemberFilter } from '../../../query/query-types.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import type { Level } from './analyze-levels.ts';
import { NOT_CONSTANT } from './literal-value.ts';
import { constant, type FastOutput, type FastPath } from './plan-fast-path.ts';
import { conjunctsOf } from './translate-filters.ts';
import { names, type AstNode } from './walk-ast.ts';

/**
 * The fast path of `top` when it only wraps `inner` (whose fast path is `innerFast`), or undefined
 * when the wrapper does anything else (expressions, grouping, ordering, other sources).
 */
export function planOuterFilter(top: Level, inner: Level, innerFast: FastPath, params: readonly ParamValue[]): FastPath | undefined {
  const s = top.select;
  if (top.scans.length > 0 || (s.op && s.op !== 'SETOP_NONE') || s.groupClause || s.havingClause || s.distinctClause || s.sortClause || s.withClause || s.windowClause) return undefined;
  const from: AstNode[] = s.fromClause ?? [];
  const sub = from.length === 1 ? from[0]!.RangeSubselect : undefined;
  if (!sub || sub.lateral || sub.alias?.colnames || sub.subquery?.SelectStmt !== inner.select) return undefined;
  const alias = String(sub.alias?.aliasname ?? '').toLowerCase();
  const byName = new Map(innerFast.outputs.map((o) => [o.name.toLowerCase(), o]));
  const outputOf = (node: AstNode | undefined): FastOutput | undefined => {
    const fields = node?.ColumnRef ? names(node.ColumnRef.fields) : undefined;
    if (!fields || fields.length > 2 || (fields.length === 2 && fields[0]!.toLowerCase() !== alias)) return undefined;
    return byName.get(fields.at(-1)!.toLowerCase());
  };

  const outputs: FastOutput[] = [];
  for (const target of (s.targetList ?? []) as AstNode[]) {
    const rt = target.ResTarget;
    const fields = rt.val?.ColumnRef ? names(rt.val.ColumnRef.fields) : [];
    if (fields.at(-1) === '*' && (fields.length === 1 || fields[0]!.toLowerCase() === alias)) {
      outputs.push(...innerFast.outputs);
      continue;
    }
    const output = outputOf(rt.val);
    if (!output) return undefined;
    outputs.push(rt.name ? { ...output, name: rt.name } : output);
  }

  const filters: Filter[] = [];
  const memberTest = (node: AstNode): MemberFilter | undefined => {
    const test = nullTest(node);
    const output = test && outputOf(test.arg);
    const member = output && !output.rowKey && !output.nullValue ? memberOf(output) : undefined;
    return test && member ? { member, operator: test.isNull ? 'notSet' : 'set' } : undefined;
  };
  for (const conjunct of conjunctsOf(s.whereClause)) {
    // With several measures Power BI keeps a row when any of them is set: `not a0 is null or not a1 is null`.
    const alternatives: AstNode[] = conjunct.BoolExpr?.boolop === 'OR_EXPR' ? conjunct.BoolExpr.args : [conjunct];
    const tests = alternatives.map(memberTest);
    if (tests.some((t) => !t)) return undefined;
    filters.push(tests.length === 1 ? tests[0]! : { or: tests as MemberFilter[] });
  }

  const limit = constant(s.limitCount, params);
  const offset = constant(s.limitOffset, params);
  if (limit === NOT_CONSTANT || offset === NOT_CONSTANT) return undefined;
  const query = { ...innerFast.query, filters: [...(innerFast.query.filters ?? []), ...filters] };
  // The inner level's own LIMIT/OFFSET would apply before the filter: only one side may limit.
  if ((limit !== undefined || offset) && (innerFast.requestedLimit !== undefined || innerFast.query.offset)) return undefined;
  const requestedLimit = limit ?? innerFast.requestedLimit;
  return {
    query: { ...query, ...(limit !== undefined ? { limit: Math.min(limit, innerFast.query.limit ?? limit) } : {}), ...(offset ? { offset } : {}) },
    outputs,
    ...(requestedLimit !== undefined ? { requestedLimit } : {}),
  };
}

/** `x IS NULL`, `x IS NOT NULL`, `NOT x IS NULL`, `NOT x IS NOT NULL`. */
function nullTest(node: AstNode): { arg: AstNode; isNull: boolean } | undefined {
  if (node.NullTest) return { arg: node.NullTest.arg, isNull: node.NullTest.nulltesttype === 'IS_NULL' };
  const not = node.BoolExpr?.boolop === 'NOT_EXPR' ? node.BoolExpr.args?.[0] : undefined;
  const inner = not ? nullTest(not) : undefined;
  return inner ? { arg: inner.arg, isNull: !inner.isNull } : undefined;
}

/** The member behind an output (`view.member`, also for a time dimension's `view.member.granularity`). */
function memberOf(output: FastOutput): string | undefined {
  const parts = output.resultKey.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : undefined;
}
