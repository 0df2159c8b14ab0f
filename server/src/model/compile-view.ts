/**
 * Compiles a view: `cubes: [{ join_path, includes, excludes, prefix, alias }]`, `folders`, access
 * policies. Each included member becomes a `ViewMember` pointing at its cube member and carrying the
 * join path the view declares. Titles follow Cube: "<view title> <member title>".
 *
 * Choices (Cube's docs leave them implicit): a member listed by name is public; members brought by
 * `includes: "*"` keep their cube member's `public` flag, so hidden keys stay hidden. View-level
 * `measures`/`dimensions` (Cube's newer planner: switch dimensions, multi-stage case measures) are
 * skipped with a warning. `extends` copies the parent view's members first.
 * Reference: https://cube.dev/docs/reference/data-model/view
 */
import { compileAccessPolicies } from './compile-access-policy.ts';
import type { CompileContext } from './compile-context.ts';
import type { ViewDefinition } from './collect-definitions.ts';
import { compileFolders } from './compile-folders.ts';
import type { Cube, Member, View, ViewMember } from './model-types.ts';
import { NodeReader } from './node-reader.ts';
import { titleize } from './titleize.ts';

/** Compiles `definition` against the compiled cubes; `parent` is the compiled view it `extends`. */
export function compileView(definition: ViewDefinition, cubes: Readonly<Record<string, Cube>>, ctx: CompileContext, parent?: View): View {
  const { name, reader } = definition;
  const title = reader.string('title') ?? titleize(name);
  const members: Record<string, ViewMember> = {};
  // Cube's view `extends`: the parent's members first, renamed into this view.
  for (const member of Object.values(parent?.members ?? {})) {
    const shortTitle = member.shortTitle ?? member.name;
    members[member.name] = { ...member, path: `${name}.${member.name}`, title: `${title} ${shortTitle}` };
  }
  for (const item of reader.mapItems('cubes', 'view_cube', (_, i) => `${name}.cubes[${i}]`)) {
    for (const member of includedMembers(item, name, title, cubes, ctx)) {
      const existing = members[member.name];
      // Cube de-duplicates a member listed twice the same way; a name meaning two things is an error.
      if (existing && !sameViewMember(existing, member)) {
        item.error(`duplicate view member "${member.name}": it would show both ${existing.target} and ${member.target}${existing.target === member.target ? ' with different options' : ''} (use prefix or alias)`, 'includes');
        continue;
      }
      if (!existing) members[member.name] = member;
    }
  }
  for (const kind of ['measures', 'dimensions', 'segments'] as const) {
    if (reader.has(kind)) reader.warn(`view-level ${kind} are only run by Cube's newer planner; skipped`, kind);
  }
  const description = reader.string('description') ?? parent?.description;
  const meta = reader.plainObject('meta') ?? parent?.meta;
  const visible = reader.boolean('public') ?? reader.boolean('shown') ?? parent?.public ?? true;
  const folders = compileFolders(reader, name, (member) => members[member] !== undefined);
  return {
    name,
    title,
    ...(description !== undefined ? { description } : {}),
    ...(meta !== undefined ? { meta } : {}),
    public: visible,
    members,
    accessPolicies: compileAccessPolicies(reader, name, ctx, (member) => members[member] !== undefined),
    location: reader.location,
    ...(folders ? { folders } : {}),
  };
}

/** Two inclusions of one member that read alike (same target, path, options): one member. */
function sameViewMember(a: ViewMember, b: ViewMember): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function readJoinPath(item: NodeReader, cubes: Readonly<Record<string, Cube>>): string[] | undefined {
  const text = item.string('join_path', true);
  if (text === undefined) return undefined;
  const path = text.split('.');
  for (const cube of path) {
    if (!cubes[cube]) {
      item.error(`join_path "${text}": unknown cube "${cube}"`, 'join_path');
      return undefined;
    }
  }
  for (let i = 1; i < path.length; i++) {
    const [from, to] = [path[i - 1]!, path[i]!];
    const joined = cubes[from]!.joins.some((j) => j.name === to) || cubes[to]!.joins.some((j) => j.name === from);
    if (!joined) {
      item.error(`join_path "${text}": no join between ${from} and ${to}`, 'join_path');
      return undefined;
    }
  }
  return path;
}

function includedMembers(item: NodeReader, view: string, viewTitle: string, cubes: Readonly<Record<string, Cube>>, ctx: CompileContext): ViewMember[] {
  const joinPath = readJoinPath(item, cubes);
  const prefix = item.boolean('prefix') ?? false;
  const alias = item.string('alias');
  item.boolean('split');
  const excludes = new Set((item.stringList('excludes') ?? []).map((e) => e.value));
  if (!joinPath) return [];
  const cube = cubes[joinPath[joinPath.length - 1]!]!;
  const all: Record<string, Member> = { ...cube.measures, ...cube.dimensions, ...cube.segments };
  const wanted: { member: Member; explicit: boolean; options?: NodeReader }[] = [];
  const includes = item.raw('includes');
  if (includes === undefined || (includes.kind === 'scalar' && includes.value === '*')) {
    for (const member of Object.values(all)) wanted.push({ member, explicit: false });
  } else if (includes.kind === 'seq') {
    for (const entry of includes.items) {
      const options = entry.kind === 'map' ? new NodeReader(entry, 'view_include', `${view} includes`, ctx.sink) : undefined;
      const memberName = options ? options.string('name', true) : entry.kind === 'scalar' && typeof entry.value === 'string' ? entry.value : undefined;
      if (memberName === undefined) {
        if (!options) ctx.sink.error('includes items must be member names or { name, alias }', entry.location, view);
        continue;
      }
      const member = all[memberName];
      if (!member) {
        ctx.sink.error(`includes unknown member "${memberName}" of cube ${cube.name}`, entry.location, `${view}.${memberName}`);
        continue;
      }
      wanted.push({ member, explicit: true, ...(options ? { options } : {}) });
    }
  } else {
    item.error('"includes" must be "*" or a list of members', 'includes');
  }
  for (const name of excludes) if (!all[name]) item.error(`excludes unknown member "${name}" of cube ${cube.name}`, 'excludes');
  return wanted
    .filter(({ member }) => !excludes.has(member.name))
    .map(({ member, explicit, options }) => viewMember(member, view, viewTitle, joinPath, explicit, prefix ? `${alias ?? cube.name}_` : '', options));
}

function viewMember(
  member: Member,
  view: string,
  viewTitle: string,
  joinPath: readonly string[],
  explicit: boolean,
  prefix: string,
  options: NodeReader | undefined,
): ViewMember {
  const name = prefix + (options?.string('alias') ?? member.name);
  const ownTitle = member.shortTitle !== undefined && member.shortTitle !== titleize(member.name) ? member.shortTitle : undefined;
  const shortTitle = options?.string('title') ?? ownTitle ?? titleize(name);
  const description = options?.string('description') ?? member.description;
  const format = options?.string('format') ?? member.format;
  const meta = options?.plainObject('meta') ?? member.meta;
  return {
    name,
    path: `${view}.${name}`,
    target: member.path,
    joinPath,
    kind: member.kind,
    title: `${viewTitle} ${shortTitle}`,
    shortTitle,
    ...(description !== undefined ? { description } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(meta !== undefined ? { meta } : {}),
    public: explicit ? true : member.public,
  };
}
