/**
 * Builds Cube's `/v1/meta` response from the compiled model, in the shape `@cubejs-client/core`'s
 * `Meta` class reads (types.d.ts `MetaResponse`) and Cube's CubeToMetaTransformer produces:
 * members carry `isVisible` and `public` (false when the member or its cube is hidden; primary keys
 * hidden unless shown), measures `aggType`, `cumulative`, `drillMembersGrouped`, time dimensions
 * their custom `granularities`. Optional fields absent from the model are omitted, as Cube's JSON does.
 * `visible(path)` lets the security layer hide members a caller may not use: like Cube's access
 * policies, those stay listed but are marked `isVisible: false, public: false`; a cube or view of
 * which `visible` refuses every member is left out altogether, so a caller granted nothing sees
 * no cube at all (the same rule GraphQL and the SQL API's catalog follow).
 */
import { connectedComponents } from './join-graph.ts';
import type { Cube, Dimension, Folder, Measure, Member, Segment, SemanticModel, View, ViewMember } from './model-types.ts';

/** One cube or view of the /meta response. */
export interface MetaCube {
  name: string;
  title: string;
  type: 'cube' | 'view';
  description?: string;
  meta?: unknown;
  connectedComponent?: number;
  isVisible: boolean;
  public: boolean;
  measures: Record<string, unknown>[];
  dimensions: Record<string, unknown>[];
  segments: Record<string, unknown>[];
  hierarchies: unknown[];
  folders: { name: string; members: string[] }[];
  nestedFolders: Folder[];
}

/** The /v1/meta body. */
export interface MetaResponse {
  cubes: MetaCube[];
}

/** Builds /v1/meta; `visible` (default: all) hides members per caller. */
export function buildMeta(model: SemanticModel, visible: (memberPath: string) => boolean = () => true): MetaResponse {
  const components = connectedComponents(model);
  const cubes = Object.values(model.cubes)
    .filter((cube) => grantsAny([...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)], visible))
    .map((cube) => cubeMeta(cube, components[cube.name], visible));
  const views = Object.values(model.views)
    .filter((view) => grantsAny(Object.values(view.members), visible))
    .map((view) => viewMeta(view, model, visible));
  return { cubes: [...cubes, ...views] };
}

/** False when the owner has members and the caller may use none of them. */
function grantsAny(members: readonly { readonly path: string }[], visible: (memberPath: string) => boolean): boolean {
  return members.length === 0 || members.some((m) => visible(m.path));
}

function defined<T extends Record<string, unknown>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

/** Cube's member data type: aggregates are numbers; string/time/boolean measures keep their type. */
function measureDataType(measure: Measure): string {
  return measure.type === 'string' || measure.type === 'time' || measure.type === 'boolean' ? measure.type : 'number';
}

interface Presentation {
  name: string;
  title: string;
  shortTitle: string;
  description?: string;
  format?: string;
  meta?: unknown;
  public: boolean;
}

function measureMeta(measure: Measure, shown: Presentation, drillMembers: string[], isMeasure: (path: string) => boolean): Record<string, unknown> {
  const cumulative = measure.cumulative ?? (measure.type === 'running_total' || measure.rollingWindow !== undefined);
  return defined({
    name: shown.name,
    title: shown.title,
    description: shown.description,
    shortTitle: shown.shortTitle,
    format: shown.format,
    cumulativeTotal: cumulative,
    cumulative,
    type: measureDataType(measure),
    aggType: measure.type,
    drillMembers,
    drillMembersGrouped: {
      measures: drillMembers.filter(isMeasure),
      dimensions: drillMembers.filter((m) => !isMeasure(m)),
    },
    meta: shown.meta,
    isVisible: shown.public,
    public: shown.public,
  });
}

function dimensionMeta(dimension: Dimension, shown: Presentation): Record<string, unknown> {
  return defined({
    name: shown.name,
    title: shown.title,
    type: dimension.type,
    description: shown.description,
    shortTitle: shown.shortTitle,
    suggestFilterValues: dimension.suggestFilterValues ?? true,
    format: shown.format,
    meta: shown.meta,
    isVisible: shown.public,
    public: shown.public,
    primaryKey: dimension.primaryKey,
    granularities:
      dimension.type === 'time' && dimension.granularities.length > 0
        ? dimension.granularities.map((g) => defined({ name: g.name, title: g.title ?? g.name, interval: g.interval, offset: g.offset, origin: g.origin }))
        : undefined,
  });
}

