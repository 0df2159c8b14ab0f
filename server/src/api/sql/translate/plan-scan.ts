/**
 * Turns one scan (a model table read by one query level) into the Cube query that feeds it:
 * dimensions at the grain the level needs, time dimensions with the granularity of a uniform
 * `date_trunc`, measures read by aggregates, and WHERE conjuncts pushed down as filters.
 */
import type { CubeQuery, Filter, TimeDimensionRequest } from '../../../query/query-types.ts';
import { UserError } from '../../../errors/user-error.ts';
import type { ModelColumn } from '../catalog/model-tables.ts';
import type { ParamValue } from '../wire/decode-param.ts';
import { countColumn, type Level, type MeasureCall, type Scan } from './analyze-levels.ts';
import { literalValue } from './literal-value.ts';
import { translateWhere } from './translate-filters.ts';
import { walkAst, type AstNode } from './walk-ast.ts';
import type { FoldedList } from './fold-literal-lists.ts';

/** One column of the scan's result table. */
export interface ScanColumn {
  readonly column: ModelColumn;
  /** Key of the column in the engine's result (`Cube.member` or `Cube.member.granularity`). */
  readonly resultKey: string;
  readonly granularity?: string;
  /**
   * The join field (`__cubeJoinField`): not a member, so not asked of the engine; its value is the
   * row's position in the scan's result, so that `a.__cubeJoinField = b.__cubeJoinField` holds
   * exactly between the columns of one result row when the outer SQL evaluates a join.
   */
  readonly rowKey?: boolean;
  /**
   * A segment in the select list (Power BI Import selects every column): segments are filters the
   * engine applies, not values it returns, so the column reads NULL, as in Cube's SQL API.
   */
  readonly nullValue?: boolean;
}

export interface ScanPlan {
  readonly scan: Scan;
  readonly query: CubeQuery;
  readonly columns: readonly ScanColumn[];
  /** WHERE conjuncts fully pushed down and removable from the outer evaluation. */
  readonly removedConjuncts: readonly AstNode[];
  /**
   * How many rows of the scan are enough, when fewer than its limit are: a level that reads no
   * column of its table with a constant LIMIT (+ OFFSET) needs no more rows than that.
   */
  readonly rowsNeeded?: number;
}

/**
 * Which aggregates read a measure as the measure itself at the level's grain. A BI visual asks for
 * the measure at its grain (Power BI applies its column's default summarization, usually SUM);
 * an aggregate reads the measure when it cannot mean anything else:
 * - MEASURE() always, and the aggregate of the measure's own type (Cube's type matching): SUM on
 *   sum/count, COUNT on count, COUNT(DISTINCT) on distinct counts, MIN/MAX/AVG on min/max/avg;
 * - SUM, AVG, MIN or MAX on measures whose per-row value means nothing of its own (distinct counts,
 *   calculated `number` measures): the only number such an aggregate can stand for is the measure.
 * Everything else (MIN of a sum, AVG of a count, COUNT of a sum…) could mean a statistic over rows
 * the semantic layer does not expose: refused, naming the measure, never a different number.
 */
export function aggregateMatches(call: Pick<MeasureCall, 'fn' | 'distinct'> & { readonly column?: { readonly type: string } }): boolean {
  const type = call.column?.type ?? 'count';
  const opaque = type === 'count_distinct' || type === 'count_distinct_approx' || type === 'number';
  switch (call.fn) {
    case 'measure':
      return true;
    // SUM(DISTINCT …) or AVG(DISTINCT …) of an additive or avg measure would skip repeated row values.
    case 'sum':
      return (!call.distinct && ['sum', 'count', 'running_total'].includes(type)) || opaque;
    case 'count':
      return call.distinct ? ['count_distinct', 'count_distinct_approx'].includes(type) : type === 'count';
    case 'min':
    case 'max':
      return type === call.fn || opaque;
    case 'avg':
      return (!call.distinct && type === 'avg') || opaque;
    default:
      return false;
  }
}

