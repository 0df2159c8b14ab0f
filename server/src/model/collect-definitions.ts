/**
 * First compiler pass: finds every cube and view of every file, checks names (identifier syntax,
 * duplicates across files, duplicate members) and applies `extends`, so later passes see each cube's
 * effective member list. Nothing is compiled to SQL here.
 */
import type { SourceLocation } from './model-types.ts';
import { NodeReader, peekName } from './node-reader.ts';
import type { ProblemSink } from './problems.ts';
import { IDENTIFIER } from './schema-keys.ts';
import type { YMap } from './yaml-tree.ts';

export type MemberKind = 'measures' | 'dimensions' | 'segments';
export const MEMBER_KINDS: readonly MemberKind[] = ['measures', 'dimensions', 'segments'];

/** A member declaration as found in YAML, with the cube whose file declared it. */
export interface MemberSource {
  readonly name: string;
  readonly node: YMap;
  readonly declaredIn: string;
}

/** A cube after `extends`: own properties first, then the ancestors'. */
export interface CubeDefinition {
  readonly name: string;
  readonly reader: NodeReader;
  /** The cube and its ancestors, nearest first, for inherited cube-level properties. */
  readonly chain: readonly NodeReader[];
  readonly members: Readonly<Record<MemberKind, ReadonlyMap<string, MemberSource>>>;
  readonly joins: ReadonlyMap<string, YMap>;
  readonly preAggregations: ReadonlyMap<string, YMap>;
  readonly extends?: string;
}

/** A view as found in YAML. */
export interface ViewDefinition {
  readonly name: string;
  readonly reader: NodeReader;
}

export interface Definitions {
  readonly cubes: ReadonlyMap<string, CubeDefinition>;
  readonly views: ReadonlyMap<string, ViewDefinition>;
}

/** Reads the top level of every parsed file and resolves `extends`. */
export function collectDefinitions(files: readonly { file: string; root: YMap | undefined; location: SourceLocation }[], sink: ProblemSink): Definitions {
  const cubeReaders = new Map<string, NodeReader>();
  const views = new Map<string, ViewDefinition>();
  const seen = new Map<string, SourceLocation>();
  for (const { root, location } of files) {
    if (!root) continue;
    const top = new NodeReader(root, 'file', location.file, sink);
    for (const [key, kind] of [['cubes', 'cube'], ['views', 'view']] as const) {
      for (const item of top.mapItems(key, kind, (node, i) => peekName(node) ?? `${key}[${i}]`)) {
        const name = item.string('name', true);
        if (name === undefined) continue;
        if (!IDENTIFIER.test(name)) {
          item.error(`invalid ${kind} name "${name}": use letters, digits and underscores, not starting with a digit`, 'name');
          continue;
        }
        const previous = seen.get(name);
        if (previous) {
          item.error(`duplicate name "${name}": a cube or view of that name is already defined at ${previous.file}:${previous.line}`, 'name');
          continue;
        }
        seen.set(name, item.location);
        if (kind === 'cube') cubeReaders.set(name, item);
        else views.set(name, { name, reader: item });
      }
    }
  }
  const cubes = new Map<string, CubeDefinition>();
  for (const name of cubeReaders.keys()) resolveCube(name, cubeReaders, cubes, [], sink);
  return { cubes, views };
}

function resolveCube(
  name: string,
  readers: ReadonlyMap<string, NodeReader>,
  done: Map<string, CubeDefinition>,
  stack: string[],
  sink: ProblemSink,
): CubeDefinition | undefined {
  const existing = done.get(name);
  if (existing) return existing;
  const reader = readers.get(name)!;
  if (stack.includes(name)) {
    reader.error(`circular extends: ${[...stack, name].join(' → ')}`, 'extends');
    return undefined;
  }
  const parentName = reader.string('extends');
  let parent: CubeDefinition | undefined;
  if (parentName !== undefined) {
    if (!readers.has(parentName)) reader.error(`extends unknown cube "${parentName}"`, 'extends');
    else parent = resolveCube(parentName, readers, done, [...stack, name], sink);
    if (done.has(name)) return done.get(name);
  }
  const own = ownMembers(reader, sink);
  const members = {} as Record<MemberKind, Map<string, MemberSource>>;
  const ownNames = new Set(MEMBER_KINDS.flatMap((kind) => [...own[kind].keys()]));
  for (const kind of MEMBER_KINDS) {
    // Cube's extends: the child's member of the same name replaces the parent's, whatever its kind.
    const inherited = [...(parent?.members[kind] ?? [])].filter(([memberName]) => !ownNames.has(memberName));
    members[kind] = new Map([...inherited, ...own[kind]]);
  }
  const definition: CubeDefinition = {
    name,
    reader,
    chain: [reader, ...(parent?.chain ?? [])],
    members,
    joins: new Map([...(parent?.joins ?? []), ...namedItems(reader, 'joins')]),
    preAggregations: new Map([...(parent?.preAggregations ?? []), ...namedItems(reader, 'pre_aggregations')]),
    ...(parentName !== undefined && parent ? { extends: parentName } : {}),
  };
  done.set(name, definition);
  return definition;
}

function ownMembers(reader: NodeReader, sink: ProblemSink): Record<MemberKind, Map<string, MemberSource>> {
  const out = { measures: new Map(), dimensions: new Map(), segments: new Map() } as Record<MemberKind, Map<string, MemberSource>>;
  const kindOf = new Map<string, MemberKind>();
  // In file order, so a duplicate is reported where it appears last, whatever its kind.
  const items = MEMBER_KINDS.flatMap((kind) => (reader.seq(kind)?.items ?? []).map((item) => ({ kind, item })));
  items.sort((a, b) => a.item.location.line - b.item.location.line || (a.item.location.column ?? 0) - (b.item.location.column ?? 0));
  for (const { kind, item } of items) {
    if (item.kind !== 'map') {
      sink.error(`items of "${kind}" must be mappings`, item.location, reader.member);
      continue;
    }
    const name = peekName(item);
    const label = `${reader.member}.${name ?? '?'}`;
    if (name === undefined) {
      sink.error(`a member of "${kind}" has no name`, item.location, label);
      continue;
    }
    if (!IDENTIFIER.test(name)) {
      sink.error(`invalid member name "${name}": use letters, digits and underscores, not starting with a digit`, item.location, label);
      continue;
    }
    const clash = kindOf.get(name);
    if (clash) {
      sink.error(`duplicate member name "${name}" (already declared in ${clash} of cube ${reader.member})`, item.location, label);
      continue;
    }
    kindOf.set(name, kind);
    out[kind].set(name, { name, node: item, declaredIn: reader.member });
  }
  return out;
}

function namedItems(reader: NodeReader, key: 'joins' | 'pre_aggregations'): Map<string, YMap> {
  const out = new Map<string, YMap>();
  const seq = reader.seq(key);
  for (const item of seq?.items ?? []) {
    if (item.kind !== 'map') {
      reader.error(`items of "${key}" must be mappings`, key);
      continue;
    }
    const name = peekName(item);
    if (name === undefined) {
      reader.error(`an item of "${key}" has no name`, key);
      continue;
    }
    if (out.has(name)) {
      const what = key === 'joins' ? 'join to' : 'pre-aggregation';
      reader.error(`duplicate ${what} "${name}" in cube ${reader.member}`, key);
      continue;
    }
    out.set(name, item);
  }
  return out;
}
