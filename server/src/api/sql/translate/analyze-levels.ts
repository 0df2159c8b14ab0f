/**
 * Finds the query levels of a SELECT (each SelectStmt: top, subselects in FROM, sublinks, CTEs,
 * set-operation branches) and, for each model table read directly by a level, which of its
 * columns that level uses and how (inside an aggregate, under date_trunc, …).
 */
import { JOIN_FIELD, type ModelColumn, type ModelTable } from '../catalog/model-tables.ts';
import { UserError } from '../../../errors/user-error.ts';
import { names, nodeOf, walkAst, type AstNode } from './walk-ast.ts';
import { isDateCast } from './cast-effect.ts';
import { checkConstantAggregate, isRowConstant } from './constant-aggregates.ts';

function outputAliases(level: Level): Set<string> {
  return new Set<string>((level.select.targetList ?? []).map((t: AstNode) => t.ResTarget?.name?.toLowerCase()).filter(Boolean));
}

export const AGGREGATES = new Set(['sum', 'count', 'min', 'max', 'avg', 'measure']);
/** Whether a function name is an aggregate (when called without OVER). */
export function isAggregateName(fn: string): boolean {
  return AGGREGATES.has(fn) || OTHER_AGGREGATES.has(fn);
}

const OTHER_AGGREGATES = new Set(['stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop', 'string_agg', 'array_agg', 'bool_and', 'bool_or', 'every', 'percentile_cont', 'percentile_disc', 'median', 'mode']);

/** An aggregate call whose argument is a column of a model table (or `count(*)`). */
export interface MeasureCall {
  readonly call: AstNode; // FuncCall body
  readonly fn: string;
  readonly distinct: boolean;
  readonly column?: ModelColumn; // undefined for count(*) and aggregates of a constant
  /** The argument of an aggregate of a constant (`COUNT(1)`, `SUM(1)`): read through the count measure (constant-aggregates.ts). */
  readonly constant?: AstNode;
}

/** One model table of a scan, as the FROM clause names it. */
export interface ScanTable {
  readonly table: ModelTable;
  readonly rangeVar: AstNode;
  /** Name columns are qualified with: the alias, else the relation name. */
  readonly alias: string;
}

/**
 * How one level uses the model tables it reads directly: one table, or several joined as the data
 * model defines (`CROSS JOIN`, `FROM a, b`, `JOIN … ON a.__cubeJoinField = b.__cubeJoinField`),
 * read together by ONE semantic query, as a REST query with members of several cubes.
 */
export interface Scan {
  readonly index: number;
  /** In the order of the FROM clause (never the same table twice). */
  readonly tables: readonly ScanTable[];
  readonly level: Level;
  /** Columns used by the level's expressions, with the node of each use. */
  readonly uses: Map<ModelColumn, ColumnUse[]>;
  readonly measureCalls: MeasureCall[];
}

/** The table of a scan a column belongs to. */
export function tableOf(scan: Scan, column: ModelColumn): ScanTable {
  return scan.tables.find((t) => t.table.byName.get(column.name.toLowerCase()) === column) ?? scan.tables[0]!;
}

/**
 * The count measure `COUNT(*)` reads: the first table's (in FROM order) that has one — among all
 * its members (`byName`), so a count the caller may not see is refused by the engine (42501).
 */
export function countColumn(scan: Scan): ModelColumn | undefined {
  for (const t of scan.tables) {
    const count = [...t.table.byName.values()].find((c) => c.kind === 'measure' && c.type === 'count');
    if (count) return count;
  }
  return undefined;
}

export interface ColumnUse {
  readonly ref: AstNode; // ColumnRef body
  readonly clause: 'target' | 'where' | 'group' | 'having' | 'sort' | 'join' | 'other';
  readonly inAggregate: boolean;
  /** The innermost aggregate the use is an argument (or part of an argument) of. */
  readonly aggregate?: { readonly fn: string; readonly distinct: boolean };
  /** Granularity when the use is the second argument of `date_trunc('<g>', col)` (`day` for `col::date`). */
  readonly trunc?: string;
  /** The date_trunc FuncCall (or date TypeCast) body when `trunc` is set. */
  readonly truncCall?: AstNode;
}

