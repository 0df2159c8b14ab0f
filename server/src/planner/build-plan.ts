/**
 * Normalized query + model → logical plan. Decides the join tree, which measures need the
 * multiplied-cube treatment, which are rolling windows over a date series, and which filters go
 * to WHERE or HAVING. No SQL here.
 */
import type { Dimension, Measure, Member, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import { findJoinTree, type JoinHint, type JoinTree } from '../model/join-graph.ts';
import { UserError } from '../errors/user-error.ts';
import type { KeyColumn, LogicalPlan, MeasureNode, OutputColumn, RollingWindowNode, TimeShiftNode } from './plan-types.ts';
import { hasMeasure } from './filter-sql.ts';
import { collectCubes, measureFilterMember } from './collect-cubes.ts';
import { dateSeries, parseInterval } from './time-series.ts';
import { splitComposedMeasures } from './composed-measures.ts';

export function buildPlan(model: SemanticModel, query: NormalizedQuery): LogicalPlan {
  const keys = keyColumns(query);
  const outputs = outputColumns(query, keys);
  const { joinTree, subQueryDimensions } = planJoins(model, query);
  const split = splitComposedMeasures(model, query.measures, joinTree, query.ungrouped);
  const measureAliases = new Map([...query.measures, ...split.nodeMeasures].map((m) => [m.alias, sqlAlias(m.alias)]));
  const nodes = query.ungrouped ? [{ kind: 'aggregate' as const, measures: query.measures }] : measureNodes(query, split.nodeMeasures, keys, joinTree);
  return {
    keys,
    nodes,
    composed: split.composed,
    leafAliases: split.leafAliases,
    joinTree,
    subQueryDimensions,
    rowFilters: query.rowFilters ?? [],
    where: query.filters.filter((f) => !hasMeasure(f)),
    segments: query.segments,
    dateRanges: query.timeDimensions.filter((td) => td.dateRange),
    having: measureConditions(query),
    measureAliases,
    order: planOrder(query, keys, measureAliases),
    limit: query.limit,
    offset: query.offset,
    ungrouped: query.ungrouped,
    timezone: query.timezone,
    outputs,
  };
}

/**
 * The filters holding a measure, applied to the finished groups. A dimension in the same
 * condition (`and`/`or` with a measure) is compared per group, so it must be one of the groups'
 * keys; otherwise the query is refused (Cube refuses any such mix) instead of reaching the
 * database as SQL it cannot run.
 */
function measureConditions(query: NormalizedQuery): NormalizedFilter[] {
  const grouped = new Set(query.dimensions.map((d) => d.alias));
  const check = (f: NormalizedFilter): void => {
    if (f.kind === 'measureFilter') {
      // A row condition cannot be evaluated on finished groups (Cube would send the rows' columns to HAVING).
      throw new UserError('QUERY_INVALID', `Invalid query: the measureFilter on ${f.target.alias} is a row condition and cannot share one condition (and/or) with a filter on a measure's value`, {
        hint: 'give the measureFilter a condition of its own',
      });
    }
    if (f.kind !== 'member') return f.filters.forEach(check);
    if (f.target.member.kind === 'dimension' && !grouped.has(f.target.alias)) {
      throw new UserError('QUERY_INVALID', `Invalid query: ${f.target.alias} is in one condition (and/or) with a measure filter, so it must be in "dimensions"`, {
        hint: 'filter on the dimension in a condition of its own, or add it to "dimensions"',
      });
    }
  };
  const having = query.filters.filter(hasMeasure);
  having.forEach(check);
  return having;
}

/** SQL column alias of a member alias: `Cube.member` → `Cube__member`. */
export function sqlAlias(alias: string, granularity?: string): string {
  return alias.replace(/\./g, '__') + (granularity ? `_${granularity}` : '');
}

function keyColumns(query: NormalizedQuery): KeyColumn[] {
  const keys: KeyColumn[] = [];
  const seen = new Set<string>();
  for (const member of query.dimensions) {
    const alias = sqlAlias(member.alias);
    if (!seen.has(alias)) keys.push({ kind: 'dimension', sqlAlias: alias, member });
    seen.add(alias);
  }
  for (const td of query.timeDimensions) {
    if (!td.granularity) continue;
    const alias = sqlAlias(td.target.alias, td.granularity);
    if (!seen.has(alias)) keys.push({ kind: 'time', sqlAlias: alias, timeDimension: td, granularity: td.granularity });
    seen.add(alias);
  }
  return keys;
}

/**
 * A time dimension with a granularity answers under `member.granularity` and, as Cube's gateway
 * does it, also under the bare `member` — unless the raw member is itself one of the query's
 * dimensions: that key then holds the raw values, never the buckets.
 */
function outputColumns(query: NormalizedQuery, keys: readonly KeyColumn[]): OutputColumn[] {
  const rawDimensions = new Set(query.dimensions.map((d) => d.alias));
  const outputs: OutputColumn[] = keys.map((k) => {
    if (k.kind === 'dimension') return { sqlAlias: k.sqlAlias, keys: [k.member.alias], kind: 'dimension', member: k.member.member };
    const alias = k.timeDimension.target.alias;
    const names = rawDimensions.has(alias) ? [`${alias}.${k.granularity}`] : [`${alias}.${k.granularity}`, alias];
    return { sqlAlias: k.sqlAlias, keys: names, kind: 'timeDimension', member: k.timeDimension.target.member, granularity: k.granularity };
  });
  const seen = new Set<string>(query.orderOnlyMeasures);
  for (const m of query.measures) {
    if (!seen.has(m.alias)) outputs.push({ sqlAlias: sqlAlias(m.alias), keys: [m.alias], kind: 'measure', member: m.member });
    seen.add(m.alias);
  }
  return outputs;
}

function planJoins(model: SemanticModel, query: NormalizedQuery): { joinTree: JoinTree; subQueryDimensions: Dimension[] } {
  const members: Member[] = [];
  const hints: JoinHint[] = [];
  const add = (r: ResolvedMember<Member>): void => {
    members.push(r.member);
    if (r.joinPath.length > 1) hints.push(r.joinPath);
  };
  query.measures.forEach(add);
  query.dimensions.forEach(add);
  query.segments.forEach(add);
  query.timeDimensions.forEach((td) => add(td.target));
  const visit = (f: NormalizedFilter): void => {
    if (f.kind === 'member') add(f.target);
    else if (f.kind === 'measureFilter') add({ ...f.target, member: measureFilterMember(f.target.member) });
    else f.filters.forEach(visit);
  };
  query.filters.forEach(visit);
  const subQueries = new Map<string, Dimension>();
  const cubes = collectCubes(model, members, new Set(), subQueries);
  if (cubes.size === 0) throw new UserError('QUERY_INVALID', 'Invalid query: it names no measure, dimension, segment or time dimension');
  const rootHint = [...query.measures, ...query.dimensions, ...query.timeDimensions.map((t) => t.target)].find((r) => r.joinPath.length > 0)?.joinPath[0];
  return { joinTree: findJoinTree(model, [...hints, ...cubes], rootHint), subQueryDimensions: [...subQueries.values()] };
}

function isCumulative(m: Measure): boolean {
  return m.type === 'running_total' || m.rollingWindow !== undefined;
}

function measureNodes(query: NormalizedQuery, measures: readonly ResolvedMember<Measure>[], keys: readonly KeyColumn[], tree: JoinTree): MeasureNode[] {
  const rolling = new Map<string, RollingWindowNode>();
  const multiplied = new Map<string, ResolvedMember<Measure>[]>();
  const plain: ResolvedMember<Measure>[] = [];
  const shifted = new Map<string, TimeShiftNode>();
  const hasCumulative = query.timeDimensions.length > 0 && measures.some((m) => isCumulative(m.member));
  const series = hasCumulative ? seriesFor(query, keys) : undefined;
  for (const m of measures) {
    if (isCumulative(m.member) && series) {
      const window = m.member.rollingWindow ?? { trailing: 'unbounded' };
      const id = JSON.stringify(window);
      const node = rolling.get(id) ?? { kind: 'rollingWindow', window, measures: [], ...series };
      rolling.set(id, { ...node, measures: [...node.measures, m] });
    } else if (m.member.multiStage && m.member.timeShift?.length === 1 && m.member.timeShift[0]!.interval && query.timeDimensions.length > 0) {
      const ts = m.member.timeShift[0]!;
      const parts = parseInterval(ts.interval!, `time_shift of ${m.member.path}`);
      if (parts === 'unbounded') throw new UserError('MODEL_INVALID', `time_shift of ${m.member.path} cannot be unbounded`);
      const sign = ts.type === 'next' ? -1 : 1;
      const shift = parts.map((p) => ({ amount: sign * p.amount, unit: p.unit }));
      const id = JSON.stringify(shift);
      const node = shifted.get(id) ?? { kind: 'timeShift', measures: [], shift };
      shifted.set(id, { ...node, measures: [...node.measures, m] });
    } else if (tree.multipliedCubes.has(m.member.cube)) {
      multiplied.set(m.member.cube, [...(multiplied.get(m.member.cube) ?? []), m]);
    } else {
      plain.push(m);
    }
  }
  const nodes: MeasureNode[] = [...rolling.values()];
  if (plain.length > 0 || (nodes.length === 0 && multiplied.size === 0 && shifted.size === 0)) nodes.push({ kind: 'aggregate', measures: plain });
  for (const [cube, measures] of multiplied) nodes.push({ kind: 'multipliedAggregate', cube, measures });
  nodes.push(...shifted.values());
  return nodes;
}

/** Granularity order for picking the series of a rolling window (Cube's classic planner keeps month over week). */
const SERIES_RANK = ['second', 'minute', 'hour', 'day', 'month', 'quarter', 'year', 'week'];

function seriesFor(query: NormalizedQuery, keys: readonly KeyColumn[]): Pick<RollingWindowNode, 'seriesKey' | 'seriesMember' | 'buckets'> {
  const first = query.timeDimensions[0]!;
  const sameMember = keys.filter((k): k is KeyColumn & { kind: 'time' } => k.kind === 'time' && k.timeDimension.target.alias === first.target.alias);
  const rank = (g: string): number => (SERIES_RANK.includes(g) ? SERIES_RANK.indexOf(g) : -1);
  const seriesKey = [...sameMember].sort((a, b) => rank(a.granularity) - rank(b.granularity))[0];
  const range = query.timeDimensions.find((td) => td.target.alias === first.target.alias && td.dateRange)?.dateRange;
  if (!range) {
    throw new UserError('UNSUPPORTED', `Rolling window measures need a dateRange on ${first.target.alias}`, {
      hint: 'Add "dateRange" to the time dimension; the series of buckets is built inside it.',
    });
  }
  return { seriesKey, seriesMember: first.target as ResolvedMember<Dimension>, buckets: dateSeries(range, seriesKey?.granularity, first.target.member) };
}

/**
 * The ORDER BY of the query. A key the rows cannot be ordered by (a dimension the query does not
 * group by, a segment, a time dimension without that granularity) is refused: Cube's classic
 * planner dropped it while echoing it, so the rows came back in another order than the one shown.
 */
function planOrder(query: NormalizedQuery, keys: readonly KeyColumn[], measures: ReadonlyMap<string, string>): LogicalPlan['order'] {
  const order: PlanOrderKey[] = [];
  for (const o of query.order) {
    const alias = measures.get(o.alias) ?? keyAlias(keys, o.alias);
    if (!alias) {
      throw new UserError('QUERY_INVALID', `Invalid query: cannot order by ${o.alias}: it is not among the query's measures, dimensions or time dimensions with a granularity`, {
        hint: `add ${o.alias} to "dimensions" (or the time dimension's granularity), or remove it from "order"`,
      });
    }
    if (!order.some((x) => x.sqlAlias === alias)) order.push({ sqlAlias: alias, direction: o.direction });
  }
  // No order at all (a stream's, `defaultOrder: false`) stays unsorted: it promises no order to page by.
  return query.paged && order.length > 0 ? withTieBreakers(order, query, keys, measures) : order;
}

/**
 * A page (`limit`/`offset`) of rows whose asked order ties can hold rows of the neighbouring page
 * and miss others: SQL leaves tied rows in any order, anew for each statement. After the asked
 * keys, every other key column (ascending) makes the order total over the groups; an ungrouped
 * query's rows are told apart by their measure values too (rows equal in every column are alike).
 */
function withTieBreakers(order: readonly PlanOrderKey[], query: NormalizedQuery, keys: readonly KeyColumn[], measures: ReadonlyMap<string, string>): PlanOrderKey[] {
  const total = [...order];
  const rest = [...keys.map((k) => k.sqlAlias), ...(query.ungrouped ? query.measures.map((m) => measures.get(m.alias)!) : [])];
  for (const sqlAlias of rest) if (!total.some((x) => x.sqlAlias === sqlAlias)) total.push({ sqlAlias, direction: 'asc' });
  return total;
}

type PlanOrderKey = LogicalPlan['order'][number];

/** A member's key column; a time dimension named without granularity means its last granularity (the one shown under its name). */
function keyAlias(keys: readonly KeyColumn[], alias: string): string | undefined {
  let found: string | undefined;
  for (const k of keys) {
    if (k.kind === 'dimension' && k.member.alias === alias) return k.sqlAlias;
    if (k.kind === 'time' && `${k.timeDimension.target.alias}.${k.granularity}` === alias) return k.sqlAlias;
    if (k.kind === 'time' && k.timeDimension.target.alias === alias) found = k.sqlAlias;
  }
  return found;
}

