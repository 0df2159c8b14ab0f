/**
 * Finds the query levels of a SELECT (each SelectStmt: top, subselects in FROM, sublinks, CTEs,
 * set-operation branches) and, for each model table read directly by a level, which of its
 * columns that level uses and how (inside an aggregate, under date_trunc, …).
 */
import type { ModelColumn, ModelTable } from '../catalog/model-tables.ts';
import { UserError } from '../../../errors/user-error.ts';
import { names, nodeOf, type AstNode } from './walk-ast.ts';

function outputAliases(level: Level): Set<string> {
  return new Set<string>((level.select.targetList ?? []).map((t: AstNode) => t.ResTarget?.name?.toLowerCase()).filter(Boolean));
}

export const AGGREGATES = new Set(['sum', 'count', 'min', 'max', 'avg', 'measure']);
const OTHER_AGGREGATES = new Set(['stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every', 'percentile_cont', 'percentile_disc', 'median', 'mode']);

/** An aggregate call whose argument is a column of a model table (or `count(*)`). */
export interface MeasureCall {
  readonly call: AstNode; // FuncCall body
  readonly fn: string;
  readonly distinct: boolean;
  readonly column?: ModelColumn; // undefined for count(*)
}

/** How one level uses one model table it reads directly. */
export interface Scan {
  readonly index: number;
  readonly table: ModelTable;
  readonly rangeVar: AstNode;
  /** Name columns are qualified with: the alias, else the relation name. */
  readonly alias: string;
  readonly level: Level;
  /** Columns used by the level's expressions, with the node of each use. */
  readonly uses: Map<ModelColumn, ColumnUse[]>;
  readonly measureCalls: MeasureCall[];
}

export interface ColumnUse {
  readonly ref: AstNode; // ColumnRef body
  readonly clause: 'target' | 'where' | 'group' | 'having' | 'sort' | 'join' | 'other';
  readonly inAggregate: boolean;
  /** Granularity when the use is the second argument of `date_trunc('<g>', col)`. */
  readonly trunc?: string;
  /** The date_trunc FuncCall body when `trunc` is set. */
  readonly truncCall?: AstNode;
}

export interface Level {
  readonly select: AstNode; // SelectStmt body
  readonly scans: Scan[];
  /** Number of FROM items that are not model tables (subselects, joins to them, functions). */
  otherSources: number;
  hasJoin: boolean;
  readonly grouped: boolean;
  /** Column names the enclosing level reads from this one (undefined: all); prunes `SELECT *`. */
  readonly demand?: ReadonlySet<string>;
}

export function analyzeLevels(root: AstNode, tables: (schema: string | undefined, name: string) => ModelTable | undefined): Level[] {
  const levels: Level[] = [];
  let scanIndex = 0;

  const visitSelect = (select: AstNode, demand?: ReadonlySet<string>): void => {
    if (select.op && select.op !== 'SETOP_NONE') {
      visitSelect(select.larg);
      visitSelect(select.rarg);
      return;
    }
    for (const cte of select.withClause?.ctes ?? []) {
      const q = cte.CommonTableExpr?.ctequery?.SelectStmt;
      if (q) visitSelect(q);
    }
    const level: Level = { select, scans: [], otherSources: 0, hasJoin: false, grouped: isGrouped(select), demand };
    levels.push(level);
    const visitFrom = (item: AstNode): void => {
      const [type, body] = nodeOf(item) ?? ['', {}];
      if (type === 'RangeVar') {
        const table = tables(body.schemaname, body.relname);
        if (table) {
          level.scans.push({ index: scanIndex++, table, rangeVar: body, alias: body.alias?.aliasname ?? body.relname, level, uses: new Map(), measureCalls: [] });
        } else level.otherSources++;
      } else if (type === 'JoinExpr') {
        level.hasJoin = true;
        visitFrom(body.larg);
        visitFrom(body.rarg);
      } else if (type === 'RangeSubselect') {
        level.otherSources++;
        const inner = body.subquery?.SelectStmt;
        if (inner) visitSelect(inner, demandOf(select, body.alias?.aliasname));
      } else level.otherSources++;
    };
    for (const item of select.fromClause ?? []) visitFrom(item);
    collectUses(level, visitSelect);
  };

  visitSelect(root);
  return levels;
}

function isGrouped(select: AstNode): boolean {
  if ((select.groupClause ?? []).length > 0 || select.distinctClause || select.havingClause) return true;
  let found = false;
  const look = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(look);
    for (const [key, value] of Object.entries(node as AstNode)) {
      if (key === 'SubLink' || key === 'SelectStmt') continue;
      if (key === 'FuncCall') {
        const fn = names(value.funcname).at(-1)?.toLowerCase() ?? '';
        if ((AGGREGATES.has(fn) || OTHER_AGGREGATES.has(fn)) && !value.over) {
          found = true;
          return;
        }
      }
      look(value);
    }
  };
  look(select.targetList);
  look(select.sortClause);
  return found;
}

