/**
 * SQL over model tables → Cube queries plus, when needed, an outer evaluation.
 * The model tables a level reads directly become one Cube query (`plan-scan.ts`) so pre-aggregations,
 * caching and security apply as in REST: one table, or several joined as the data model defines
 * (`CROSS JOIN`, `FROM a, b`, `JOIN … ON a.__cubeJoinField = b.__cubeJoinField`, as in Cube's SQL
 * API), whose members then come from the engine's join graph; other joins between cube tables are
 * refused (`analyze-levels.ts`). A single-level query whose shape Cube expresses directly
 * is answered from the engine's result alone (fast path); anything else (rollups, expressions,
 * nested levels, joins back to top-N subqueries) is evaluated over the aggregated rows by DuckDB
 * in memory, from the original SQL text with the model tables swapped for the scan results.
 */
import { UserError } from '../../../errors/user-error.ts';
import { JOIN_FIELD, type ModelTable } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { analyzeLevels, countColumn, resolveRef, tableOf, type Level, type Scan } from './analyze-levels.ts';
import { outputNames } from './output-names.ts';
import { planScan, type ScanPlan } from './plan-scan.ts';
import { applySplices, quoteIdent, SqlText, type Splice } from './sql-text.ts';
import { conjunctsOf } from './translate-filters.ts';
import { planFastPath, type FastPath } from './plan-fast-path.ts';
import { names, walkAst, type AstNode } from './walk-ast.ts';
import { isListPlaceholder, type FoldedList } from './fold-literal-lists.ts';

export interface ModelQueryPlan {
  readonly scans: readonly ScanPlan[];
  /** Set when the engine's result is the answer (no outer evaluation). */
  readonly fast?: FastPath;
  /** DuckDB SQL over tables `__scan_<i>`, when an outer evaluation is needed. */
  readonly outerSql?: string;
  /** Output column names by position (undefined entries: keep the evaluator's name). */
  readonly names?: readonly (string | undefined)[];
}

export interface PlanOptions {
  /** Rows a scan may return when the outer evaluation needs all of them (Cube's maximum limit). */
  readonly maxScanRows: number;
  /** IN lists folded out of the text before parsing (fold-literal-lists.ts). */
  readonly lists?: ReadonlyMap<string, FoldedList>;
}

export function planModelQuery(
  sql: string,
  select: AstNode,
  params: readonly ParamValue[],
  findTable: (schema: string | undefined, name: string) => ModelTable | undefined,
  options: PlanOptions,
): ModelQueryPlan {
  const text = new SqlText(sql);
  const lists = options.lists ?? new Map<string, FoldedList>();
  const levels = analyzeLevels(select, findTable);
  const top = levels[0]!;
  const names = outputNames(top, text, levels);
  if (levels.length === 1 && top.scans.length === 1) {
    // The fast path never rewrites the text, so it is tried without locating conjuncts in it
    // (tokenizing and re-parsing them is most of the planning time of a long IN list).
    const scan = planScan(top, top.scans[0]!, params, undefined, options.maxScanRows, lists);
    const fast = planFastPath(top, scan, params, names);
    if (fast) return { scans: [{ ...scan, query: fast.query }], fast };
  }
  const scans: ScanPlan[] = [];
  for (const level of levels) for (const scan of level.scans) scans.push(planScan(level, scan, params, text, options.maxScanRows, lists));
  return { scans, outerSql: rewriteForOuter(text, levels, scans, params, lists), names };
}

/** The original SQL with model tables replaced by scan results and measure aggregates re-aggregated. */
function rewriteForOuter(text: SqlText, levels: readonly Level[], scans: readonly ScanPlan[], params: readonly ParamValue[], lists: ReadonlyMap<string, FoldedList>): string {
  const splices: Splice[] = [];
  const planOf = new Map<Scan, ScanPlan>(scans.map((p) => [p.scan, p]));
  for (const level of levels) {
    for (const scan of level.scans) {
      const plan = planOf.get(scan)!;
      const keyed = carriesRowKey(plan);
      const anchor = scan.tables[0]!;
      scan.tables.forEach((t, k) => {
        const rv = t.rangeVar;
        const temp = scanTableName(scan.index, k);
        if (k === 0) {
          splices.push({ start: rv.location, end: text.nameEnd(rv.location), text: rv.alias ? temp : `${temp} AS ${quoteIdent(t.alias)}` });
          return;
        }
        // The other tables of a model join read the same result rows as the first one: a lateral
        // subquery picks the row of the first table's row, whatever join syntax surrounds it.
        const row = `${temp}.${quoteIdent(JOIN_FIELD)} = ${quoteIdent(anchor.alias)}.${quoteIdent(JOIN_FIELD)}`;
        splices.push({ start: rv.location, end: rangeVarEnd(text, rv), text: `(SELECT * FROM ${temp} WHERE ${row}) AS ${quoteIdent(t.alias)}` });
      });
      if (keyed) {
        // `*` must not show the row key: list the columns the plan reads instead.
        const stars = new Set<AstNode>();
        for (const uses of scan.uses.values()) for (const use of uses) if (names(use.ref.fields).at(-1) === '*') stars.add(use.ref);
        for (const ref of stars) {
          const r = resolveRef(level, ref);
          const only = names(ref.fields).length >= 2 ? r?.table : undefined;
          const list = plan.columns.filter((c) => !c.rowKey && (!only || tableOf(scan, c.column) === only)).map((c) => `${quoteIdent(tableOf(scan, c.column).alias)}.${quoteIdent(c.column.name)}`);
          if (list.length) splices.push({ start: ref.location, end: text.nameEnd(ref.location), text: list.join(', ') });
        }
      }
      for (const conjunct of plan.removedConjuncts) {
        const extent = (conjunct as { __extent?: [number, number] }).__extent;
        if (extent) splices.push({ start: extent[0], end: extent[1], text: 'TRUE' });
      }
      const exact = isExactGrain(level, plan);
      for (const call of scan.measureCalls) {
        const column = call.column ?? countColumn(scan)!;
        splices.push({ start: call.call.location, end: text.callEnd(call.call.location), text: reaggregate(column.type, column.path, exact, `${quoteIdent(tableOf(scan, column).alias)}.${quoteIdent(column.name)}`) });
      }
      if (level.grouped) {
        for (const [column, uses] of scan.uses) {
          if (column.kind !== 'measure') continue;
          for (const use of uses) {
            if (use.inAggregate || use.clause === 'where' || use.clause === 'join') continue;
            splices.push({ start: use.ref.location, end: text.nameEnd(use.ref.location), text: reaggregate(column.type, column.path, exact, `${quoteIdent(tableOf(scan, column).alias)}.${quoteIdent(column.name)}`) });
          }
        }
      }
    }
  }
  walkAst(levels[0]!.select, (type, body) => {
    const folded = type === 'A_Const' && isListPlaceholder(body.sval?.sval) ? lists.get(body.sval.sval) : undefined;
    if (folded) splices.push({ start: body.location, end: body.location + Buffer.byteLength(body.sval.sval) + 2, text: folded.text });
    if (type === 'ParamRef') splices.push({ start: body.location, end: text.nameEnd(body.location), text: sqlLiteral(params[(body.number ?? 1) - 1] ?? null) });
  });
  return applySplices(text, splices);
}

