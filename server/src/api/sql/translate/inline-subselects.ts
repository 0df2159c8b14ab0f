/**
 * BI tools wrap the table they read in levels that only rename, project and filter: Power BI's
 * DirectQuery reads `(select "_"."a", "_"."m" from "public"."v" "_" where …) "rows"` and groups one
 * level up; Tableau and Excel do the same with their own aliases. Such a level has no grain of its
 * own: the grain is the grouping level's. Evaluating it as a query of its own (ungrouped rows of
 * every member) and aggregating outside the semantic layer gives wrong counts and ratios.
 *
 * This pass inlines those levels into the level that reads them (view merging): references to the
 * subselect's columns become the subselect's own expressions over the model table, its WHERE is
 * AND-ed into the reader's, and the reader then reads the model table directly, so the grouping
 * level compiles to ONE semantic query at its own grain (measures computed by the engine,
 * rollups and access policies applied once). It works on the parse tree (plain data), bottom-up,
 * through any number of levels; a level it cannot inline is left as it is.
 */
import type { ModelColumn, ModelTable } from '../catalog/model-tables.ts';
import { AGGREGATES, isAggregateName } from './analyze-levels.ts';
import { castEffect } from './cast-effect.ts';
import { names, nodeOf, walkAst, type AstNode } from './walk-ast.ts';

type FindTable = (schema: string | undefined, name: string) => ModelTable | undefined;

/** One output column of an inlinable level: its name and its expression over the model table. */
interface InlinedOutput {
  readonly name: string;
  readonly expr: AstNode;
}

/** Inlines every rename/project/filter level below `select` (mutates and returns it). */
export function inlineSubselects(select: AstNode, findTable: FindTable): AstNode {
  visitSelects(select, findTable);
  return select;
}

function visitSelects(select: AstNode, findTable: FindTable): void {
  if (select.op && select.op !== 'SETOP_NONE') {
    visitSelects(select.larg, findTable);
    visitSelects(select.rarg, findTable);
    return;
  }
  for (const cte of select.withClause?.ctes ?? []) {
    const q = cte.CommonTableExpr?.ctequery?.SelectStmt;
    if (q) visitSelects(q, findTable);
  }
  // Sublinks (IN/EXISTS/scalar subqueries) are levels of their own.
  walkAst([select.targetList, select.whereClause, select.havingClause], (type, body) => {
    if (type === 'SubLink') {
      const inner = body.subselect?.SelectStmt;
      if (inner) visitSelects(inner, findTable);
      return false;
    }
  });
  const visitFrom = (item: AstNode): void => {
    const [type, body] = nodeOf(item) ?? ['', {}];
    if (type === 'RangeSubselect' && body.subquery?.SelectStmt) visitSelects(body.subquery.SelectStmt, findTable);
    if (type === 'JoinExpr') {
      visitFrom(body.larg);
      visitFrom(body.rarg);
    }
  };
  for (const item of select.fromClause ?? []) visitFrom(item);
  // Children first, so a chain of levels collapses one level at a time into this one.
  for (const holder of subselectHolders(select)) tryInline(select, holder, findTable);
}

/** Where a FROM-clause subselect sits: the array or join node holding it, and under which key. */
interface Holder {
  readonly parent: AstNode | AstNode[];
  readonly key: string | number;
}

function subselectHolders(select: AstNode): Holder[] {
  const out: Holder[] = [];
  const visit = (parent: AstNode | AstNode[], key: string | number): void => {
    const item = (parent as Record<string | number, AstNode>)[key]!;
    if (item?.RangeSubselect) out.push({ parent, key });
    if (item?.JoinExpr) {
      visit(item.JoinExpr, 'larg');
      visit(item.JoinExpr, 'rarg');
    }
  };
  const from: AstNode[] = select.fromClause ?? [];
  from.forEach((_, i) => visit(from, i));
  return out;
}

function tryInline(outer: AstNode, holder: Holder, findTable: FindTable): void {
  const sub = (holder.parent as Record<string | number, AstNode>)[holder.key]!.RangeSubselect;
  const inner: AstNode | undefined = sub.subquery?.SelectStmt;
  if (!inner || sub.lateral || !sub.alias?.aliasname) return;
  const table = inlinableTable(inner, findTable);
  if (!table) return;
  const alias: string = sub.alias.aliasname;
  const rangeVar = inner.fromClause[0].RangeVar;
  const innerNames = new Set([String(rangeVar.alias?.aliasname ?? rangeVar.relname).toLowerCase()]);
  const outputs = inlinedOutputs(inner, table, alias, innerNames, sub.alias.colnames);
  if (!outputs) return;
  const byName = new Map(outputs.map((o) => [o.name.toLowerCase(), o]));
  if (!referencesResolve(outer, holder, alias, byName, findTable)) return;
  if (!aggregatesKeepTheirMeaning(outer, alias, byName, table)) return;

  substituteReferences(outer, alias, byName, outputs);
  const where = inner.whereClause ? requalify(structuredClone(inner.whereClause), alias, innerNames, table) : undefined;
  outer.whereClause = and(where, outer.whereClause);
  (holder.parent as Record<string | number, AstNode>)[holder.key] = {
    RangeVar: { ...rangeVar, alias: { aliasname: alias } },
  };
}