/** The Cube query of one scan, and which WHERE conjuncts it fully expresses. */
export function planScan(level: Level, scan: Scan, params: readonly ParamValue[], maxRows: number, lists: ReadonlyMap<string, FoldedList>): ScanPlan {
  for (const call of scan.measureCalls) {
    if (!call.column && !countColumn(scan)) {
      const what = call.constant ? `${call.fn.toUpperCase()}(<constant>)` : 'COUNT(*)';
      throw new UserError('QUERY_INVALID', `${what} needs a measure of type count in ${scan.tables.map((t) => t.table.name).join(', ')}`);
    }
    // An aggregate of a constant is defined from the count measure (constant-aggregates.ts).
    if (!call.constant && !aggregateMatches(call)) {
      const what = call.column ? `measure ${call.column.path} of type ${call.column.type}` : 'COUNT(*)';
      throw new UserError('MEASURE_AGGREGATE', `${call.fn.toUpperCase()}${call.distinct ? '(DISTINCT …)' : '()'} over ${what} would not give the measure's value at this grain`, {
        hint: `use MEASURE(${call.column?.name ?? 'count'}) (in Power BI: set the column's summarization to the one of its type, or "Don't summarize" in a native query with MEASURE)`,
      });
    }
  }
  if (level.grouped) refuseAggregatesOverDimensions(scan);
  const single = level.scans.length === 1 && level.otherSources === 0 && !level.hasJoin;
  const where = single ? translateWhere(level, scan, params, lists) : { filters: [] as Filter[], timeBounds: new Map<string, { from?: string; to?: string }>(), segments: [] as string[], pushed: [] as AstNode[] };
  const removed = where.pushed;
  const removedRefs = new Set<AstNode>();
  walkAst(removed, (type, body) => {
    if (type === 'ColumnRef') removedRefs.add(body);
  });

  const columns: ScanColumn[] = [];
  const dimensions: string[] = [];
  const timeDimensions: TimeDimensionRequest[] = [];
  const measures: string[] = [];
  const filters: Filter[] = [...where.filters];
  for (const [column, allUses] of scan.uses) {
    const uses = allUses.filter((u) => !removedRefs.has(u.ref));
    if (uses.length === 0) continue;
    if (column.kind === 'segment') {
      if (uses.some((u) => u.clause !== 'target')) {
        throw new UserError('UNSUPPORTED', `segment ${column.name} can only be required in WHERE (${column.name}, ${column.name} IS TRUE or ${column.name} = true)`, {
          hint: 'a segment is a filter of the data model; its negation or use in expressions is not defined',
        });
      }
      columns.push({ column, resultKey: '', nullValue: true });
      continue;
    }
    if (column.kind === 'join') {
      columns.push({ column, resultKey: '', rowKey: true });
      continue;
    }
    if (column.kind === 'measure') {
      measures.push(column.path);
      columns.push({ column, resultKey: column.path });
      continue;
    }
    const granularity = column.type === 'time' ? finestTrunc(uses.map((u) => u.trunc)) : undefined;
    if (granularity) {
      timeDimensions.push({ dimension: column.path, granularity });
      columns.push({ column, resultKey: `${column.path}.${granularity}`, granularity });
    } else {
      dimensions.push(column.path);
      columns.push({ column, resultKey: column.path });
    }
  }
  for (const call of scan.measureCalls) {
    if (call.column) continue;
    const count = countColumn(scan)!;
    if (!measures.includes(count.path)) {
      measures.push(count.path);
      columns.push({ column: count, resultKey: count.path });
    }
  }
  applyTimeBounds(where.timeBounds, timeDimensions, filters);
  // A level that reads no column of its table (`SELECT 1 FROM vendas`, `SELECT max(1) …`) still has
  // the table's rows: read them, ungrouped, through one dimension nothing else uses.
  const readsNothing = !measures.length && !dimensions.length && !timeDimensions.length && columns.length === 0 && scan.tables.length === 1;
  const rowsNeeded = readsNothing ? addRowSource(level, scan, params, dimensions, columns) : undefined;
  const query: CubeQuery = {
    ...(measures.length ? { measures } : {}),
    ...(dimensions.length ? { dimensions } : {}),
    ...(timeDimensions.length ? { timeDimensions } : {}),
    ...(filters.length ? { filters } : {}),
    ...(where.segments.length ? { segments: where.segments } : {}),
    ...(level.grouped && !readsNothing ? {} : { ungrouped: true }),
    limit: rowsNeeded === undefined ? maxRows : Math.min(maxRows, Math.max(1, rowsNeeded)),
  };
  return { scan, query, columns, removedConjuncts: removed, ...(rowsNeeded !== undefined ? { rowsNeeded } : {}) };
}