/** Name of the outer evaluation's table holding the columns of table `k` of scan `index`. */
export function scanTableName(index: number, k: number): string {
  return k === 0 ? `__scan_${index}` : `__scan_${index}_${k}`;
}

/** Whether the scan's tables carry the row key column (a model join, or the join field is read). */
export function carriesRowKey(plan: ScanPlan): boolean {
  return plan.scan.tables.length > 1 || plan.columns.some((c) => c.rowKey);
}

/** End of a FROM-clause table reference: its dotted name, then `[AS] alias`. */
function rangeVarEnd(text: SqlText, rv: AstNode): number {
  const end = text.nameEnd(rv.location);
  const alias: string | undefined = rv.alias?.aliasname;
  if (!alias) return end;
  if (rv.alias.colnames) throw new UserError('UNSUPPORTED', `column aliases on a joined cube table (${alias}) are not supported`);
  let i = text.tokenIndexAt(end);
  if (text.tokens[i]?.text.toUpperCase() === 'AS') i++;
  const t = text.tokens[i];
  const bare = t?.text.startsWith('"') ? t.text.slice(1, -1).replace(/""/g, '"') : t?.text.toLowerCase();
  if (!t || bare !== alias) throw new Error(`cannot locate the alias ${alias} in the SQL text`);
  return t.end;
}

function reaggregate(type: string, path: string, exact: boolean, column: string): string {
  if (type === 'count' || type === 'sum') return `sum(${column})`;
  if (type === 'min' || type === 'max') return `${type}(${column})`;
  if (exact) return `min(${column})`;
  throw new UserError('UNSUPPORTED', `measure ${path} of type ${type} cannot be re-aggregated at a coarser grain than the query asks of the semantic layer`, {
    hint: 'group by the same dimensions the measure is read with, or use an additive measure',
  });
}

/** True when each group of the level holds exactly one row of the scan's result. */
function isExactGrain(level: Level, plan: ScanPlan): boolean {
  const s = level.select;
  const dims = plan.columns.filter((c) => c.column.kind === 'dimension');
  const groupItems: AstNode[] = s.groupClause ?? [];
  if (groupItems.length === 0) return dims.length === 0 && level.grouped;
  if (groupItems.some((g) => g.GroupingSet)) return false;
  const targets: AstNode[] = s.targetList ?? [];
  const grouped = new Set<string>();
  for (let item of groupItems) {
    const ordinal = item.A_Const?.ival?.ival;
    if (ordinal !== undefined) item = targets[ordinal - 1]?.ResTarget?.val ?? item;
    else if (item.ColumnRef) {
      const name = item.ColumnRef.fields?.at(-1)?.String?.sval;
      const byAlias = targets.find((t) => t.ResTarget?.name === name)?.ResTarget?.val;
      if (byAlias && !resolveRef(level, item.ColumnRef)) item = byAlias;
    }
    const key = groupKey(level, item);
    if (key) grouped.add(key);
  }
  return dims.every((d) => grouped.has(`${d.column.path}|${d.granularity ?? ''}`));
}

function groupKey(level: Level, item: AstNode): string | undefined {
  if (item.ColumnRef) {
    const r = resolveRef(level, item.ColumnRef);
    return r?.column ? `${r.column.path}|` : undefined;
  }
  const call = item.FuncCall;
  if (call && call.args?.length === 2 && call.args[1].ColumnRef) {
    const r = resolveRef(level, call.args[1].ColumnRef);
    const g = call.args[0]?.A_Const?.sval?.sval;
    return r?.column && g ? `${r.column.path}|${String(g).toLowerCase()}` : undefined;
  }
  if (item.TypeCast) return groupKey(level, item.TypeCast.arg);
  return undefined;
}

export function sqlLiteral(value: ParamValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `'${value}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}

export { conjunctsOf };