/** Aggregates that give the same answer over a group's distinct values as over its rows. */
const ROW_FREE = new Set(['min', 'max']);

/**
 * Whether every aggregate of the outer level means the same once the subselect is inlined. Inlined,
 * the outer level reads the model table grouped at its own grain: an aggregate over a measure
 * column becomes the measure (the rules of plan-scan.ts apply), MIN/MAX or DISTINCT over a dimension
 * read its distinct values. Anything else depends on how many rows the subselect returns —
 * COUNT(*), COUNT(1), SUM(1), COUNT(dimension), an expression over a measure —, and the view's
 * `count` measure is not that number (it counts what the model says, e.g. sale lines only): the
 * level is then left as it is, so the aggregate runs over the subselect's rows, as in Postgres.
 */
function aggregatesKeepTheirMeaning(outer: AstNode, alias: string, byName: ReadonlyMap<string, InlinedOutput>, table: ModelTable): boolean {
  const lower = alias.toLowerCase();
  /** The model column an aggregate's argument reads as is through the subselect, if any. */
  const columnOf = (arg: AstNode | undefined): ModelColumn | undefined => {
    // A cast that keeps every value (Power BI's `sum(CAST(m AS NUMERIC))`) reads the column as is.
    if (arg?.TypeCast?.arg) {
      const column = columnOf(arg.TypeCast.arg);
      return column && castEffect(arg.TypeCast, column.kind === 'measure' ? 'number' : column.type) === 'same' ? column : undefined;
    }
    const fields = arg?.ColumnRef ? names(arg.ColumnRef.fields) : [];
    if (fields.length === 0 || (fields.length >= 2 && fields[fields.length - 2]!.toLowerCase() !== lower)) return undefined;
    const expr = byName.get(fields.at(-1)!.toLowerCase())?.expr;
    return expr?.ColumnRef ? table.byName.get(names(expr.ColumnRef.fields).at(-1)!.toLowerCase()) : undefined;
  };
  /** Whether arguments read this subselect's outputs; those that read none (constants) count rows. */
  const readsAny = (args: AstNode[]): boolean => {
    let reads = false;
    let readsOther = false;
    walkAst(args, (type, body) => {
      if (type === 'SubLink') return false;
      if (type !== 'ColumnRef') return;
      const fields = names(body.fields);
      const mine = fields.length >= 2 ? fields[fields.length - 2]!.toLowerCase() === lower : byName.has(fields[0]!.toLowerCase());
      if (mine) reads = true;
      else readsOther = true;
    });
    return reads || !readsOther;
  };
  let keeps = true;
  walkAst([outer.targetList, outer.havingClause, outer.sortClause], (type, body) => {
    if (type === 'SubLink' || type === 'SelectStmt') return false;
    if (type !== 'FuncCall' || body.over) return;
    const fn = names(body.funcname).at(-1)?.toLowerCase() ?? '';
    if (!isAggregateName(fn) || fn === 'measure') return;
    const args: AstNode[] = body.args ?? [];
    if (!body.agg_star && !readsAny(args)) return false; // reads other FROM items only
    const column = args.length === 1 && !body.agg_star ? columnOf(args[0]) : undefined;
    const readsMeasure = column?.kind === 'measure';
    const readsDistinctValues = column?.kind === 'dimension' && (ROW_FREE.has(fn) || body.agg_distinct);
    if (!readsMeasure && !readsDistinctValues) keeps = false;
    return false;
  });
  return keeps;
}

