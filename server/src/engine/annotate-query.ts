/**
 * Cube's `annotation` of a `/load` response and the echo of the normalized query (`query`).
 * https://cube.dev/docs/product/apis-integrations/rest-api/reference#base_pathv1load
 */
import type { Dimension, Measure, Segment, SemanticModel } from '../model/model-types.ts';
import { titleize } from '../model/titleize.ts';
import { drillMembersOf } from '../model/drill-members.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import type { Annotation, MemberAnnotation } from './engine-types.ts';

export function annotateQuery(model: SemanticModel, query: NormalizedQuery): Annotation {
  const measures: Record<string, MemberAnnotation> = {};
  for (const m of answeredMeasures(query)) {
    measures[m.alias] = { ...describe(model, m), type: measureType(m.member), ...drillMembersOf(model, m.alias.slice(0, m.alias.indexOf('.')), m.member) };
  }
  const dimensions: Record<string, MemberAnnotation> = {};
  for (const d of query.dimensions) dimensions[d.alias] = { ...describe(model, d), type: d.member.type };
  const segments: Record<string, MemberAnnotation> = {};
  for (const s of query.segments) segments[s.alias] = { ...describe(model, s), type: 'string' };
  const timeDimensions: Record<string, MemberAnnotation> = {};
  for (const td of query.timeDimensions) {
    if (!td.granularity) continue;
    const base = { ...describe(model, td.target), type: 'time' };
    timeDimensions[`${td.target.alias}.${td.granularity}`] = { ...base, granularity: granularityAnnotation(td.target.member, td.granularity) };
    timeDimensions[td.target.alias] = base;
  }
  return { measures, dimensions, segments, timeDimensions };
}

/**
 * A custom granularity carries its interval and origin or offset, as Cube annotates it: the client
 * needs them to snap a clicked bucket to its date range (`ResultSet.drillDown`, `dayRange().snapTo`).
 */
function granularityAnnotation(dimension: Dimension, name: string): NonNullable<MemberAnnotation['granularity']> {
  const custom = dimension.granularities.find((g) => g.name === name);
  return {
    name,
    title: custom?.title ?? titleize(name),
    ...(custom?.interval !== undefined ? { interval: custom.interval } : {}),
    ...(custom?.origin !== undefined ? { origin: custom.origin } : {}),
    ...(custom?.offset !== undefined ? { offset: custom.offset } : {}),
  };
}

/** Titles as the compiled model carries them (`title` is the full "Cube Member" title, as in /meta). */
function describe(model: SemanticModel, r: ResolvedMember<Measure | Dimension | Segment>): Omit<MemberAnnotation, 'type'> {
  const owner = r.alias.slice(0, r.alias.indexOf('.'));
  const view = model.views[owner];
  const viewMember = view?.members[r.alias.slice(owner.length + 1)];
  const shortTitle = viewMember?.shortTitle ?? r.member.shortTitle ?? r.member.title;
  const title = view ? viewMember?.title ?? `${view.title} ${shortTitle}` : r.member.title;
  return {
    title,
    shortTitle,
    ...(r.member.format ? { format: r.member.format } : {}),
    ...(r.member.meta ? { meta: r.member.meta } : {}),
  };
}

function measureType(m: Measure): string {
  return m.type === 'string' || m.type === 'time' || m.type === 'boolean' ? m.type : 'number';
}


/** The normalized query as Cube echoes it in `query` and in `/v1/dry-run`. */
export function echoQuery(query: NormalizedQuery): Record<string, unknown> {
  return {
    measures: answeredMeasures(query).map((m) => m.alias),
    dimensions: query.dimensions.map((d) => d.alias),
    segments: query.segments.map((s) => s.alias),
    timeDimensions: query.timeDimensions.map((td) => ({
      dimension: td.target.alias,
      ...(td.granularity ? { granularity: td.granularity } : {}),
      ...(td.dateRange ? { dateRange: td.dateRange } : {}),
    })),
    filters: query.filters.map(echoFilter),
    order: query.order.map((o) => ({ id: o.alias, desc: o.direction === 'desc' })),
    limit: query.limit,
    ...(query.offset ? { offset: query.offset } : {}),
    ...(query.total ? { total: true } : {}),
    ...(query.ungrouped ? { ungrouped: true } : {}),
    timezone: query.timezone,
    queryType: 'regularQuery',
  };
}

/** The measures the answer holds: those the order alone asked for are computed, not answered. */
function answeredMeasures(query: NormalizedQuery): NormalizedQuery['measures'] {
  const hidden = query.orderOnlyMeasures;
  return hidden ? query.measures.filter((m) => !hidden.includes(m.alias)) : query.measures;
}

function echoFilter(f: NormalizedFilter): unknown {
  if (f.kind === 'and') return { and: f.filters.map(echoFilter) };
  if (f.kind === 'or') return { or: f.filters.map(echoFilter) };
  if (f.kind === 'measureFilter') return { member: f.target.alias, operator: 'measureFilter' };
  return { member: f.target.alias, operator: f.operator, values: f.values.map(String) };
}
