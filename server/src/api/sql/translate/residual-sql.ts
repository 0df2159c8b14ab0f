/**
 * The residual step of a model query: what the semantic queries do not express (expressions over
 * their results, nested levels, joins to top-N subqueries, grouping sets) is evaluated over their
 * results in the sandbox. It is the client's statement with every model table replaced by the
 * table holding its scan's result, and every aggregate over a measure replaced by the
 * re-aggregation that keeps the measure's value — rewritten on the parse tree and printed back
 * with a deparser, never by splicing text.
 */
import { deparseSync } from 'pgsql-deparser';
import { UserError } from '../../../errors/user-error.ts';
import { JOIN_FIELD } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { countColumn, resolveRef, tableOf, type Level, type Scan } from './analyze-levels.ts';
import { constantAggregateExpression } from './constant-aggregates.ts';
import { isListPlaceholder, type FoldedList } from './fold-literal-lists.ts';
import { rewriteDivisions } from './postgres-division.ts';
import { checkMeasureInAggregate } from './scaled-measure-sums.ts';
import { rewriteTextConversions } from './postgres-text.ts';
import type { ScanPlan } from './plan-scan.ts';
import { columnRefNode, fromItemOf, funcCallNode, literalNode, transformAst } from './transform-ast.ts';
import { rewriteLikeEscapes } from './postgres-like-escape.ts';
import { rewriteUnboundedNumericCasts } from './postgres-numeric.ts';
import { names, type AstNode } from './walk-ast.ts';

/** Name of the residual step's table holding the columns of table `k` of scan `index`. */
export function scanTableName(index: number, k: number): string {
  return k === 0 ? `__scan_${index}` : `__scan_${index}_${k}`;
}