/** The model table of a level that only renames, projects and filters one model table. */
function inlinableTable(inner: AstNode, findTable: FindTable): ModelTable | undefined {
  if (inner.op && inner.op !== 'SETOP_NONE') return undefined;
  if (inner.withClause || inner.groupClause || inner.havingClause || inner.distinctClause || inner.limitCount || inner.limitOffset) return undefined;
  if (inner.windowClause || inner.lockingClause || inner.intoClause || inner.valuesLists) return undefined;
  const from: AstNode[] = inner.fromClause ?? [];
  const rv = from.length === 1 ? from[0]!.RangeVar : undefined;
  const table = rv ? findTable(rv.schemaname, rv.relname) : undefined;
  if (!table) return undefined;
  let plain = true;
  // An IN (subquery) filter moves with the WHERE (a top-N filter once rewritten); it is its own scope.
  walkAst(inner.targetList, (type) => {
    if (type === 'SubLink') plain = false;
  });
  walkAst([inner.targetList, inner.whereClause], (type, body) => {
    if (type === 'SubLink') {
      if (body.subLinkType !== 'ANY_SUBLINK' && body.subLinkType !== 'EXISTS_SUBLINK') plain = false;
      return false;
    }
    if (type === 'RangeFunction') plain = false;
    if (type === 'FuncCall' && (body.over || body.agg_star || AGGREGATES.has(names(body.funcname).at(-1)?.toLowerCase() ?? '') || isSetReturning(body))) plain = false;
    if (type === 'ColumnRef' && inner.whereClause) {
      // A row filter on a measure has no meaning once the level merges into a grouping level.
      const col = table.byName.get(names(body.fields).at(-1)?.toLowerCase() ?? '');
      if (col?.kind === 'measure' && isInside(inner.whereClause, body)) plain = false;
    }
  });
  return plain ? table : undefined;
}

const SET_RETURNING = new Set(['generate_series', 'unnest', 'json_each', 'jsonb_each', 'regexp_matches', 'generate_subscripts']);
function isSetReturning(call: AstNode): boolean {
  return SET_RETURNING.has(names(call.funcname).at(-1)?.toLowerCase() ?? '');
}

function isInside(root: AstNode, node: AstNode): boolean {
  let found = false;
  walkAst(root, (_, body) => {
    if (body === node) found = true;
  });
  return found;
}

/**
 * The inner level's outputs with their expressions qualified by the outer alias (the model table
 * takes the subselect's alias once inlined). `*` lists the table's members; column aliases of the
 * subselect (`AS rows(a, b)`) rename them by position.
 */
function inlinedOutputs(inner: AstNode, table: ModelTable, alias: string, innerNames: ReadonlySet<string>, colnames: AstNode[] | undefined): InlinedOutput[] | undefined {
  const outputs: InlinedOutput[] = [];
  for (const target of inner.targetList ?? []) {
    const rt = target.ResTarget;
    const fields = rt.val?.ColumnRef ? names(rt.val.ColumnRef.fields) : undefined;
    if (fields?.at(-1) === '*') {
      if (fields.length === 2 && !innerNames.has(fields[0]!.toLowerCase())) return undefined;
      for (const c of table.columns) {
        if (c.kind === 'measure' || c.kind === 'dimension') outputs.push({ name: c.name, expr: columnRef(alias, c.name) });
      }
      continue;
    }
    const name: string | undefined = rt.name ?? fields?.at(-1);
    if (!name) return undefined; // an unnamed expression (?column?) cannot be referenced reliably
    // A column the table does not have stays for the planner to report (42703), even if unread.
    if (!readsOnlyTableColumns(rt.val, innerNames, table)) return undefined;
    outputs.push({ name, expr: requalify(structuredClone(rt.val), alias, innerNames, table) });
  }
  if (colnames) {
    if (colnames.length > outputs.length) return undefined;
    colnames.forEach((c, i) => (outputs[i] = { ...outputs[i]!, name: c.String.sval }));
  }
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(o.name.toLowerCase())) return undefined; // ambiguous names: leave the level alone
    seen.add(o.name.toLowerCase());
  }
  return outputs;
}

/** Whether every column an inner expression names (bare or qualified by the inner table) is a column of the table. */
function readsOnlyTableColumns(expr: AstNode, innerNames: ReadonlySet<string>, table: ModelTable): boolean {
  let ok = true;
  walkAst(expr, (type, body) => {
    if (type === 'SubLink') return false;
    if (type !== 'ColumnRef') return;
    const fields = names(body.fields);
    const ownTable = fields.length === 1 || innerNames.has(fields[fields.length - 2]!.toLowerCase());
    if (ownTable && fields.at(-1) !== '*' && !table.byName.has(fields.at(-1)!.toLowerCase())) ok = false;
  });
  return ok;
}