export interface Level {
  readonly select: AstNode; // SelectStmt body
  readonly scans: Scan[];
  /** Number of FROM items that are not model tables (subselects, joins to them, functions). */
  otherSources: number;
  /** A join the semantic query does not express (to a subselect, function…): evaluated by the outer SQL. */
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
    const direct: ScanTable[] = [];
    /** The model tables an item of the FROM clause reads directly (checking the joins inside it). */
    const visitFrom = (item: AstNode): ScanTable[] => {
      const [type, body] = nodeOf(item) ?? ['', {}];
      if (type === 'RangeVar') {
        const table = tables(body.schemaname, body.relname);
        if (!table) {
          level.otherSources++;
          return [];
        }
        const t: ScanTable = { table, rangeVar: body, alias: body.alias?.aliasname ?? body.relname };
        direct.push(t);
        return [t];
      }
      if (type === 'JoinExpr') {
        const left = visitFrom(body.larg);
        const right = visitFrom(body.rarg);
        if (!isModelJoin(body, left, right)) level.hasJoin = true;
        return [...left, ...right];
      }
      if (type === 'RangeSubselect') {
        level.otherSources++;
        const inner = body.subquery?.SelectStmt;
        if (inner) visitSelect(inner, demandOf(select, body.alias?.aliasname));
      } else level.otherSources++;
      return [];
    };
    for (const item of select.fromClause ?? []) visitFrom(item);
    if (direct.length > 0) {
      for (let i = 0; i < direct.length; i++) {
        const twice = direct.findIndex((t, j) => j > i && t.table === direct[i]!.table);
        if (twice >= 0) throw notModelJoin(`${direct[i]!.table.name} is read twice in one join`);
      }
      level.scans.push({ index: scanIndex++, tables: direct, level, uses: new Map(), measureCalls: [] });
    }
    collectUses(level, visitSelect);
  };

  visitSelect(root);
  return levels;
}

const isJoinFieldRef = (node: AstNode | undefined): boolean => names(node?.ColumnRef?.fields).at(-1)?.toLowerCase() === JOIN_FIELD.toLowerCase();

function notModelJoin(detail: string): UserError {
  return new UserError('UNSUPPORTED', `${detail}: joins between cube tables are only supported as defined in the data model`, {
    hint: `write CROSS JOIN, FROM a, b, or [LEFT] JOIN b ON a.${JOIN_FIELD} = b.${JOIN_FIELD} (the semantic layer joins them as the model defines), or query a view`,
  });
}

/**
 * Whether a join between FROM items is a join as the data model defines it (true), a join the
 * outer SQL evaluates (false: one side reads no model table), or a join that cannot be answered
 * (throws): between model tables, only CROSS JOIN and INNER/LEFT JOIN ON conjunctions of
 * `x.__cubeJoinField = y.__cubeJoinField` are; `__cubeJoinField` joins only model tables read
 * directly (its value is not carried through subqueries).
 */
function isModelJoin(join: AstNode, left: readonly ScanTable[], right: readonly ScanTable[]): boolean {
  let mentions = false;
  walkAst(join.quals, (type, body) => {
    if (type === 'ColumnRef' && isJoinFieldRef({ ColumnRef: body })) mentions = true;
  });
  if (left.length === 0 || right.length === 0) {
    if (mentions) throw notModelJoin(`${JOIN_FIELD} joins only cube tables read directly, not subqueries or other relations`);
    return false;
  }
  const kind = join.jointype === 'JOIN_LEFT' ? 'LEFT' : join.jointype === 'JOIN_INNER' ? 'INNER' : String(join.jointype ?? '').replace('JOIN_', '');
  if (kind !== 'INNER' && kind !== 'LEFT') throw notModelJoin(`${kind} JOIN between cube tables is not supported`);
  if (join.isNatural || join.usingClause) throw notModelJoin(`${join.isNatural ? 'NATURAL JOIN' : 'JOIN … USING'} between cube tables is not supported`);
  if (!join.quals) return true;
  const names_ = (t: ScanTable) => [t.alias.toLowerCase(), ...(t.rangeVar.alias ? [] : [t.table.name.toLowerCase()])];
  const ok = conjuncts(join.quals).every((c) => {
    const e = c.A_Expr;
    if (!e || e.kind !== 'AEXPR_OP' || names(e.name).at(-1) !== '=' || !isJoinFieldRef(e.lexpr) || !isJoinFieldRef(e.rexpr)) return false;
    // Both sides qualified, naming tables on the two sides of this join.
    const side = (ref: AstNode) => {
      const q = names(ref.ColumnRef.fields).at(-2)?.toLowerCase();
      return q === undefined ? undefined : left.some((t) => names_(t).includes(q)) ? 'l' : right.some((t) => names_(t).includes(q)) ? 'r' : undefined;
    };
    const a = side(e.lexpr);
    const b = side(e.rexpr);
    return a !== undefined && b !== undefined;
  });
  if (!ok) throw notModelJoin(`JOIN … ON ${mentions ? 'a condition other than' : 'a condition on real columns instead of'} x.${JOIN_FIELD} = y.${JOIN_FIELD}`);
  return true;
}

