/**
 * The queryable surface of the model as GraphQL sees it: one entry per public cube and view,
 * with the members a given security context may use. Views expose their own member names;
 * types come from the cube member a view member points at.
 */
import type { SemanticModel, MeasureType, DimensionType, Member, Cube } from '../../model/model-types.ts';

export interface GraphqlMember {
  readonly name: string; // short name, e.g. "valor_liquido"
  readonly path: string; // "fato_vendas.valor_liquido"
  readonly type: MeasureType | DimensionType;
  readonly description?: string;
}

export interface GraphqlCube {
  readonly name: string; // cube or view name as in the model
  readonly description?: string;
  readonly measures: readonly GraphqlMember[];
  readonly dimensions: readonly GraphqlMember[];
  readonly segments: readonly GraphqlMember[];
}

/** Decides whether a member path is visible to the caller (access policy); all public by default. */
export type MemberVisibility = (memberPath: string) => boolean;

export function listGraphqlCubes(model: SemanticModel, isVisible: MemberVisibility = () => true): GraphqlCube[] {
  const cubes: GraphqlCube[] = [];
  for (const cube of Object.values(model.cubes)) {
    if (!cube.public) continue;
    const keep = <T extends { public: boolean; path: string }>(m: T) => m.public && isVisible(m.path);
    cubes.push({
      name: cube.name,
      description: cube.description,
      measures: Object.values(cube.measures).filter(keep).map((m) => ({ name: m.name, path: m.path, type: m.type, description: m.description })),
      dimensions: Object.values(cube.dimensions).filter(keep).map((d) => ({ name: d.name, path: d.path, type: d.type, description: d.description })),
      segments: Object.values(cube.segments).filter(keep).map((s) => ({ name: s.name, path: s.path, type: 'string' as const, description: s.description })),
    });
  }
  for (const view of Object.values(model.views)) {
    if (!view.public) continue;
    const measures: GraphqlMember[] = [];
    const dimensions: GraphqlMember[] = [];
    const segments: GraphqlMember[] = [];
    for (const member of Object.values(view.members)) {
      if (!isVisible(member.path)) continue;
      const [cubeName, memberName] = splitPath(member.target);
      const cube = model.cubes[cubeName];
      const target = cube ? findCubeMember(cube, memberName) : undefined;
      if (!target) continue;
      const type = target.kind === 'segment' ? ('string' as const) : target.type;
      const entry = { name: member.name, path: member.path, type, description: member.description ?? target.description };
      if (member.kind === 'measure') measures.push(entry);
      else if (member.kind === 'dimension') dimensions.push(entry);
      else segments.push(entry);
    }
    cubes.push({ name: view.name, description: view.description, measures, dimensions, segments });
  }
  return cubes.filter((c) => c.measures.length + c.dimensions.length > 0);
}

export function splitPath(path: string): [string, string] {
  const dot = path.indexOf('.');
  return [path.slice(0, dot), path.slice(dot + 1)];
}

function findCubeMember(cube: Cube, name: string): Member | undefined {
  if (Object.hasOwn(cube.measures, name)) return cube.measures[name];
  if (Object.hasOwn(cube.dimensions, name)) return cube.dimensions[name];
  if (Object.hasOwn(cube.segments, name)) return cube.segments[name];
  return undefined;
}
