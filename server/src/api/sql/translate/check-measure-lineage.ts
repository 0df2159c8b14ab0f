/**
 * The last guard against a silently wrong number. A level that reads a model table without
 * grouping returns measures row by row (Cube's ungrouped query: a `count_distinct` is 1 per row, a
 * ratio is the row's own ratio). When a level above aggregates those values, the result is not the
 * measure: the sum of per-row distinct counts is not a distinct count. Shapes the translator turns
 * into one semantic query never reach this point (wrapper levels are inlined first); for any other
 * shape, an aggregate over a row-level measure is allowed only where it re-aggregates exactly
 * (SUM of a sum or count, MIN of a min, MAX of a max), and refused otherwise, naming the measure.
 */
import { UserError } from '../../../errors/user-error.ts';
import type { ModelColumn } from '../catalog/model-tables.ts';
import { AGGREGATES, resolveRef, type Level } from './analyze-levels.ts';
import { names, nodeOf, walkAst, type AstNode } from './walk-ast.ts';

/** Where an output column's values come from: a measure read row by row, or an expression over one. */
interface Lineage {
  readonly measure: ModelColumn;
  readonly direct: boolean;
}

type Outputs = Map<string, Lineage>;

const EXACT: Readonly<Record<string, readonly string[]>> = { sum: ['sum', 'count'], min: ['min'], max: ['max'] };

export function checkMeasureLineage(root: AstNode, levels: readonly Level[]): void {
  const levelOf = new Map(levels.map((l) => [l.select, l]));
  const memo = new Map<AstNode, Outputs>();
  const ctes = new Map<string, AstNode>();

  const outputsOf = (select: AstNode): Outputs => {
    const known = memo.get(select);
    if (known) return known;
    const out: Outputs = new Map();
    memo.set(select, out);
    if (select.op && select.op !== 'SETOP_NONE') {
      // Branches line up by position; the left branch names the columns.
      const left = [...outputsOf(select.larg).entries()];
      for (const [name, lineage] of left) out.set(name, lineage);
      const rightNames = targetNames(select.rarg);
      const leftNames = targetNames(select.larg);
      [...outputsOf(select.rarg).entries()].forEach(([name, lineage]) => {
        const at = rightNames.indexOf(name);
        const leftName = leftNames[at];
        if (leftName && !out.has(leftName)) out.set(leftName, { ...lineage, direct: false });
      });
      return out;
    }
    for (const cte of select.withClause?.ctes ?? []) {
      const q = cte.CommonTableExpr?.ctequery?.SelectStmt;
      if (q) ctes.set(String(cte.CommonTableExpr.ctename).toLowerCase(), q);
    }
    const level = levelOf.get(select);
    const sources = fromSources(select);
    const lineageOf = (ref: AstNode): Lineage | undefined => {
      if (level) {
        const r = resolveRef(level, ref);
        if (r?.column?.kind === 'measure') return level.grouped ? undefined : { measure: r.column, direct: true };
        if (r) return undefined;
      }
      const fields = names(ref.fields);
      const col = fields.at(-1)!.toLowerCase();
      const qualifier = fields.length >= 2 ? fields[fields.length - 2]!.toLowerCase() : undefined;
      for (const [alias, inner] of sources) {
        if (qualifier !== undefined && alias !== qualifier) continue;
        const found = outputsOf(inner).get(col);
        if (found) return found;
      }
      return undefined;
    };
    const exprLineage = (expr: AstNode): Lineage | undefined => {
      if (expr.ColumnRef) return lineageOf(expr.ColumnRef);
      let found: Lineage | undefined;
      walkAst(expr, (type, body) => {
        if (type === 'SubLink') return false;
        if (type === 'ColumnRef' && !found) {
          const l = lineageOf(body);
          if (l) found = { measure: l.measure, direct: false };
        }
      });
      return found;
    };
    checkAggregates(select, exprLineage);
    const grouped = level ? level.grouped : isGroupedSelect(select);
    for (const target of select.targetList ?? []) {
      const rt = target.ResTarget;
      const fields = rt.val?.ColumnRef ? names(rt.val.ColumnRef.fields) : [];
      if (fields.at(-1) === '*') {
        for (const [alias, inner] of sources) {
          if (fields.length === 2 && alias !== fields[0]!.toLowerCase()) continue;
          for (const [name, lineage] of outputsOf(inner)) if (!grouped) out.set(name, lineage);
        }
        if (level && !level.grouped) {
          for (const scan of level.scans) for (const t of scan.tables) for (const c of t.table.columns) if (c.kind === 'measure') out.set(c.name.toLowerCase(), { measure: c, direct: true });
        }
        continue;
      }
      const name = String(rt.name ?? fields.at(-1) ?? '').toLowerCase();
      if (!name || grouped) continue;
      const lineage = rt.val ? exprLineage(rt.val) : undefined;
      if (lineage) out.set(name, lineage);
    }
    return out;
  };

  /** FROM items that are other levels (subselects, CTE references), by alias. */
  const fromSources = (select: AstNode): [string, AstNode][] => {
    const out: [string, AstNode][] = [];
    const visit = (item: AstNode): void => {
      const [type, body] = nodeOf(item) ?? ['', {}];
      if (type === 'RangeSubselect' && body.subquery?.SelectStmt) out.push([String(body.alias?.aliasname ?? '').toLowerCase(), body.subquery.SelectStmt]);
      if (type === 'RangeVar' && !body.schemaname && ctes.has(String(body.relname).toLowerCase())) {
        out.push([String(body.alias?.aliasname ?? body.relname).toLowerCase(), ctes.get(String(body.relname).toLowerCase())!]);
      }
      if (type === 'JoinExpr') {
        visit(body.larg);
        visit(body.rarg);
      }
    };
    for (const item of select.fromClause ?? []) visit(item);
    return out;
  };

  outputsOf(root);
  // Levels reached only through sublinks are checked too.
  for (const level of levels) outputsOf(level.select);
}

