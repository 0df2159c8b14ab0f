/**
 * Serving a query from a rollup = planning it against a virtual cube whose table is the rollup's
 * stored partitions. Each stored column becomes a member of that cube: dimensions read their
 * column, measures re-aggregate their partial aggregates (see rollup-columns.ts), `number`
 * measures keep their formula over the virtual measures. The rewritten query keeps every alias,
 * so the response is shaped exactly as if the source had answered.
 */
import type { Cube, Dimension, Measure, PreAggregation, SemanticModel, SqlTemplate } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import { AVG_COUNT_SUFFIX, AVG_SUM_SUFFIX, storedColumnsFor } from './rollup-columns.ts';
import { quoteIdentifier } from './store-types.ts';
import { isAlignedRange, isStandardGranularity, nextBucket, truncate } from './granularity-math.ts';

export const ROLLUP_DATA_SOURCE = '__preagg_store';

/** Store column holding a dimension (time dimensions: `path.granularity`). */
export function dimensionColumn(path: string, granularity?: string): string {
  return granularity ? `${path}.${granularity}` : path;
}

export function rollupCubeName(cube: string, rollup: string): string {
  return `${cube}__${rollup}`;
}

/** The stored partial counts of a `count` measure, summed; the measure itself reads them with COALESCE(…, 0). */
const STORED_COUNT_SUFFIX = '__rollup_counted';

/** The virtual cube over the rollup tables leased for one query. */
export function buildRollupCube(model: SemanticModel, cube: Cube, rollup: PreAggregation, tables: readonly string[]): Cube {
  const name = rollupCubeName(cube.name, rollup.name);
  const column = (col: string): SqlTemplate => [{ kind: 'cube', cube: name }, { kind: 'text', text: `.${quoteIdentifier(col)}` }];
  const dimensions: Record<string, Dimension> = {};
  for (const path of rollup.dimensions) {
    const source = findDimension(model, path);
    dimensions[mangle(path)] = virtualDimension(name, mangle(path), source, column(dimensionColumn(path)));
  }
  for (const td of rollup.timeDimensions) {
    const source = findDimension(model, td.dimension);
    dimensions[mangle(td.dimension)] = virtualDimension(name, mangle(td.dimension), source, column(dimensionColumn(td.dimension, td.granularity)));
  }
  const measures: Record<string, Measure> = {};
  for (const measure of Object.values(cube.measures)) {
    const stored = rollup.measures.includes(measure.path);
    if (stored) {
      for (const part of storedColumnsFor(measure)) {
        const partName = part.buildMeasure;
        measures[partName] = virtualMeasure(name, partName, measure, part.reaggregate, column(`${cube.name}.${partName}`));
      }
      if (measure.type === 'count') {
        // A count of no rows is 0, as the source's count(...) says; the SUM of no stored rows is NULL.
        const summed = measure.name + STORED_COUNT_SUFFIX;
        measures[summed] = virtualMeasure(name, summed, measure, 'sum', column(`${cube.name}.${measure.name}`));
        measures[measure.name] = {
          ...virtualMeasure(name, measure.name, measure, 'number', undefined),
          sql: [{ kind: 'text', text: 'COALESCE(' }, { kind: 'member', path: `${name}.${summed}` }, { kind: 'text', text: ', 0)' }],
        };
      }
      if (measure.type === 'avg') {
        measures[measure.name] = {
          ...virtualMeasure(name, measure.name, measure, 'number', undefined),
          sql: [
            { kind: 'member', path: `${name}.${measure.name}${AVG_SUM_SUFFIX}` },
            { kind: 'text', text: ' / NULLIF(' },
            { kind: 'member', path: `${name}.${measure.name}${AVG_COUNT_SUFFIX}` },
            { kind: 'text', text: ', 0)' },
          ],
        };
      }
    } else if (measure.type === 'number' && measure.sql) {
      const sql: SqlTemplate = measure.sql.map((part) =>
        part.kind === 'member' ? { kind: 'member', path: `${name}.${part.path.slice(part.path.indexOf('.') + 1)}` } : part,
      );
      measures[measure.name] = { ...virtualMeasure(name, measure.name, measure, 'number', undefined), sql };
    }
  }
  const sql: SqlTemplate = [{ kind: 'text', text: tables.map((t) => `SELECT * FROM ${t}`).join(' UNION ALL ') }];
  return {
    name,
    title: `${cube.title} (${rollup.name})`,
    public: false,
    sql,
    dataSource: ROLLUP_DATA_SOURCE,
    measures,
    dimensions,
    segments: {},
    joins: [],
    preAggregations: {},
    accessPolicies: [],
    location: rollup.location,
  };
}

/** A model holding only the virtual cube: the planner sees a one-cube query, no joins. */
export function rollupModel(virtual: Cube, source: SemanticModel): SemanticModel {
  return { cubes: { [virtual.name]: virtual }, views: {}, version: `${source.version}:${virtual.name}` };
}

/**
 * Points every member of the query at the virtual cube, keeping aliases (result keys). Stored
 * times are already local to the rollup's time zone (matching requires the query's to be the
 * same), so the rewritten query runs in UTC and its time dimensions are marked `storedAsLocalTime`:
 * no second conversion.
 */
