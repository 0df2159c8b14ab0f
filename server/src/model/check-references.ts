/**
 * Whole-model passes that need every cube compiled: `{Cube.sql()}` inlined, reference cycles between members (Cube rejects
 * a member whose SQL reaches itself), dimensions that reference measures without `sub_query`, and
 * Cube's rule that both ends of a join need a primary key when they have measures that a join
 * could multiply (JoinGraph: "primary key for X is required when join is defined").
 */
import type { Cube, Member, SourceLocation } from './model-types.ts';
import type { ProblemSink } from './problems.ts';
import { MULTIPLIED_MEASURE_TYPES } from './schema-keys.ts';
import { referencedMembers } from './sql-template.ts';
import { expandCubeSql } from './expand-cube-sql.ts';

function membersOf(cube: Cube): Member[] {
  return [...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)];
}

// Member lookup by path, built once per model (the checks look members up many times).
const indexes = new WeakMap<object, Map<string, Member>>();

function findMember(cubes: Readonly<Record<string, Cube>>, path: string): Member | undefined {
  let index = indexes.get(cubes);
  if (!index) {
    index = new Map();
    for (const cube of Object.values(cubes)) for (const member of membersOf(cube)) index.set(member.path, member);
    indexes.set(cubes, index);
  }
  return index.get(path);
}

function dependencies(member: Member): string[] {
  const templates = member.kind === 'measure' ? [member.sql ?? [], ...member.filters] : [member.sql];
  return templates.flatMap(referencedMembers);
}

/**
 * Runs every whole-model pass, reporting to `sink`: first inlines `{Cube.sql()}` (which needs
 * every cube compiled; it replaces cubes of the compiler's own, not yet frozen, record), then checks.
 */
export function checkReferences(cubes: Record<string, Cube>, sink: ProblemSink): void {
  expandCubeSql(cubes, sink);
  checkCycles(cubes, sink);
  checkDimensionsReferencingMeasures(cubes, sink);
  checkJoinPrimaryKeys(cubes, sink);
}

function checkCycles(cubes: Readonly<Record<string, Cube>>, sink: ProblemSink): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (path: string, stack: string[]): void => {
    const current = state.get(path);
    if (current === 'done') return;
    if (current === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(path)), path];
      const key = [...new Set(cycle)].sort().join(',');
      if (!reported.has(key)) {
        reported.add(key);
        const first = findMember(cubes, path)!;
        sink.error(`reference cycle: ${cycle.join(' → ')}`, first.location, path);
      }
      return;
    }
    const member = findMember(cubes, path);
    if (!member) return;
    state.set(path, 'visiting');
    for (const next of dependencies(member)) visit(next, [...stack, path]);
    state.set(path, 'done');
  };
  for (const cube of Object.values(cubes)) for (const member of membersOf(cube)) visit(member.path, []);
}

function checkDimensionsReferencingMeasures(cubes: Readonly<Record<string, Cube>>, sink: ProblemSink): void {
  for (const cube of Object.values(cubes)) {
    for (const dimension of Object.values(cube.dimensions)) {
      if (dimension.subQuery) continue;
      const measure = referencedMembers(dimension.sql).find((path) => findMember(cubes, path)?.kind === 'measure');
      if (measure) sink.error(`dimension references measure ${measure}; mark it "sub_query: true" to use a measure as a dimension`, dimension.location, dimension.path);
    }
    for (const segment of Object.values(cube.segments)) {
      const measure = referencedMembers(segment.sql).find((path) => findMember(cubes, path)?.kind === 'measure');
      if (measure) sink.error(`segment references measure ${measure}; segments filter rows and cannot use aggregates`, segment.location, segment.path);
    }
  }
}

function hasMultipliedMeasures(cube: Cube): boolean {
  return Object.values(cube.measures).some((m) => MULTIPLIED_MEASURE_TYPES.has(m.type));
}

function hasPrimaryKey(cube: Cube): boolean {
  return Object.values(cube.dimensions).some((d) => d.primaryKey);
}

function checkJoinPrimaryKeys(cubes: Readonly<Record<string, Cube>>, sink: ProblemSink): void {
  const report = (cube: Cube, location: SourceLocation, via: string): void =>
    sink.error(`cube ${cube.name} needs a primary_key dimension: it is joined (${via}) and has sum/avg/count/number measures that a join could multiply; mark the dimension(s) identifying a row with primary_key: true (several make a composite key)`, location, cube.name);
  for (const cube of Object.values(cubes)) {
    for (const join of cube.joins) {
      const target = cubes[join.name];
      if (!target) continue;
      if (!hasPrimaryKey(cube) && hasMultipliedMeasures(cube)) report(cube, join.location, `${cube.name} → ${join.name}`);
      if (!hasPrimaryKey(target) && hasMultipliedMeasures(target)) report(target, join.location, `${cube.name} → ${join.name}`);
    }
  }
}