function checkAggregates(select: AstNode, lineageOf: (expr: AstNode) => Lineage | undefined): void {
  walkAst([select.targetList, select.havingClause, select.sortClause], (type, body) => {
    if (type === 'SubLink') return false;
    if (type !== 'FuncCall' || body.over) return;
    const fn = names(body.funcname).at(-1)?.toLowerCase() ?? '';
    if (!AGGREGATES.has(fn) && !OTHER_AGGREGATE.test(fn)) return;
    for (const arg of body.args ?? []) {
      const lineage = lineageOf(arg);
      if (!lineage) continue;
      const exact = lineage.direct && !body.agg_distinct && (EXACT[fn] ?? []).includes(lineage.measure.type);
      if (exact) continue;
      throw new UserError('MEASURE_AGGREGATE', `${fn.toUpperCase()}() over measure ${lineage.measure.path} (${lineage.measure.type}) read row by row in a subquery would not give the measure's value`, {
        hint: `read the measure where the table is read, grouped at the grain you want: MEASURE(${lineage.measure.name}) … GROUP BY …`,
      });
    }
    return false;
  });
}

const OTHER_AGGREGATE = /^(stddev.*|variance|var_.*|string_agg|array_agg|bool_and|bool_or|every|percentile_.*|median|mode)$/;

function targetNames(select: AstNode): string[] {
  if (select.op && select.op !== 'SETOP_NONE') return targetNames(select.larg);
  return (select.targetList ?? []).map((t: AstNode) => String(t.ResTarget?.name ?? names(t.ResTarget?.val?.ColumnRef?.fields).at(-1) ?? '').toLowerCase());
}

function isGroupedSelect(select: AstNode): boolean {
  if ((select.groupClause ?? []).length > 0 || select.distinctClause || select.havingClause) return true;
  let found = false;
  walkAst(select.targetList, (type, body) => {
    if (type === 'SubLink') return false;
    if (type === 'FuncCall' && !body.over && AGGREGATES.has(names(body.funcname).at(-1)?.toLowerCase() ?? '')) found = true;
  });
  return found;
}
