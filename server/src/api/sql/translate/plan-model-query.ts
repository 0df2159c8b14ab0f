/**
 * SQL over model tables → Cube queries plus, when needed, a residual step.
 * Levels that only rename, project and filter are first inlined into the level that reads them
 * (`inline-subselects.ts`), so a BI tool's grouping level reads the model table itself. The model
 * tables a level reads directly become one Cube query (`plan-scan.ts`) so pre-aggregations,
 * caching and security apply as in REST: one table, or several joined as the data model defines
 * (`CROSS JOIN`, `FROM a, b`, `JOIN … ON a.__cubeJoinField = b.__cubeJoinField`, as in Cube's SQL
 * API); other joins between cube tables are refused (`analyze-levels.ts`). A single-level query
 * whose shape Cube expresses directly is answered from the engine's result alone (fast path);
 * anything else is evaluated over the scan results by the sandbox (`residual-sql.ts`).
 */
import { analyzeLevels, resolveRef, type Level } from './analyze-levels.ts';
import { outputNames } from './output-names.ts';
import { planScan, type ScanPlan } from './plan-scan.ts';
import { planFastPath, type FastPath } from './plan-fast-path.ts';
import { planOuterFilter } from './plan-outer-filter.ts';
import { residualSql } from './residual-sql.ts';
import { checkMeasureLineage } from './check-measure-lineage.ts';
import type { AstNode } from './walk-ast.ts';
import { castEffect } from './cast-effect.ts';
import type { ModelTable } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import type { FoldedList } from './fold-literal-lists.ts';

export { carriesRowKey, scanTableName } from './residual-sql.ts';

export interface ModelQueryPlan {
  readonly scans: readonly ScanPlan[];
  /** Set when the engine's result is the answer (no residual step). */
  readonly fast?: FastPath;
  /** SQL over tables `__scan_<i>`, evaluated in the sandbox, when a residual step is needed. */
  readonly outerSql?: string;
  /** Output column names by position (undefined entries: keep the evaluator's name). */
  readonly names?: readonly (string | undefined)[];
}

export interface PlanOptions {
  /** Rows a scan may return when the residual step needs all of them. */
  readonly maxScanRows: number;
  /** IN lists folded out of the text before parsing (fold-literal-lists.ts). */
  readonly lists?: ReadonlyMap<string, FoldedList>;
}

/**
 * Plans one SELECT over model tables. `select` is the caller's own copy of the parse tree, with
 * wrapper levels already inlined and subqueries already resolved (`prepare-model-select.ts`):
 * the residual rewrite changes it in place.
 */
export function planModelQuery(
  select: AstNode,
  params: readonly ParamValue[],
  findTable: (schema: string | undefined, name: string) => ModelTable | undefined,
  options: PlanOptions,
): ModelQueryPlan {
  const lists = options.lists ?? new Map<string, FoldedList>();
  const levels = analyzeLevels(select, findTable);
  const top = levels[0]!;
  const names = outputNames(top, levels);
  if (levels.length === 1 && top.scans.length === 1) {
    const scan = planScan(top, top.scans[0]!, params, options.maxScanRows, lists);
    const fast = planFastPath(top, scan, params, names);
    if (fast) return { scans: [{ ...scan, query: fast.query }], fast };
  }
  // Power BI's `… from (<grouping level>) "_" where not "_"."a0" is null limit 1000001`.
  if (levels.length === 2 && top.scans.length === 0 && levels[1]!.scans.length === 1) {
    const inner = levels[1]!;
    const scan = planScan(inner, inner.scans[0]!, params, options.maxScanRows, lists);
    const innerFast = planFastPath(inner, scan, params, outputNames(inner, levels));
    const fast = innerFast && planOuterFilter(top, inner, innerFast, params);
    if (fast) return { scans: [{ ...scan, query: fast.query }], fast };
  }
  checkMeasureLineage(select, levels);
  const scans: ScanPlan[] = [];
  for (const level of levels) for (const scan of level.scans) scans.push(planScan(level, scan, params, options.maxScanRows, lists));
  return { scans, outerSql: residualSql(select, levels, scans, params, lists, isExactGrain), names };
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
  // A cast keeps the grain only when it keeps every value (or is the day of a time dimension, read
  // at granularity day); `::int` or `::text` of a number may merge groups of the scan's result.
  if (item.TypeCast && item.TypeCast.arg?.ColumnRef) {
    const r = resolveRef(level, item.TypeCast.arg.ColumnRef);
    const effect = r?.column ? castEffect(item.TypeCast, r.column.type) : undefined;
    if (effect === 'same') return `${r!.column!.path}|`;
    if (effect === 'day') return `${r!.column!.path}|day`;
  }
  return undefined;
}
