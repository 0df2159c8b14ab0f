/**
 * A rollup definition for a query no pre-aggregation serves (`/v1/explain`'s `suggestion`): the
 * query's measures (a calculated `number` measure as the measures it composes), its dimensions
 * and the dimensions it filters on, its segments, its time dimension at its granularity (days for
 * a date range without one), partitioned by month. Written in the model's YAML syntax and as data.
 *
 * A suggestion is offered only when the matching rules (match-rollup.ts, the same code /load uses)
 * accept it for this query, so adding it to the model and building it serves the query. Measures a
 * rollup cannot hold (rolling windows, multi-stage, `number` measures over columns) and queries no
 * rollup serves (ungrouped, several cubes' measures, security-context SQL) get a reason instead.
 * Non-additive measures (count_distinct) are included with a caveat: such a rollup serves them
 * only to queries grouped exactly like it.
 */
import type { Cube, Measure, PreAggregation, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery } from '../query/query-types.ts';
import type { RollupSuggestion } from '../engine/engine-types.ts';
import { rollupProblems } from './match-rollup.ts';
import { measureFilterDimensions } from './measure-filter-dimensions.ts';

const ADDITIVE = new Set(['count', 'sum', 'min', 'max', 'avg']);
const NON_ADDITIVE = new Set(['count_distinct', 'count_distinct_approx']);
/** Stored granularities tried, after the query's own, until the date ranges fall on whole buckets. */
const FALLBACK_GRANULARITIES = ['day', 'hour', 'minute', 'second'];

export function suggestRollup(query: NormalizedQuery, model: SemanticModel): { suggestion: RollupSuggestion } | { reason: string } {
  if (query.ungrouped) return { reason: 'an ungrouped query reads rows: no rollup serves it' };
  const cubeNames = new Set(query.measures.map((m) => m.member.cube));
  if (cubeNames.size === 0) return { reason: 'a query without measures is not served by rollups' };
  if (cubeNames.size > 1) return { reason: `the query's measures come from several cubes (${[...cubeNames].join(', ')}); rollup_join is not supported` };
  const cube = model.cubes[[...cubeNames][0]!];
  if (!cube) return { reason: 'the measures\' cube is not in the model' };

  const measures: string[] = [];
  const caveats: string[] = [];
  const filteredMeasures = memberFilters(query.filters).filter((f) => f.target.member.kind === 'measure').map((f) => f.target.member as Measure);
  for (const measure of [...query.measures.map((m) => m.member), ...filteredMeasures]) {
    const problem = collectMeasure(measure, cube, measures, caveats, 0);
    if (problem) return { reason: problem };
  }
  const conditionDimensions: string[] = [];
  for (const { target } of measureFilters(query.filters)) {
    const read = measureFilterDimensions(target.member, cube);
    if (!read) return { reason: `the measureFilter on ${target.alias} reads more than dimensions of ${cube.name} a rollup can store` };
    conditionDimensions.push(...read);
  }
  const dimensions = unique([
    ...query.dimensions.map((d) => d.member.path),
    ...memberFilters(query.filters).filter((f) => f.target.member.kind === 'dimension').map((f) => f.target.member.path),
    ...conditionDimensions,
  ]);
  const policyDimensions = unique(memberFilters(query.rowFilters ?? []).map((f) => f.target.member.path)).filter((path) => !query.dimensions.some((d) => d.member.path === path));
  if (policyDimensions.length > 0) {
    caveats.push(`${policyDimensions.join(', ')} ${policyDimensions.length > 1 ? 'are' : 'is'} in the rollup because the caller's access policy filters on ${policyDimensions.length > 1 ? 'them' : 'it'}: without ${policyDimensions.length > 1 ? 'them' : 'it'} the rollup could not serve this caller`);
  }
  const segments = unique(query.segments.map((s) => s.member.path));
  const timeDimensions = unique(query.timeDimensions.map((td) => td.target.member.path));
  if (timeDimensions.length > 1) return { reason: `the query uses ${timeDimensions.length} time dimensions; a rollup has one` };
  const timezone = query.timezone;
  const base = {
    cube: cube.name,
    type: 'rollup' as const,
    measures,
    dimensions,
    segments,
    indexes: [],
    scheduledRefresh: true,
    allowNonStrictDateRangeMatch: false,
    rollups: [],
    refreshKey: { every: '1 hour', ...(timezone !== 'UTC' ? { timezone } : {}) },
    location: { file: '(suggested)', line: 1 },
  };
  const td = timeDimensions[0];
  const wanted = query.timeDimensions.find((t) => t.granularity)?.granularity;
  const tries = td ? unique([...(wanted ? [wanted] : []), ...FALLBACK_GRANULARITIES]) : [undefined];
  let problems: string[] = [];
  for (const granularity of tries) {
    const rollup: PreAggregation = {
      ...base,
      name: uniqueName(cube, nameFor(cube, dimensions, granularity)),
      timeDimensions: td && granularity ? [{ dimension: td, granularity }] : [],
      ...(td && granularity ? { partitionGranularity: granularity === 'quarter' || granularity === 'year' ? 'year' : 'month' } : {}),
    };
    problems = rollupProblems(query, cube, rollup).map((p) => p.message);
    if (problems.length === 0) {
      if (caveats.length > 0 && td && granularity !== wanted) caveats.push(`stored by ${granularity}: queries at other granularities re-aggregate, which the non-additive measures refuse`);
      return { suggestion: { cube: cube.name, name: rollup.name, yaml: toYaml(cube, rollup), definition: toDefinition(cube, rollup), caveats } };
    }
  }
  const nonAdditive = caveats.filter((c) => c.includes('is not additive'));
  return { reason: `no rollup can serve this query: ${problems.join('; ')}${nonAdditive.length > 0 ? ` (${nonAdditive.join('; ')}; a filter on a dimension the query does not group by, or a date range without a granularity, changes the grouping)` : ''}` };
}