export function rewriteForRollup(query: NormalizedQuery, virtual: Cube): NormalizedQuery {
  const measure = (m: ResolvedMember<Measure>): ResolvedMember<Measure> => ({ alias: m.alias, member: lookup(virtual.measures, m.member.name, m.member.path), joinPath: [] });
  const dimension = (d: ResolvedMember<Dimension>): ResolvedMember<Dimension> => ({ alias: d.alias, member: lookup(virtual.dimensions, mangle(d.member.path), d.member.path), joinPath: [] });
  const filter = (f: NormalizedFilter): NormalizedFilter => {
    if (f.kind === 'and' || f.kind === 'or') return { kind: f.kind, filters: f.filters.map(filter) };
    if (f.kind === 'measureFilter') return { kind: 'measureFilter', target: { alias: f.target.alias, member: measureFilterOverRollup(f.target.member, virtual), joinPath: [] } };
    const target = f.target.member.kind === 'measure' ? measure(f.target as ResolvedMember<Measure>) : dimension(f.target as ResolvedMember<Dimension>);
    return { ...f, target };
  };
  return {
    ...query,
    measures: query.measures.map(measure),
    dimensions: query.dimensions.map(dimension),
    segments: [],
    timeDimensions: query.timeDimensions.map((td) => ({ ...td, target: dimension(td.target) })),
    filters: query.filters.map(filter),
    timezone: 'UTC',
  };
}

/**
 * With `allow_non_strict_date_range_match`, a range that cuts the rollup's buckets reads every
 * bucket it touches, whole (a documented approximation, as in Cube: dashboards with rolling
 * ranges such as "last 7 days" keep hitting a daily rollup).
 */
export function widenToBuckets(query: NormalizedQuery, rollup: PreAggregation): NormalizedQuery {
  if (!rollup.allowNonStrictDateRangeMatch) return query;
  const stored = new Map(rollup.timeDimensions.map((td) => [td.dimension, td.granularity]));
  const widen = (range: readonly [string, string], granularity: string): readonly [string, string] => {
    if (!isStandardGranularity(granularity) || isAlignedRange(range, granularity)) return range;
    const from = truncate(Date.parse(`${range[0]}Z`), granularity);
    const to = nextBucket(Date.parse(`${range[1]}Z`), granularity) - 1;
    return [new Date(from).toISOString().slice(0, 23), new Date(to).toISOString().slice(0, 23)];
  };
  return {
    ...query,
    timeDimensions: query.timeDimensions.map((td) => {
      const granularity = stored.get(td.target.member.path);
      return granularity && td.dateRange ? { ...td, dateRange: widen(td.dateRange, granularity) } : td;
    }),
  };
}

/**
 * A measureFilter's measure with its filters pointed at the virtual cube's stored dimensions
 * (matching admits only filters reading nothing else: measure-filter-dimensions.ts). Not a member
 * of the virtual cube: it only carries the row condition.
 */
function measureFilterOverRollup(measure: Measure, virtual: Cube): Measure {
  const filters = measure.filters.map((template): SqlTemplate =>
    template.map((part) => {
      if (part.kind === 'text') return part;
      if (part.kind === 'member') return { kind: 'member', path: lookup(virtual.dimensions, mangle(part.path), part.path).path };
      throw new Error(`measureFilter on ${measure.path} reads ${part.kind}, which a rollup does not store`); // matching refuses it: a bug otherwise
    }),
  );
  return { ...measure, cube: virtual.name, path: `${virtual.name}.${measure.name}`, sql: undefined, filters };
}

function lookup<T>(members: Readonly<Record<string, T>>, name: string, original: string): T {
  const member = Object.hasOwn(members, name) ? members[name] : undefined;
  if (!member) throw new Error(`rollup cube has no member for ${original}`); // matching guarantees it: a bug otherwise
  return member;
}

function mangle(path: string): string {
  return path.replace(/\./g, '__');
}

function findDimension(model: SemanticModel, path: string): Dimension | undefined {
  const cube = model.cubes[path.slice(0, path.indexOf('.'))];
  const name = path.slice(path.indexOf('.') + 1);
  return cube && Object.hasOwn(cube.dimensions, name) ? cube.dimensions[name] : undefined;
}

function virtualDimension(cube: string, name: string, source: Dimension | undefined, sql: SqlTemplate): Dimension {
  const type = source?.type ?? 'string';
  return {
    kind: 'dimension',
    name,
    path: `${cube}.${name}`,
    cube,
    title: source?.title ?? name,
    public: true,
    type,
    sql,
    // The build query converted every time to the rollup's time zone before storing it.
    ...(type === 'time' ? { storedAsLocalTime: true } : {}),
    primaryKey: false,
    granularities: source?.granularities ?? [],
    location: source?.location ?? { file: '<rollup>', line: 0 },
  };
}

function virtualMeasure(cube: string, name: string, source: Measure, type: 'sum' | 'min' | 'max' | 'number', sql: SqlTemplate | undefined): Measure {
  return {
    kind: 'measure',
    name,
    path: `${cube}.${name}`,
    cube,
    title: source.title,
    public: true,
    type,
    sql,
    filters: [],
    drillMembers: [],
    format: source.format,
    location: source.location,
  };
}