function segmentMeta(shown: Presentation): Record<string, unknown> {
  return defined({
    name: shown.name,
    title: shown.title,
    shortTitle: shown.shortTitle,
    description: shown.description,
    meta: shown.meta,
    isVisible: shown.public,
    public: shown.public,
  });
}

function presentation(member: Member, cubeVisible: boolean, visible: (path: string) => boolean): Presentation {
  return {
    name: member.path,
    title: member.title,
    shortTitle: member.shortTitle ?? member.name,
    ...(member.description !== undefined ? { description: member.description } : {}),
    ...(member.kind !== 'segment' && member.format !== undefined ? { format: member.format } : {}),
    ...(member.meta !== undefined ? { meta: member.meta } : {}),
    public: cubeVisible && member.public && visible(member.path),
  };
}

function cubeMeta(cube: Cube, component: number | undefined, visible: (path: string) => boolean): MetaCube {
  const isMeasure = (path: string): boolean => path.startsWith(`${cube.name}.`) && cube.measures[path.slice(cube.name.length + 1)] !== undefined;
  return defined({
    name: cube.name,
    type: 'cube' as const,
    title: cube.title,
    isVisible: cube.public,
    public: cube.public,
    description: cube.description,
    connectedComponent: component,
    meta: cube.meta,
    measures: Object.values(cube.measures).map((m) => measureMeta(m, presentation(m, cube.public, visible), [...m.drillMembers], isMeasure)),
    dimensions: Object.values(cube.dimensions).map((d) => dimensionMeta(d, presentation(d, cube.public, visible))),
    segments: Object.values(cube.segments).map((s: Segment) => segmentMeta(presentation(s, cube.public, visible))),
    hierarchies: [],
    folders: flatFolders(cube.folders),
    nestedFolders: [...(cube.folders ?? [])],
  });
}

function targetOf(model: SemanticModel, path: string): Member | undefined {
  const [cubeName, name] = path.split('.') as [string, string];
  const cube = model.cubes[cubeName];
  return cube?.measures[name] ?? cube?.dimensions[name] ?? cube?.segments[name];
}

function viewMeta(view: View, model: SemanticModel, visible: (path: string) => boolean): MetaCube {
  const members = Object.values(view.members);
  const byTarget = new Map(members.map((m) => [m.target, m.path]));
  const shown = (member: ViewMember, target: Member): Presentation => ({
    name: member.path,
    title: member.title ?? `${view.title} ${member.name}`,
    shortTitle: member.shortTitle ?? member.name,
    ...(member.description !== undefined ? { description: member.description } : {}),
    ...(member.format !== undefined ? { format: member.format } : {}),
    ...(member.meta !== undefined ? { meta: member.meta } : {}),
    public: view.public && (member.public ?? target.public) && visible(member.path),
  });
  const isMeasure = (path: string): boolean => view.members[path.slice(view.name.length + 1)]?.kind === 'measure';
  const out: MetaCube = {
    name: view.name,
    type: 'view',
    title: view.title,
    isVisible: view.public,
    public: view.public,
    measures: [],
    dimensions: [],
    segments: [],
    hierarchies: [],
    folders: flatFolders(view.folders),
    nestedFolders: [...(view.folders ?? [])],
  };
  if (view.description !== undefined) out.description = view.description;
  if (view.meta !== undefined) out.meta = view.meta;
  for (const member of members) {
    const target = targetOf(model, member.target);
    if (!target) continue;
    if (target.kind === 'measure') {
      const drill = target.drillMembers.flatMap((p) => (byTarget.has(p) ? [byTarget.get(p)!] : []));
      out.measures.push(measureMeta(target, shown(member, target), drill, isMeasure));
    } else if (target.kind === 'dimension') out.dimensions.push(dimensionMeta(target, shown(member, target)));
    else out.segments.push(segmentMeta(shown(member, target)));
  }
  return out;
}

/** Cube's flat folder list: nested folders' members merged into their top-level folder. */
function flatFolders(folders: readonly Folder[] | undefined): { name: string; members: string[] }[] {
  const collect = (folder: Folder): string[] => folder.members.flatMap((m) => (typeof m === 'string' ? [m] : collect(m)));
  return (folders ?? []).map((folder) => ({ name: folder.name, members: [...new Set(collect(folder))] }));
}