function conjuncts(node: AstNode | undefined): AstNode[] {
  if (!node) return [];
  if (node.BoolExpr?.boolop === 'AND_EXPR') return node.BoolExpr.args.flatMap((a: AstNode) => conjuncts(a));
  return [node];
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
  type Agg = { fn: string; distinct: boolean } | undefined;
  const walk = (node: unknown, clause: ColumnUse['clause'], agg: Agg, trunc?: { g: string; call: AstNode }): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, clause, agg, trunc);
      return;
    }
    for (const [key, value] of Object.entries(node as AstNode)) {
      if (key === 'SubLink') {
        const inner = value.subselect?.SelectStmt;
        if (inner) visitSelect(inner);
        walk(value.testexpr, clause, agg);
        continue;
      }
      if (key === 'ColumnRef') {
        recordRef(level, value, clause, agg, trunc, clause === 'sort' ? targetAliases : undefined);
        continue;
      }
      if (key === 'TypeCast' && value.arg?.ColumnRef && isDateCast(value)) {
        // `col::date` of a time dimension is its day: read at granularity day, like date_trunc('day', col).
        walk(value.arg, clause, agg, { g: 'day', call: value });
        continue;
      }
      if (key === 'FuncCall') {
        const fn = names(value.funcname).at(-1)?.toLowerCase() ?? '';
        const isAgg = (AGGREGATES.has(fn) || OTHER_AGGREGATES.has(fn)) && !value.over;
        if (isAgg && value.agg_filter && level.scans.length > 0) {
          throw new UserError('UNSUPPORTED', `${fn.toUpperCase()}(…) FILTER (WHERE …) over a cube table is not supported`, {
            hint: `put the condition in WHERE, one query per condition: SELECT ${fn === 'measure' ? 'MEASURE' : fn.toUpperCase()}(…) FROM … WHERE <condition>`,
          });
        }
        if (isAgg) recordMeasureCall(level, value, fn);
        const inner: Agg = isAgg ? { fn, distinct: Boolean(value.agg_distinct) } : agg;
        const g = fn === 'date_trunc' ? value.args?.[0]?.A_Const?.sval?.sval : undefined;
        if (g && value.args?.length === 2) {
          walk(value.args[1], clause, inner, { g: String(g).toLowerCase(), call: value });
          continue;
        }
        walk(value, clause, inner);
        continue;
      }
      if (typeof value === 'object') walk(value, clause, agg, undefined);
    }
  };
  walk(s.targetList, 'target', undefined);
  walk(s.whereClause, 'where', undefined);
  walk(s.groupClause, 'group', undefined);
  walk(s.havingClause, 'having', undefined);
  walk(s.sortClause, 'sort', undefined);
  walk(s.distinctClause, 'other', undefined);
  const joins: AstNode[] = [];
  const findJoins = (item: AstNode): void => {
    const j = item?.JoinExpr;
    if (!j) return;
    let model = false; // join-field quals were checked by isModelJoin: they add no column use
    walkAst(j.quals, (type, body) => {
      if (type === 'ColumnRef' && isJoinFieldRef({ ColumnRef: body })) model = true;
    });
    if (!model) joins.push(j.quals);
    findJoins(j.larg);
    findJoins(j.rarg);
  };
  for (const item of s.fromClause ?? []) findJoins(item);
  walk(joins, 'join', undefined);
}