/** Rewrites references to the inner table (qualified by its name/alias, or bare) as `alias.column`. */
function requalify(expr: AstNode, alias: string, innerNames: ReadonlySet<string>, table: ModelTable): AstNode {
  walkAst(expr, (type, body) => {
    if (type === 'SubLink') {
      // Only the tested expression is in this level's scope; the subquery has its own.
      if (body.testexpr) requalify(body.testexpr, alias, innerNames, table);
      return false;
    }
    if (type !== 'ColumnRef') return;
    const fields = names(body.fields);
    const col = fields.at(-1)!;
    if (fields.length === 1 || (fields.length === 2 && innerNames.has(fields[0]!.toLowerCase()))) {
      if (col === '*' || table.byName.has(col.toLowerCase())) body.fields = columnRef(alias, col).ColumnRef.fields;
    } else if (fields.length === 3 && innerNames.has(fields[1]!.toLowerCase())) {
      body.fields = columnRef(alias, col).ColumnRef.fields;
    }
  });
  return expr;
}

function columnRef(alias: string, column: string): AstNode {
  return { ColumnRef: { fields: [{ String: { sval: alias } }, { String: { sval: column } }] } };
}

function and(a: AstNode | undefined, b: AstNode | undefined): AstNode | undefined {
  if (!a) return b;
  if (!b) return a;
  const args = [a, b].flatMap((x) => (x.BoolExpr?.boolop === 'AND_EXPR' ? x.BoolExpr.args : [x]));
  return { BoolExpr: { boolop: 'AND_EXPR', args } };
}

/** Expression lists of a level, in which its column references live (not its subselects). */
function levelExpressions(select: AstNode): unknown[] {
  const joinQuals: AstNode[] = [];
  const findJoins = (item: AstNode): void => {
    const j = item?.JoinExpr;
    if (!j) return;
    if (j.quals) joinQuals.push(j.quals);
    findJoins(j.larg);
    findJoins(j.rarg);
  };
  for (const item of select.fromClause ?? []) findJoins(item);
  return [select.targetList, select.whereClause, select.groupClause, select.havingClause, select.sortClause, select.distinctClause, select.windowClause, joinQuals];
}

/** Calls `visit` for every ColumnRef of the level's own expressions (sublinks are checked, not entered). */
function forEachRef(select: AstNode, visit: (ref: AstNode, clause: number, inSubLink: boolean) => void): void {
  levelExpressions(select).forEach((list, clause) => {
    const walk = (node: unknown, inSubLink: boolean): void => {
      walkAst(node, (type, body) => {
        if (type === 'SubLink') {
          walk(body.testexpr, inSubLink);
          walk(body.subselect, true);
          return false;
        }
        if (type === 'RangeSubselect') return false;
        if (type === 'ColumnRef') visit(body, clause, inSubLink);
      });
    };
    walk(list, false);
  });
}

const SORT_CLAUSE = 4;

/** The output aliases of a level (ORDER BY names them before input columns, as Postgres does). */
function outputAliases(select: AstNode): Set<string> {
  return new Set<string>((select.targetList ?? []).map((t: AstNode) => t.ResTarget?.name?.toLowerCase()).filter(Boolean));
}

/**
 * Whether every reference to the subselect can be followed: unqualified names must name a column
 * of exactly one FROM item, and nothing inside a sublink may reach the subselect (a correlated
 * reference would change meaning once inlined).
 */
function referencesResolve(outer: AstNode, holder: Holder, alias: string, byName: ReadonlyMap<string, InlinedOutput>, findTable: FindTable): boolean {
  const self = (holder.parent as Record<string | number, AstNode>)[holder.key]!;
  const others = otherFromItems(outer, self);
  const aliases = outputAliases(outer);
  const lower = alias.toLowerCase();
  let ok = true;
  forEachRef(outer, (ref, clause, inSubLink) => {
    const fields = names(ref.fields);
    const col = fields.at(-1)!.toLowerCase();
    const qualifier = fields.length >= 2 ? fields[fields.length - 2]!.toLowerCase() : undefined;
    if (qualifier !== undefined) {
      if (qualifier !== lower) return;
      if (inSubLink) ok = false;
      if (col !== '*' && !byName.has(col)) ok = false; // let the planner report the unknown column
      return;
    }
    if (col === '*') {
      if (others.length > 0) ok = false;
      return;
    }
    if (!byName.has(col)) return;
    if (clause === SORT_CLAUSE && aliases.has(col)) return;
    if (inSubLink) ok = false;
    for (const other of others) if (mayProvide(other, col, findTable)) ok = false;
  });
  return ok;
}

function otherFromItems(select: AstNode, self: AstNode): AstNode[] {
  const out: AstNode[] = [];
  const visit = (item: AstNode): void => {
    if (item === self) return;
    if (item.JoinExpr) {
      visit(item.JoinExpr.larg);
      visit(item.JoinExpr.rarg);
      return;
    }
    out.push(item);
  };
  for (const item of select.fromClause ?? []) visit(item);
  return out;
}