/** Adds the stored measures behind `measure`; returns why a rollup cannot hold it. */
function collectMeasure(measure: Measure, cube: Cube, into: string[], caveats: string[], depth: number): string | undefined {
  if (depth > 10) return `measure ${measure.path} is nested too deeply`;
  if (measure.rollingWindow || measure.type === 'running_total' || measure.multiStage) return `measure ${measure.path} (rolling window or multi-stage) is always computed from the source`;
  if (ADDITIVE.has(measure.type) || NON_ADDITIVE.has(measure.type)) {
    if (!into.includes(measure.path)) into.push(measure.path);
    if (NON_ADDITIVE.has(measure.type)) {
      const caveat = `${measure.path} (${measure.type}) is not additive: the rollup serves it only to queries grouped by exactly its dimensions and granularity`;
      if (!caveats.includes(caveat)) caveats.push(caveat);
    }
    return undefined;
  }
  if (measure.type === 'number' && measure.sql && measure.sql.every((p) => p.kind === 'member' || p.kind === 'text')) {
    const references = measure.sql.filter((p) => p.kind === 'member').map((p) => (p as { path: string }).path);
    if (references.length === 0) return `number measure ${measure.path} composes no measures: it reads columns a rollup does not keep`;
    for (const path of references) {
      const [cubeName, name] = path.split('.') as [string, string];
      const leaf = cubeName === cube.name ? cube.measures[name] : undefined;
      if (!leaf) return `number measure ${measure.path} uses ${path}, which is not a measure of ${cube.name}`;
      const problem = collectMeasure(leaf, cube, into, caveats, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  return `measure ${measure.path} (${measure.type}) reads columns a rollup does not keep`;
}

function memberFilters(filters: readonly NormalizedFilter[]): Extract<NormalizedFilter, { kind: 'member' }>[] {
  return filters.flatMap((f) => (f.kind === 'member' ? [f] : f.kind === 'measureFilter' ? [] : memberFilters(f.filters)));
}

function measureFilters(filters: readonly NormalizedFilter[]): Extract<NormalizedFilter, { kind: 'measureFilter' }>[] {
  return filters.flatMap((f) => (f.kind === 'measureFilter' ? [f] : f.kind === 'member' ? [] : measureFilters(f.filters)));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** `auto_<dimensions>_<granularity>`, from the members' own names (a readable default to rename). */
function nameFor(cube: Cube, dimensions: readonly string[], granularity: string | undefined): string {
  const parts = dimensions.map((d) => (d.startsWith(`${cube.name}.`) ? d.slice(cube.name.length + 1) : d.replace('.', '_')));
  const name = ['auto', ...parts, ...(granularity ? [granularity] : [])].join('_').replace(/[^A-Za-z0-9_]/g, '_');
  return name.length <= 60 ? name : name.slice(0, 60);
}

function uniqueName(cube: Cube, name: string): string {
  let candidate = name;
  for (let i = 2; cube.preAggregations[candidate]; i++) candidate = `${name}_${i}`;
  return candidate;
}

/** A member as the cube's own YAML names it: bare for the cube's members, `cube.member` for joined ones. */
function local(cube: Cube, path: string): string {
  return path.startsWith(`${cube.name}.`) ? path.slice(cube.name.length + 1) : path;
}

function toDefinition(cube: Cube, rollup: PreAggregation): Record<string, unknown> {
  const td = rollup.timeDimensions[0];
  return {
    name: rollup.name,
    type: 'rollup',
    measures: rollup.measures.map((m) => local(cube, m)),
    dimensions: rollup.dimensions.map((d) => local(cube, d)),
    ...(rollup.segments.length > 0 ? { segments: rollup.segments.map((s) => local(cube, s)) } : {}),
    ...(td ? { time_dimension: local(cube, td.dimension), granularity: td.granularity, partition_granularity: rollup.partitionGranularity } : {}),
    refresh_key: { every: rollup.refreshKey?.every, ...(rollup.refreshKey?.timezone ? { timezone: rollup.refreshKey.timezone } : {}) },
  };
}

/** The definition as a `pre_aggregations:` block to paste under the cube (flow lists, as the model writes them). */
function toYaml(cube: Cube, rollup: PreAggregation): string {
  const definition = toDefinition(cube, rollup);
  const lines = ['pre_aggregations:'];
  let first = true;
  for (const [key, value] of Object.entries(definition)) {
    const prefix = first ? '  - ' : '    ';
    first = false;
    if (Array.isArray(value)) lines.push(`${prefix}${key}: [${value.map(scalar).join(', ')}]`);
    else if (value && typeof value === 'object') {
      lines.push(`${prefix}${key}:`);
      for (const [k, v] of Object.entries(value)) lines.push(`      ${k}: ${scalar(v)}`);
    } else lines.push(`${prefix}${key}: ${scalar(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A YAML scalar: plain when safe, double-quoted otherwise. */
function scalar(value: unknown): string {
  const text = String(value);
  return /^[A-Za-z_][A-Za-z0-9_.]*$|^\d+ [a-z]+$/.test(text) && !/^(true|false|null|yes|no|on|off)$/i.test(text) ? text : JSON.stringify(text);
}