/** Whether the scan's tables carry the row key column (a model join, or the join field is read). */
export function carriesRowKey(plan: ScanPlan): boolean {
  return plan.scan.tables.length > 1 || plan.columns.some((c) => c.rowKey);
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * The residual SQL over tables `__scan_<i>`: `root` (the statement's SelectStmt, already inlined)
 * rewritten in place. `exactGrain(level, plan)` says whether each group of the level holds
 * exactly one row of the scan's result (then any aggregate over a measure reads its value).
 */
export function residualSql(
  root: AstNode,
  levels: readonly Level[],
  scans: readonly ScanPlan[],
  params: readonly ParamValue[],
  lists: ReadonlyMap<string, FoldedList>,
  exactGrain: (level: Level, plan: ScanPlan) => boolean,
): string {
  const replacements = new Map<AstNode, AstNode | AstNode[]>();
  const planOf = new Map<Scan, ScanPlan>(scans.map((p) => [p.scan, p]));
  for (const level of levels) {
    for (const scan of level.scans) replaceScan(level, planOf.get(scan)!, replacements, exactGrain);
  }
  transformAst({ SelectStmt: root }, (node) => {
    const [type, body] = Object.entries(node)[0] as [string, AstNode];
    const direct = replacements.get(body) ?? replacements.get(node);
    if (direct) return direct;
    if (type === 'ParamRef') return literalNode(params[(body.number ?? 1) - 1] ?? null);
    if (type === 'A_Const' && isListPlaceholder(body.sval?.sval)) {
      const folded = lists.get(body.sval.sval);
      if (folded) return folded.values.map((v) => literalNode(v));
    }
    if (type === 'ResTarget' && body.val?.ColumnRef && replacements.has(body.val.ColumnRef)) {
      const r = replacements.get(body.val.ColumnRef)!;
      if (Array.isArray(r)) return r; // a `*` expanded into one target per column
    }
    return undefined;
  });
  rewriteTextConversions(root);
  rewriteDivisions(root);
  rewriteUnboundedNumericCasts(root);
  rewriteLikeEscapes(root);
  return deparseSync({ SelectStmt: root } as never);
}

/** Records how one scan's model tables, measure aggregates and pushed conjuncts are rewritten. */
function replaceScan(level: Level, plan: ScanPlan, out: Map<AstNode, AstNode | AstNode[]>, exactGrain: (level: Level, plan: ScanPlan) => boolean): void {
  const scan = plan.scan;
  const anchor = scan.tables[0]!;
  scan.tables.forEach((t, k) => {
    const rv = t.rangeVar;
    const temp = scanTableName(scan.index, k);
    if (k === 0) {
      out.set(rv, { RangeVar: { relname: temp, inh: true, relpersistence: 'p', alias: { aliasname: t.alias } } });
      return;
    }
    // The other tables of a model join read the same result rows as the first one: a lateral
    // subquery picks the first table's row, whatever join syntax surrounds it.
    if (rv.alias?.colnames) throw new UserError('UNSUPPORTED', `column aliases on a joined cube table (${t.alias}) are not supported`);
    const row = `${quote(temp)}.${quote(JOIN_FIELD)} = ${quote(anchor.alias)}.${quote(JOIN_FIELD)}`;
    const item = fromItemOf(`LATERAL (SELECT * FROM ${quote(temp)} WHERE ${row}) AS ${quote(t.alias)}`);
    out.set(rv, item);
  });
  if (carriesRowKey(plan)) {
    // `*` must not show the row key: list the columns the plan reads instead.
    for (const uses of scan.uses.values()) {
      for (const use of uses) {
        if (names(use.ref.fields).at(-1) !== '*' || out.has(use.ref)) continue;
        const r = resolveRef(level, use.ref);
        const only = names(use.ref.fields).length >= 2 ? r?.table : undefined;
        const targets = plan.columns
          .filter((c) => !c.rowKey && (!only || tableOf(scan, c.column) === only))
          .map((c) => ({ ResTarget: { name: c.column.name, val: columnRefNode(tableOf(scan, c.column).alias, c.column.name) } }));
        if (targets.length) out.set(use.ref, targets);
      }
    }
  }
  for (const conjunct of plan.removedConjuncts) out.set(conjunct, { A_Const: { boolval: { boolval: true } } });
  // `schema.table.column` (Metabase qualifies every column) names the scan table by its alias.
  for (const [column, uses] of scan.uses) {
    for (const use of uses) {
      if (names(use.ref.fields).length === 3 && !out.has(use.ref)) out.set(use.ref, columnRefNode(tableOf(scan, column).alias, column.name));
    }
  }
  const exact = exactGrain(level, plan);
  for (const call of scan.measureCalls) {
    const column = call.column ?? countColumn(scan)!;
    const value = reaggregate(column.type, column.path, exact, tableOf(scan, column).alias, column.name);
    out.set(call.call, call.constant ? constantAggregateExpression(call.fn, call.constant, value) : value);
  }
  if (!level.grouped) return;
  const callArgs = new Set(scan.measureCalls.map((c) => c.call.args?.[0]?.ColumnRef).filter(Boolean));
  for (const [column, uses] of scan.uses) {
    if (column.kind !== 'measure') continue;
    for (const use of uses) {
      // Inside an expression an aggregate would read the measure's group totals, not rows.
      if (use.inAggregate && !callArgs.has(use.ref)) checkMeasureInAggregate(level, use.ref, column);
      // A row filter on a measure of a grouped level would be evaluated on the groups' values instead.
      if (use.clause === 'where' && !use.inAggregate) {
        throw new UserError('UNSUPPORTED', `measure ${column.path} cannot filter rows in WHERE: in a grouped query it is computed per group`, {
          hint: `filter the groups with HAVING MEASURE(${column.name}) …`,
        });
      }
      if (use.inAggregate || use.clause === 'where' || use.clause === 'join') continue;
      out.set(use.ref, reaggregate(column.type, column.path, exact, tableOf(scan, column).alias, column.name));
    }
  }
}

/**
 * The aggregate that keeps a measure's value when the residual step groups the scan's rows:
 * additive measures are summed, min/max re-aggregate, and any measure is its own value when each
 * group holds one row. Anything else would be a different number: refused, naming the measure.
 */
function reaggregate(type: string, path: string, exact: boolean, alias: string, name: string): AstNode {
  const column = columnRefNode(alias, name);
  if (type === 'count' || type === 'sum') return funcCallNode('sum', [column]);
  if (type === 'min' || type === 'max') return funcCallNode(type, [column]);
  if (exact) return funcCallNode('min', [column]);
  throw notAtGrain(path, type, name);
}

function notAtGrain(path: string, type: string, name: string): UserError {
  return new UserError('MEASURE_AGGREGATE', `measure ${path} (${type}) cannot be computed at this grain: the query groups or filters by an expression the semantic layer cannot push down, and a ${type} measure cannot be re-aggregated from finer groups`, {
    hint: `group and filter by plain columns (dimensions, date_trunc of a time dimension) so MEASURE(${name}) is computed at the query's own grain`,
  });
}
