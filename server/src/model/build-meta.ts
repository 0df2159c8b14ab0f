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
 * View members carry `aliasMember`, the cube member they stand for, as Cube's do.
 *
 * `extended` (`/v1/meta?extended`, what model browsers and lineage tools read) adds, as Cube's
 * extended meta does, each member's `sql` (and a measure's `filters`), each cube's `sql` or
 * `sqlTable`, `fileName`, `refreshKey`, `joins` and `preAggregations`. The SQL is written back as
 * model source (`{CUBE}.status`, `{amount}`). A member's SQL is shown only to callers who may
 * use that member: an access policy that hides a member hides how it is computed too.
 */
import { connectedComponents } from './join-graph.ts';
import { drillMembersOf, type DrillMembers } from './drill-members.ts';
import type { Cube, Dimension, Folder, Measure, Member, PreAggregation, RefreshKey, Segment, SemanticModel, View, ViewMember } from './model-types.ts';
import { templateSource } from './sql-template.ts';

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

export interface BuildMetaOptions {
  /** Cube's extended meta: members' SQL, cubes' SQL, joins and pre-aggregations. */
  readonly extended?: boolean;
}

/** Builds /v1/meta; `visible` (default: all) hides members per caller. */
export function buildMeta(model: SemanticModel, visible: (memberPath: string) => boolean = () => true, options: BuildMetaOptions = {}): MetaResponse {
  const components = connectedComponents(model);
  const extended = options.extended === true;
  const cubes = Object.values(model.cubes)
    .filter((cube) => grantsAny([...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)], visible))
    .map((cube) => cubeMeta(model, cube, components[cube.name], visible, extended));
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

function measureMeta(measure: Measure, shown: Presentation, drill: DrillMembers): Record<string, unknown> {
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
    drillMembers: drill.drillMembers,
    drillMembersGrouped: drill.drillMembersGrouped,
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

function cubeMeta(model: SemanticModel, cube: Cube, component: number | undefined, visible: (path: string) => boolean, extended: boolean): MetaCube {
  const source = (shown: Presentation, sql: Parameters<typeof templateSource>[0] | undefined): string | undefined =>
    extended && shown.public && sql !== undefined ? templateSource(sql, cube.name) : undefined;
  const measure = (m: Measure): Record<string, unknown> => {
    const shown = presentation(m, cube.public, visible);
    const out = measureMeta(m, shown, drillMembersOf(model, cube.name, m));
    if (!extended || !shown.public) return out;
    return defined({ ...out, sql: source(shown, m.sql), filters: m.filters.length > 0 ? m.filters.map((f) => ({ sql: templateSource(f, cube.name) })) : undefined });
  };
  const dimension = (d: Dimension): Record<string, unknown> => {
    const shown = presentation(d, cube.public, visible);
    return defined({ ...dimensionMeta(d, shown), sql: source(shown, d.sql) });
  };
  const segment = (seg: Segment): Record<string, unknown> => {
    const shown = presentation(seg, cube.public, visible);
    return defined({ ...segmentMeta(shown), sql: source(shown, seg.sql) });
  };
  return defined({
    name: cube.name,
    type: 'cube' as const,
    title: cube.title,
    isVisible: cube.public,
    public: cube.public,
    description: cube.description,
    connectedComponent: component,
    meta: cube.meta,
    measures: Object.values(cube.measures).map(measure),
    dimensions: Object.values(cube.dimensions).map(dimension),
    segments: Object.values(cube.segments).map(segment),
    hierarchies: [],
    folders: flatFolders(cube.folders),
    nestedFolders: [...(cube.folders ?? [])],
    ...(extended ? cubeSource(cube) : {}),
  });
}

/** What extended meta adds to a cube: where it reads from and how it joins and pre-aggregates. */
function cubeSource(cube: Cube): Record<string, unknown> {
  return {
    sql: cube.sql ? templateSource(cube.sql, cube.name) : undefined,
    sqlTable: cube.sqlTable ? templateSource(cube.sqlTable, cube.name) : undefined,
    extends: cube.extends,
    fileName: cube.location.file,
    dataSource: cube.dataSource,
    refreshKey: cube.refreshKey ? refreshKeySource(cube.refreshKey, cube.name) : undefined,
    joins: cube.joins.map((j) => ({ name: j.name, relationship: j.relationship, sql: templateSource(j.sql, cube.name) })),
    preAggregations: Object.values(cube.preAggregations).map((p) => preAggregationSource(p)),
  };
}

function refreshKeySource(key: RefreshKey, cube: string): Record<string, unknown> {
  return defined({
    every: key.every,
    sql: key.sql ? templateSource(key.sql, cube) : undefined,
    incremental: key.incremental,
    updateWindow: key.updateWindow,
    timezone: key.timezone,
  });
}

function preAggregationSource(p: PreAggregation): Record<string, unknown> {
  const [time] = p.timeDimensions;
  return defined({
    name: p.name,
    type: p.type,
    measures: [...p.measures],
    dimensions: [...p.dimensions],
    segments: p.segments.length > 0 ? [...p.segments] : undefined,
    timeDimension: time?.dimension,
    granularity: time?.granularity,
    timeDimensions: p.timeDimensions.length > 1 ? p.timeDimensions.map((t) => ({ dimension: t.dimension, granularity: t.granularity })) : undefined,
    partitionGranularity: p.partitionGranularity,
    rollups: p.rollups.length > 0 ? [...p.rollups] : undefined,
    refreshKey: p.refreshKey ? refreshKeySource(p.refreshKey, p.cube) : undefined,
    scheduledRefresh: p.scheduledRefresh,
  });
}

function targetOf(model: SemanticModel, path: string): Member | undefined {
  const [cubeName, name] = path.split('.') as [string, string];
  const cube = model.cubes[cubeName];
  return cube?.measures[name] ?? cube?.dimensions[name] ?? cube?.segments[name];
}

function viewMeta(view: View, model: SemanticModel, visible: (path: string) => boolean): MetaCube {
  const members = Object.values(view.members);
  const shown = (member: ViewMember, target: Member): Presentation => ({
    name: member.path,
    title: member.title ?? `${view.title} ${member.name}`,
    shortTitle: member.shortTitle ?? member.name,
    ...(member.description !== undefined ? { description: member.description } : {}),
    ...(member.format !== undefined ? { format: member.format } : {}),
    ...(member.meta !== undefined ? { meta: member.meta } : {}),
    public: view.public && (member.public ?? target.public) && visible(member.path),
  });
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
    if (target.kind === 'measure') out.measures.push({ ...measureMeta(target, shown(member, target), drillMembersOf(model, view.name, target)), aliasMember: member.target });
    else if (target.kind === 'dimension') out.dimensions.push({ ...dimensionMeta(target, shown(member, target)), aliasMember: member.target });
    else out.segments.push({ ...segmentMeta(shown(member, target)), aliasMember: member.target });
  }
  return out;
}

/** Cube's flat folder list: nested folders' members merged into their top-level folder. */
function flatFolders(folders: readonly Folder[] | undefined): { name: string; members: string[] }[] {
  const collect = (folder: Folder): string[] => folder.members.flatMap((m) => (typeof m === 'string' ? [m] : collect(m)));
  return (folders ?? []).map((folder) => ({ name: folder.name, members: [...new Set(collect(folder))] }));
}
