/**
 * Finds the cube member behind a name in a query: `Cube.member` or `View.member` (a view member
 * points at a cube member along the view's join path). Unknown names and hidden members are
 * user errors naming the member.
 *
 * Names come from the caller, so every lookup is an own-property lookup (`ownEntry`): the model's
 * records are plain objects, and `__proto__`, `constructor` or `toString` must be unknown members,
 * not the prototype's properties.
 */
import type { Dimension, Measure, Segment, SemanticModel } from '../model/model-types.ts';
import type { ResolvedMember } from './query-types.ts';
import { UserError } from '../errors/user-error.ts';

type AnyMember = Measure | Dimension | Segment;
type Kind = AnyMember['kind'];

/** Resolves `name` to a member of `kind`; `where` says which part of the query named it. */
export function resolveMember<K extends Kind>(model: SemanticModel, name: unknown, kind: K, where: string): ResolvedMember<Extract<AnyMember, { kind: K }>> {
  const resolved = resolveAnyMember(model, name, where);
  if (resolved.member.kind !== kind) {
    throw new UserError('QUERY_INVALID', `${where}: ${resolved.alias} is a ${resolved.member.kind}, not a ${kind}`);
  }
  return resolved as ResolvedMember<Extract<AnyMember, { kind: K }>>;
}

/** Resolves a measure or a dimension (filters and order accept both). */
export function resolveAnyMember(model: SemanticModel, name: unknown, where: string): ResolvedMember<AnyMember> {
  if (typeof name !== 'string') throw new UserError('QUERY_INVALID', `${where}: member name must be a string, got ${JSON.stringify(name)}`);
  const dot = name.indexOf('.');
  const owner = dot > 0 ? name.slice(0, dot) : '';
  const short = dot > 0 ? name.slice(dot + 1) : '';
  const cube = ownEntry(model.cubes, owner);
  if (cube) {
    const member = ownEntry(cube.measures, short) ?? ownEntry(cube.dimensions, short) ?? ownEntry(cube.segments, short);
    if (!member) throw unknown(name, where);
    if (!member.public || !cube.public) throw hidden(name, where);
    return { alias: name, member, joinPath: [] };
  }
  const view = ownEntry(model.views, owner);
  const viewMember = view ? ownEntry(view.members, short) : undefined;
  if (!view || !viewMember) throw unknown(name, where);
  if (viewMember.public === false || !view.public) throw hidden(name, where);
  const [targetCube, targetName] = splitPath(viewMember.target);
  const c = ownEntry(model.cubes, targetCube);
  const member = c ? (ownEntry(c.measures, targetName) ?? ownEntry(c.dimensions, targetName) ?? ownEntry(c.segments, targetName)) : undefined;
  if (!member) throw unknown(`${name} (→ ${viewMember.target})`, where);
  return { alias: name, member, joinPath: viewMember.joinPath };
}

/** `record[key]` when `key` is the record's own property; never a value inherited from Object.prototype. */
function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function splitPath(path: string): [string, string] {
  const dot = path.indexOf('.');
  return [path.slice(0, dot), path.slice(dot + 1)];
}

function unknown(name: string, where: string): UserError {
  return new UserError('UNKNOWN_MEMBER', `${where}: ${name} not found`, { hint: 'Member names are Cube.member or View.member, as /v1/meta lists them.' });
}

function hidden(name: string, where: string): UserError {
  return new UserError('HIDDEN_MEMBER', `${where}: ${name} is hidden (public: false) and cannot be queried`);
}