/** Walks the level's own expressions (not its subselects) and records column uses per scan. */
function collectUses(level: Level, visitSelect: (s: AstNode) => void): void {
  const s = level.select;
  const targetAliases = new Set<string>((s.targetList ?? []).map((t: AstNode) => t.ResTarget?.name?.toLowerCase()).filter(Boolean));
  const walk = (node: unknown, clause: ColumnUse['clause'], inAggregate: boolean, trunc?: { g: string; call: AstNode }): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, clause, inAggregate, trunc);
      return;
    }
    for (const [key, value] of Object.entries(node as AstNode)) {
      if (key === 'SubLink') {
        const inner = value.subselect?.SelectStmt;
        if (inner) visitSelect(inner);
        walk(value.testexpr, clause, inAggregate);
        continue;
      }
      if (key === 'ColumnRef') {
        recordRef(level, value, clause, inAggregate, trunc, clause === 'sort' ? targetAliases : undefined);
        continue;
      }
      if (key === 'FuncCall') {
        const fn = names(value.funcname).at(-1)?.toLowerCase() ?? '';
        const isAgg = (AGGREGATES.has(fn) || OTHER_AGGREGATES.has(fn)) && !value.over;
        if (isAgg) recordMeasureCall(level, value, fn);
        const g = fn === 'date_trunc' ? value.args?.[0]?.A_Const?.sval?.sval : undefined;
        if (g && value.args?.length === 2) {
          walk(value.args[1], clause, inAggregate || isAgg, { g: String(g).toLowerCase(), call: value });
          continue;
        }
        walk(value, clause, inAggregate || isAgg);
        continue;
      }
      if (typeof value === 'object') walk(value, clause, inAggregate, undefined);
    }
  };
  walk(s.targetList, 'target', false);
  walk(s.whereClause, 'where', false);
  walk(s.groupClause, 'group', false);
  walk(s.havingClause, 'having', false);
  walk(s.sortClause, 'sort', false);
  walk(s.distinctClause, 'other', false);
  const joins: AstNode[] = [];
  const findJoins = (item: AstNode): void => {
    const j = item?.JoinExpr;
    if (!j) return;
    joins.push(j.quals);
    findJoins(j.larg);
    findJoins(j.rarg);
  };
  for (const item of s.fromClause ?? []) findJoins(item);
  walk(joins, 'join', false);
}

/** Which scan (and column) a ColumnRef names, if any. */
export function resolveRef(level: Level, ref: AstNode): { scan: Scan; column?: ModelColumn; star?: boolean } | undefined {
  const fields = names(ref.fields);
  const col = fields.at(-1)!;
  const qualifier = fields.length >= 2 ? fields[fields.length - 2]!.toLowerCase() : undefined;
  const candidates = qualifier
    ? level.scans.filter((sc) => sc.alias.toLowerCase() === qualifier || sc.table.name.toLowerCase() === qualifier)
    : level.scans;
  if (col === '*') return candidates.length === 1 && (qualifier || level.otherSources === 0) ? { scan: candidates[0]!, star: true } : undefined;
  const matches = candidates.filter((sc) => sc.table.byName.has(col.toLowerCase()));
  if (matches.length !== 1) return undefined;
  return { scan: matches[0]!, column: matches[0]!.table.byName.get(col.toLowerCase()) };
}

function recordRef(level: Level, ref: AstNode, clause: ColumnUse['clause'], inAggregate: boolean, trunc: { g: string; call: AstNode } | undefined, aliases?: Set<string>): void {
  const fields = names(ref.fields);
  if (aliases && fields.length === 1 && aliases.has(fields[0]!.toLowerCase())) return; // ORDER BY output alias
  const resolved = resolveRef(level, ref);
  if (!resolved) {
    const onlyModel = level.otherSources === 0 && level.scans.length > 0;
    if (onlyModel && fields.at(-1) !== '*' && !(aliases ?? outputAliases(level)).has(fields.at(-1)!.toLowerCase())) {
      const tables = level.scans.map((s) => s.table.name).join(', ');
      throw new UserError('UNKNOWN_MEMBER', `column "${fields.join('.')}" does not exist in ${tables}`, { hint: 'columns are the public measures and dimensions of the cube or view' });
    }
    return;
  }
  const { scan } = resolved;
  const columns = resolved.star
    ? scan.table.columns.filter((c) => c.kind !== 'segment' && (!level.demand || level.demand.has(c.name.toLowerCase())))
    : resolved.column
      ? [resolved.column]
      : [];
  for (const column of columns) {
    const list = scan.uses.get(column) ?? [];
    list.push({ ref, clause, inAggregate, trunc: trunc?.g, truncCall: trunc?.call });
    scan.uses.set(column, list);
  }
}

function recordMeasureCall(level: Level, call: AstNode, fn: string): void {
  const args: AstNode[] = call.args ?? [];
  if (call.agg_star && fn === 'count') {
    if (level.scans.length === 1) level.scans[0]!.measureCalls.push({ call, fn, distinct: false });
    return;
  }
  const ref = args.length === 1 ? args[0]!.ColumnRef : undefined;
  if (!ref) return;
  const resolved = resolveRef(level, ref);
  if (resolved?.column?.kind === 'measure') resolved.scan.measureCalls.push({ call, fn, distinct: Boolean(call.agg_distinct), column: resolved.column });
}

/** Names the level reads from its subselect `alias`: every column name it mentions, or undefined on a `*`. */
function demandOf(select: AstNode, alias: string | undefined): ReadonlySet<string> | undefined {
  const demand = new Set<string>();
  let all = false;
  const look = (node: unknown): void => {
    if (all || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(look);
    for (const [key, value] of Object.entries(node as AstNode)) {
      if (key === 'SelectStmt' || key === 'RangeSubselect') continue;
      if (key === 'ColumnRef') {
        const fields = names(value.fields);
        if (fields.at(-1) === '*' && (fields.length === 1 || fields.at(-2)?.toLowerCase() === alias?.toLowerCase())) all = true;
        else demand.add(fields.at(-1)!.toLowerCase());
        continue;
      }
      look(value);
    }
  };
  look([select.targetList, select.whereClause, select.groupClause, select.havingClause, select.sortClause, select.fromClause, select.distinctClause]);
  return all ? undefined : demand;
}