/** Whether a FROM item may have a column of this name (true when it cannot be told). */
function mayProvide(item: AstNode, col: string, findTable: FindTable): boolean {
  if (item.RangeVar) {
    const t = findTable(item.RangeVar.schemaname, item.RangeVar.relname);
    return t ? t.byName.has(col) : true;
  }
  const sub = item.RangeSubselect?.subquery?.SelectStmt;
  if (sub && (!sub.op || sub.op === 'SETOP_NONE') && !item.RangeSubselect.alias?.colnames) {
    return (sub.targetList ?? []).some((t: AstNode) => {
      const rt = t.ResTarget;
      const fields = rt.val?.ColumnRef ? names(rt.val.ColumnRef.fields) : [];
      if (fields.at(-1) === '*') return true;
      return String(rt.name ?? fields.at(-1) ?? '').toLowerCase() === col;
    });
  }
  return true;
}

/** Replaces the outer level's references to the subselect with the subselect's expressions. */
function substituteReferences(outer: AstNode, alias: string, byName: ReadonlyMap<string, InlinedOutput>, outputs: readonly InlinedOutput[]): void {
  const lower = alias.toLowerCase();
  const aliases = outputAliases(outer);
  // `*` and `alias.*` in the target list become one target per output, named as the subselect names them.
  outer.targetList = (outer.targetList ?? []).flatMap((t: AstNode) => {
    const fields = t.ResTarget?.val?.ColumnRef ? names(t.ResTarget.val.ColumnRef.fields) : [];
    if (fields.at(-1) !== '*' || (fields.length === 2 && fields[0]!.toLowerCase() !== lower)) return [t];
    return outputs.map((o) => ({ ResTarget: { name: o.name, val: structuredClone(o.expr) } }));
  });
  // A bare reference in the target list keeps its output name after substitution.
  for (const t of outer.targetList as AstNode[]) {
    const rt = t.ResTarget;
    const ref = rt.val?.ColumnRef;
    if (!ref || rt.name) continue;
    const fields = names(ref.fields);
    if ((fields.length === 1 || fields[fields.length - 2]!.toLowerCase() === lower) && byName.has(fields.at(-1)!.toLowerCase())) {
      rt.name = byName.get(fields.at(-1)!.toLowerCase())!.name;
    }
  }
  replaceColumnRefs(outer, (ref, clause) => {
    const fields = names(ref.fields);
    const col = fields.at(-1)!.toLowerCase();
    if (fields.length >= 2 && fields[fields.length - 2]!.toLowerCase() !== lower) return undefined;
    if (fields.length === 1 && clause === SORT_CLAUSE && aliases.has(col)) return undefined;
    const output = byName.get(col);
    return output ? structuredClone(output.expr) : undefined;
  });
}

/** Replaces ColumnRef nodes of the level's own expressions by what `replace` returns for them. */
function replaceColumnRefs(select: AstNode, replace: (ref: AstNode, clause: number) => AstNode | undefined): void {
  const slots = expressionSlots(select);
  slots.forEach(([holder, key], clause) => {
    const visit = (parent: AstNode | AstNode[], k: string | number): void => {
      const node = (parent as Record<string | number, unknown>)[k];
      if (node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        node.forEach((_, i) => visit(node, i));
        return;
      }
      const wrapper = node as AstNode;
      if (wrapper.ColumnRef) {
        const r = replace(wrapper.ColumnRef, clause);
        if (r) (parent as Record<string | number, unknown>)[k] = r;
        return;
      }
      if (wrapper.SubLink) return visit(wrapper.SubLink, 'testexpr');
      if (wrapper.RangeSubselect || wrapper.SelectStmt) return;
      for (const key2 of Object.keys(wrapper)) visit(wrapper, key2);
    };
    visit(holder, key);
  });
}

/** Where each expression list of a level lives (holder and key), in the order of `levelExpressions`. */
function expressionSlots(select: AstNode): [AstNode, string][] {
  const slots: [AstNode, string][] = ['targetList', 'whereClause', 'groupClause', 'havingClause', 'sortClause', 'distinctClause', 'windowClause'].map((k) => [select, k]);
  const findJoins = (item: AstNode): void => {
    const j = item?.JoinExpr;
    if (!j) return;
    slots.push([j, 'quals']);
    findJoins(j.larg);
    findJoins(j.rarg);
  };
  for (const item of select.fromClause ?? []) findJoins(item);
  return slots;
}
