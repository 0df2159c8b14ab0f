/**
 * Applies the model's access policies to one normalized query — the single place every API's
 * queries pass (the engine calls it between normalization and planning):
 *   1. member level: each member the query names must be granted by the policies of its view (when
 *      named through one) and of the cube behind it; otherwise ACCESS_DENIED (403) naming it;
 *   2. every policed cube or view the query touches — named, reached through a view's join path,
 *      referenced by a member's SQL, or joined by the plan — must have an applicable policy;
 *   3. row level: each touched owner's row filter is AND-ed to the query's filters, so a view,
 *      a join or a filter on another cube cannot widen what a policy allows.
 * Owners are combined with AND (each restricts on its own); Cube's per-group regrouping across
 * cubes is not reproduced because it can let one cube's group filter stand in for another's.
 *
 * The joined cubes come from the engine's own plan of the query (engine/stages/plan-queries.ts,
 * `joinTree`; undefined when the planner refused it, and then nothing runs): the query is planned
 * once, not once here and again to run it.
 */
import type { AccessPolicy, Member, SemanticModel } from '../model/model-types.ts';
import type { NormalizedFilter, NormalizedQuery, ResolvedMember } from '../query/query-types.ts';
import { UserError } from '../errors/user-error.ts';
import { normalizeFilter } from '../query/normalize-filter.ts';
import { collectCubes } from '../planner/collect-cubes.ts';
import type { JoinTree } from '../model/join-graph.ts';
import type { Access } from './access-types.ts';
import { allowsMember, applicablePolicies } from './policy-match.ts';
import { rowAccess } from './row-level-filter.ts';
import { unhiddenModel } from './unhidden-model.ts';
import { filterMembers, queryMembers } from './query-members.ts';

/** No row passes: an empty disjunction renders as FALSE. */
const NO_ROWS: NormalizedFilter = Object.freeze({ kind: 'or', filters: [] });

export function secureQuery(model: SemanticModel, query: NormalizedQuery, access: Access, now: Date, joinTree: JoinTree | undefined): NormalizedQuery {
  if (!hasPolicies(model)) return query;
  const members = queryMembers(model, query);
  for (const member of members) checkMember(model, member, access);
  const owners = touchedOwners(model, joinTree, members);
  const rowFilters: NormalizedFilter[] = [];
  for (const owner of owners) {
    const policies = policiesOf(model, owner);
    if (policies.length === 0) continue;
    if (applicablePolicies(policies, access).length === 0) throw denied(`${owner}`, access, `no access_policy of ${owner} applies`);
    const rows = rowAccess(policies, access);
    if (rows.kind === 'none') rowFilters.push(NO_ROWS);
    if (rows.kind === 'filter') rowFilters.push(resolveRowFilter(model, owner, rows.filter, query, now));
  }
  return rowFilters.length === 0 ? query : { ...query, filters: [...query.filters, ...rowFilters], rowFilters: [...(query.rowFilters ?? []), ...rowFilters] };
}

function hasPolicies(model: SemanticModel): boolean {
  return Object.values(model.cubes).some((c) => c.accessPolicies.length > 0) || Object.values(model.views).some((v) => v.accessPolicies.length > 0);
}

function policiesOf(model: SemanticModel, owner: string): readonly AccessPolicy[] {
  return model.views[owner]?.accessPolicies ?? model.cubes[owner]?.accessPolicies ?? [];
}

function ownerOf(alias: string): string {
  return alias.slice(0, alias.indexOf('.'));
}

function checkMember(model: SemanticModel, member: ResolvedMember<Member>, access: Access): void {
  const owner = ownerOf(member.alias);
  const view = model.views[owner];
  if (view && !allowsMember(view.accessPolicies, access, member.alias)) throw denied(member.alias, access, `access_policy of view ${owner} does not grant it`);
  const cube = model.cubes[member.member.cube];
  if (cube && !allowsMember(cube.accessPolicies, access, member.member.path)) {
    const via = member.alias === member.member.path ? '' : ` (through ${member.member.path})`;
    throw denied(member.alias, access, `access_policy of cube ${cube.name} does not grant it${via}`);
  }
}

/** Views named, and cubes reached by any route: members, join paths, member SQL, the plan's joins. */
function touchedOwners(model: SemanticModel, joinTree: JoinTree | undefined, members: readonly ResolvedMember<Member>[]): string[] {
  const owners = new Set<string>();
  for (const member of members) {
    const owner = ownerOf(member.alias);
    if (model.views[owner]) owners.add(owner);
    owners.add(member.member.cube);
    member.joinPath.forEach((cube) => owners.add(cube));
  }
  collectCubes(model, members.map((m) => m.member), owners);
  // Cubes the planner joins (an intermediate cube of a join path is not named by any member).
  if (joinTree) for (const cube of [joinTree.root, ...joinTree.joins.flatMap((edge) => [edge.from, edge.to])]) owners.add(cube);
  return [...owners];
}

/** Resolves a policy filter against the model with hidden members shown, then back to the real members. */
function resolveRowFilter(model: SemanticModel, owner: string, filter: object, query: NormalizedQuery, now: Date): NormalizedFilter {
  const normalized = normalizeFilter(filter as Record<string, unknown>, { model: unhiddenModel(model), timezone: query.timezone, now }, `access_policy of ${owner}`);
  for (const leaf of filterMembers(normalized)) {
    if (leaf.member.kind === 'measure') throw new UserError('MODEL_INVALID', `access_policy of ${owner}: row_level filter on measure ${leaf.alias}; filter on dimensions`);
  }
  return restoreMembers(model, normalized);
}

function restoreMembers(model: SemanticModel, filter: NormalizedFilter): NormalizedFilter {
  if (filter.kind === 'and' || filter.kind === 'or') return { kind: filter.kind, filters: filter.filters.map((f) => restoreMembers(model, f)) };
  // A measureFilter names a measure: resolveRowFilter refused it before.
  if (filter.kind === 'measureFilter') return filter;
  const { cube, name } = filter.target.member;
  const original = model.cubes[cube]?.dimensions[name] ?? model.cubes[cube]?.measures[name];
  return original ? { ...filter, target: { ...filter.target, member: original } } : filter;
}

function denied(what: string, access: Access, reason: string): UserError {
  const groups = access.groups.length > 0 ? access.groups.join(', ') : 'none';
  const hint = access.groups.length > 0
    ? 'access is granted by the access_policy entries of the model for the groups in the security context'
    : 'the security context belongs to no group, and access is denied by default: send a "groups" claim, or map your claims to groups with contextToGroups in cube.config.ts (docs/security.md)';
  return new UserError('ACCESS_DENIED', `Access denied: ${what} — ${reason} (security context groups: ${groups})`, { hint });
}
