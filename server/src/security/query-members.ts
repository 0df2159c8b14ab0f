/**
 * Every member a normalized query names — measures, dimensions, segments, time dimensions, filter
 * leaves and order keys — with the cube member behind it: what member-level access is checked on.
 */
import type { Dimension, Measure, Segment, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import { resolveAnyMember } from '../query/resolve-member.ts';

type AnyMember = Measure | Dimension | Segment;

export function queryMembers(model: SemanticModel, query: NormalizedQuery): ResolvedMember<AnyMember>[] {
  const members: ResolvedMember<AnyMember>[] = [
    ...query.measures,
    ...query.dimensions,
    ...query.segments,
    ...query.timeDimensions.map((td) => td.target),
    ...query.filters.flatMap(filterMembers),
  ];
  const named = new Set(members.map((m) => m.alias));
  for (const { alias } of query.order) {
    // Order keys are `member` or `member.granularity`; those already named need no lookup.
    const parts = alias.split('.');
    const name = parts.length === 3 ? `${parts[0]}.${parts[1]}` : alias;
    if (!named.has(name)) members.push(resolveAnyMember(model, name, 'order'));
  }
  return members;
}

export function filterMembers(filter: NormalizedFilter): ResolvedMember<Measure | Dimension>[] {
  return filter.kind === 'member' || filter.kind === 'measureFilter' ? [filter.target] : filter.filters.flatMap(filterMembers);
}
