/**
 * Prepares the parse tree of a SELECT over model tables for planning, on the caller's own copy:
 * `= ANY(array)` / `<> ALL(array)` as IN / NOT IN lists (`any-all-lists.ts`), the statement's clock
 * as constants (`clock-values.ts`), wrapper levels inlined into the level that reads them, top-N joins turned into IN filters, and
 * uncorrelated `col IN (SELECT … FROM <model table> …)` filters answered first (through the same
 * path as any model query) so they become constant lists the semantic query can push down.
 */
import type { ModelTable } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { rewriteAnyAllLists } from './any-all-lists.ts';
import type { StatementClock } from '../session/session-clock.ts';
import { bindClockValues } from './clock-values.ts';
import { dropEmptyGrouping } from './check-select-input.ts';
import { inlineSubselects } from './inline-subselects.ts';
import { KEY_SOURCE, NULL_SAFE, rewriteSemiJoins } from './semi-join-filters.ts';
import { literalNode } from './transform-ast.ts';
import { conjunctsOf } from './translate-filters.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';

type FindTable = (schema: string | undefined, name: string) => ModelTable | undefined;

/** Answers a sub-select; returns its output column names and columnar values. */
export type RunSubselect = (select: AstNode) => Promise<{ readonly columns: readonly { readonly name: string }[]; readonly data: readonly (readonly unknown[])[] }>;

/** At most this many values become a literal list; a larger key set stays a subquery. */
const MAX_LIST_VALUES = 10_000;

export async function prepareModelSelect(original: AstNode, params: readonly ParamValue[], findTable: FindTable, runSubselect: RunSubselect, clock?: StatementClock): Promise<AstNode> {
  const select = structuredClone(original);
  rewriteAnyAllLists(select, params);
  if (clock) bindClockValues(select, clock, findTable);
  dropEmptyGrouping(select);
  inlineSubselects(select, findTable);
  // A top-N join rewritten as a filter leaves a level that only filters: inline it in turn.
  if (rewriteSemiJoins(select, findTable)) inlineSubselects(select, findTable);
  await resolveInSubqueries(select, findTable, runSubselect);
  return select;
}

/** Every level's top-level WHERE conjuncts `ref IN (subquery over model tables)`, replaced by their values. */
async function resolveInSubqueries(select: AstNode, findTable: FindTable, runSubselect: RunSubselect): Promise<void> {
  const levels: AstNode[] = [];
  const collect = (s: AstNode): void => {
    if (s.op && s.op !== 'SETOP_NONE') {
      collect(s.larg);
      collect(s.rarg);
      return;
    }
    levels.push(s);
    walkAst([s.fromClause, s.withClause], (type, body) => {
      if (type === 'RangeSubselect' && body.subquery?.SelectStmt) {
        collect(body.subquery.SelectStmt);
        return false;
      }
      if (type === 'CommonTableExpr' && body.ctequery?.SelectStmt) {
        collect(body.ctequery.SelectStmt);
        return false;
      }
    });
  };
  collect(select);
  for (const level of levels) {
    const conjuncts = conjunctsOf(level.whereClause);
    let changed = false;
    for (let i = 0; i < conjuncts.length; i++) {
      const link = conjuncts[i]!.SubLink;
      if (!link || link.subLinkType !== 'ANY_SUBLINK' || (link.operName && names(link.operName).at(-1) !== '=') || !link.testexpr?.ColumnRef) continue;
      const sub: AstNode | undefined = link.subselect?.SelectStmt;
      if (!sub || !readsOnlyModelTables(sub, findTable) || !isUncorrelated(sub)) continue;
      // A top-N join's subquery is answered as it is (its ORDER BY and LIMIT pushed down), keeping its key column.
      const source: { select: AstNode; column: string } | undefined = link[KEY_SOURCE];
      const result = await runSubselect(source?.select ?? sub);
      const keyIndex = source ? result.columns.findIndex((c) => c.name.toLowerCase() === source.column.toLowerCase()) : 0;
      if (keyIndex < 0) continue;
      const values = result.data[keyIndex] ?? [];
      if (values.length > MAX_LIST_VALUES) continue;
      conjuncts[i] = inListCondition(link.testexpr, values, link[NULL_SAFE] === true);
      changed = true;
    }
    if (changed) level.whereClause = conjuncts.length === 1 ? conjuncts[0] : { BoolExpr: { boolop: 'AND_EXPR', args: conjuncts } };
  }
}

/** `ref IN (v1, …)`, with `OR ref IS NULL` when a null-safe key set holds NULL; FALSE when empty. */
function inListCondition(ref: AstNode, values: readonly unknown[], nullSafe: boolean): AstNode {
  const present = values.filter((v) => v !== null && v !== undefined);
  const withNull = nullSafe && present.length < values.length;
  const isNull = { NullTest: { arg: structuredClone(ref), nulltesttype: 'IS_NULL' } };
  if (present.length === 0) return withNull ? isNull : { A_Const: { boolval: { boolval: false } } };
  const items = [...new Set(present.map((v) => (typeof v === 'number' || typeof v === 'boolean' ? v : String(v))))].map((v) => ({ A_Const: literalConst(v) }));
  const inList = { A_Expr: { kind: 'AEXPR_IN', name: [{ String: { sval: '=' } }], lexpr: ref, rexpr: { List: { items } } } };
  return withNull ? { BoolExpr: { boolop: 'OR_EXPR', args: [inList, isNull] } } : inList;
}

/** Values from the engine are typed already: strings stay strings (a code '001' is not the number 1). */
function literalConst(v: string | number | boolean): AstNode {
  return typeof v === 'string' ? { sval: { sval: v } } : literalNode(v).A_Const;
}

function readsOnlyModelTables(sub: AstNode, findTable: FindTable): boolean {
  let model = 0;
  let other = 0;
  const ctes = new Set<string>();
  walkAst(sub, (type, body) => {
    if (type === 'CommonTableExpr') ctes.add(body.ctename);
    if (type === 'RangeVar') {
      if (findTable(body.schemaname, body.relname)) model++;
      else if (!ctes.has(body.relname)) other++;
    }
    if (type === 'RangeFunction') other++;
  });
  return model > 0 && other === 0;
}

/** Whether every qualified column reference of the subquery names one of its own FROM aliases. */
function isUncorrelated(sub: AstNode): boolean {
  const own = new Set<string>();
  walkAst(sub, (type, body) => {
    if (type === 'RangeVar') own.add(String(body.alias?.aliasname ?? body.relname).toLowerCase());
    if (type === 'RangeSubselect' && body.alias?.aliasname) own.add(String(body.alias.aliasname).toLowerCase());
  });
  let ok = true;
  walkAst(sub, (type, body) => {
    if (type !== 'ColumnRef') return;
    const f = names(body.fields);
    if (f.length >= 2 && !own.has(f[f.length - 2]!.toLowerCase())) ok = false;
  });
  return ok;
}