/**
 * The rows of a level that reads no column of its table are the table's rows (a row of constants
 * each, or the input of an aggregate of constants): they are read through the table's first
 * dimension, as `SELECT <that dimension> FROM …` reads them. Returns the level's constant
 * LIMIT + OFFSET when it has one and does not aggregate (no more rows are ever needed).
 */
function addRowSource(level: Level, scan: Scan, params: readonly ParamValue[], dimensions: string[], columns: ScanColumn[]): number | undefined {
  const table = scan.tables[0]!.table;
  const dimension = table.columns.find((c) => c.kind === 'dimension' && c.type !== 'time') ?? table.columns.find((c) => c.kind === 'dimension');
  if (!dimension) {
    throw new UserError('UNSUPPORTED', `this SELECT reads no column of ${table.name}, so its rows are the table's rows, and ${table.name} has no dimension to read them through`, {
      hint: 'select a measure with MEASURE(), or count(*)',
    });
  }
  dimensions.push(dimension.path);
  columns.push({ column: dimension, resultKey: dimension.path });
  const limit = literalValue(level.select.limitCount, params);
  const offset = level.select.limitOffset ? literalValue(level.select.limitOffset, params) : 0;
  return typeof limit === 'number' && typeof offset === 'number' && !level.grouped ? limit + offset : undefined;
}

/** Aggregates that give the same answer over a group's distinct values as over its rows. */
const ROW_FREE = new Set(['min', 'max', 'bool_and', 'bool_or', 'every']);

/**
 * A grouped level reads a dimension as its distinct values at the level's grain (the semantic
 * query groups by it), not as rows: SUM, AVG or COUNT over them would count each value once. Only
 * aggregates that do not depend on how often a value occurs (MIN, MAX, DISTINCT …) may read a
 * dimension; the others are refused, pointing at the measures, which count rows as the model says.
 */
function refuseAggregatesOverDimensions(scan: Scan): void {
  for (const [column, uses] of scan.uses) {
    if (column.kind !== 'dimension') continue;
    const use = uses.find((u) => u.aggregate && !u.aggregate.distinct && !ROW_FREE.has(u.aggregate.fn));
    if (!use) continue;
    const fn = use.aggregate!.fn.toUpperCase();
    throw new UserError('MEASURE_AGGREGATE', `${fn}() over dimension ${column.path} would read its distinct values, not rows: aggregate rows with a measure (MEASURE(count), MEASURE(<sum measure>))`, {
      hint: `the measures of the data model count rows as it defines them; MIN, MAX and COUNT(DISTINCT ${column.name}) may read a dimension`,
    });
  }
}

function applyTimeBounds(bounds: Map<string, { from?: string; to?: string }>, timeDimensions: TimeDimensionRequest[], filters: Filter[]): void {
  for (const [path, { from, to }] of bounds) {
    const existing = timeDimensions.findIndex((t) => t.dimension === path && !t.dateRange);
    if (from && to) {
      if (existing >= 0) timeDimensions[existing] = { ...timeDimensions[existing]!, dateRange: [from, to] };
      else timeDimensions.push({ dimension: path, dateRange: [from, to] });
      continue;
    }
    if (from) filters.push({ member: path, operator: 'afterOrOnDate', values: [from] });
    if (to) filters.push({ member: path, operator: 'beforeOrOnDate', values: [to] });
  }
}

const ORDER = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

/**
 * When every use of a time dimension is a date_trunc, the finest of them can be pushed down:
 * coarser truncations of a finer bucket are the same as of the raw value (weeks do not nest in
 * months, quarters or years, so that mix stays raw).
 */
function finestTrunc(truncs: readonly (string | undefined)[]): string | undefined {
  if (truncs.some((t) => t === undefined || !ORDER.includes(t))) return undefined;
  const set = new Set(truncs as string[]);
  if (set.has('week') && (set.has('month') || set.has('quarter') || set.has('year'))) return undefined;
  return [...set].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0];
}