/** Which scan, table and column a ColumnRef names, if any. */
export function resolveRef(level: Level, ref: AstNode): { scan: Scan; table: ScanTable; column?: ModelColumn; star?: boolean } | undefined {
  const fields = names(ref.fields);
  const col = fields.at(-1)!;
  const qualifier = fields.length >= 2 ? fields[fields.length - 2]!.toLowerCase() : undefined;
  const candidates: { scan: Scan; table: ScanTable }[] = [];
  for (const scan of level.scans) {
    for (const table of scan.tables) {
      if (!qualifier || table.alias.toLowerCase() === qualifier || (!table.rangeVar.alias && table.table.name.toLowerCase() === qualifier)) candidates.push({ scan, table });
    }
  }
  if (col === '*') {
    if (qualifier) return candidates.length === 1 ? { ...candidates[0]!, star: true } : undefined;
    return level.scans.length === 1 && level.otherSources === 0 ? { scan: level.scans[0]!, table: level.scans[0]!.tables[0]!, star: true } : undefined;
  }
  const matches = candidates.filter((c) => c.table.table.byName.has(col.toLowerCase()));
  if (matches.length !== 1) return undefined;
  return { ...matches[0]!, column: matches[0]!.table.table.byName.get(col.toLowerCase()) };
}

function recordRef(level: Level, ref: AstNode, clause: ColumnUse['clause'], aggregate: ColumnUse['aggregate'], trunc: { g: string; call: AstNode } | undefined, aliases?: Set<string>): void {
  const fields = names(ref.fields);
  if (aliases && fields.length === 1 && aliases.has(fields[0]!.toLowerCase())) return; // ORDER BY output alias
  const resolved = resolveRef(level, ref);
  if (!resolved) {
    const onlyModel = level.otherSources === 0 && level.scans.length > 0;
    if (onlyModel && fields.at(-1) !== '*' && !(aliases ?? outputAliases(level)).has(fields.at(-1)!.toLowerCase())) {
      const owners = fields.length === 1 ? level.scans.flatMap((s) => s.tables.filter((t) => t.table.byName.has(fields[0]!.toLowerCase()))) : [];
      if (owners.length > 1) {
        throw new UserError('QUERY_INVALID', `column reference "${fields[0]}" is ambiguous (${owners.map((t) => t.alias).join(', ')})`, { hint: 'qualify it with the table name or alias' });
      }
      const tables = level.scans.flatMap((s) => s.tables.map((t) => t.table.name)).join(', ');
      throw new UserError('UNKNOWN_MEMBER', `column "${fields.join('.')}" does not exist in ${tables}`, { hint: 'columns are the public measures and dimensions of the cube or view' });
    }
    return;
  }
  const { scan } = resolved;
  // `*` lists the members (not segments, not the join field); unqualified, of every joined table.
  const starTables = resolved.star ? (names(ref.fields).length >= 2 ? [resolved.table] : scan.tables) : [];
  const columns = resolved.star
    ? starColumns(starTables, level.demand)
    : resolved.column
      ? [resolved.column]
      : [];
  for (const column of columns) {
    const list = scan.uses.get(column) ?? [];
    list.push({ ref, clause, inAggregate: aggregate !== undefined, ...(aggregate ? { aggregate } : {}), trunc: trunc?.g, truncCall: trunc?.call });
    scan.uses.set(column, list);
  }
}

/**
 * The members `*` reads: those the enclosing level reads (`demand`), but at least one dimension
 * when it reads none (`count(*)` over the subselect): the subselect's rows are then still the
 * table's rows, listed by an ungrouped query, not a query with no member.
 */
function starColumns(tables: readonly ScanTable[], demand: ReadonlySet<string> | undefined): ModelColumn[] {
  const members = tables.flatMap((t) => t.table.columns.filter((c) => c.kind === 'measure' || c.kind === 'dimension'));
  if (!demand) return members;
  const read = members.filter((c) => demand.has(c.name.toLowerCase()));
  const rowKey = members.find((c) => c.kind === 'dimension');
  return read.length > 0 || !rowKey ? read : [rowKey];
}

function recordMeasureCall(level: Level, call: AstNode, fn: string): void {
  const args: AstNode[] = call.args ?? [];
  if (call.agg_star && fn === 'count') {
    if (level.scans.length === 1) level.scans[0]!.measureCalls.push({ call, fn, distinct: false });
    return;
  }
  if (args.length === 1 && level.scans.length === 1 && isRowConstant(args[0]!)) {
    const distinct = Boolean(call.agg_distinct);
    checkConstantAggregate(fn, distinct, level.scans[0]!.tables.map((t) => t.table.name).join(', '));
    level.scans[0]!.measureCalls.push({ call, fn, distinct, constant: args[0]! });
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
