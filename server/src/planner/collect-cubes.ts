/**
 * The cubes a query touches: those of its members, plus cubes their SQL reaches through
 * `{Cube.member}` / `{Cube}` references (e.g. a dimension showing a joined cube's column).
 * With `subQueries`, a `sub_query` dimension is collected there and its SQL is not followed: the
 * cubes it reads are joined inside its own per-key subquery, not in the query's join tree.
 */
import type { Dimension, Measure, Member, SemanticModel, SqlTemplate } from '../model/model-types.ts';

export function collectCubes(model: SemanticModel, members: readonly Member[], into: Set<string> = new Set(), subQueries?: Map<string, Dimension>): Set<string> {
  const seen = new Set<string>();
  const visitTemplate = (template: SqlTemplate | undefined): void => {
    for (const part of template ?? []) {
      if (part.kind === 'cube') into.add(part.cube);
      if (part.kind === 'member') visitPath(part.path);
    }
  };
  const visitMember = (member: Member): void => {
    if (seen.has(member.path)) return;
    seen.add(member.path);
    into.add(member.cube);
    if (subQueries && member.kind === 'dimension' && member.subQuery) {
      subQueries.set(member.path, member);
      return;
    }
    visitTemplate(member.sql);
    if (member.kind === 'measure') member.filters.forEach(visitTemplate);
  };
  const visitPath = (path: string): void => {
    const dot = path.indexOf('.');
    const cube = model.cubes[path.slice(0, dot)];
    const name = path.slice(dot + 1);
    const member = cube?.dimensions[name] ?? cube?.measures[name] ?? cube?.segments[name];
    if (member) visitMember(member);
  };
  members.forEach(visitMember);
  return into;
}

/**
 * What a measureFilter reads, as a member to collect: its measure's cube and what the measure's
 * `filters:` reference, not what the measure aggregates (its `sql` may reach a cube the condition
 * does not need). A path of its own, so the measure itself, when the query also selects it, is
 * still followed in full.
 */
export function measureFilterMember(measure: Measure): Measure {
  return { ...measure, path: `${measure.path}#measureFilter`, sql: undefined };
}
