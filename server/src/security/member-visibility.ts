/**
 * Which members a caller may see, for `/meta`, the GraphQL schema and the SQL API's catalog: the
 * same member-level rules `secureQuery` enforces, so nothing listed is refused and nothing refused
 * is listed. `key` names the visible set (not the caller) so schemas built from it can be shared.
 */
import { createHash } from 'node:crypto';
import type { SemanticModel } from '../model/model-types.ts';
import type { Access } from './access-types.ts';
import { allowsMember } from './policy-match.ts';

/** A visibility decision per member path (`Cube.member` or `View.member`). */
export interface MemberVisibilityMask {
  readonly key: string;
  isVisible(memberPath: string): boolean;
}

export function memberVisibility(model: SemanticModel, access: Access): MemberVisibilityMask {
  const hidden = new Set<string>();
  for (const cube of Object.values(model.cubes)) {
    if (cube.accessPolicies.length === 0) continue;
    for (const path of [...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)].map((m) => m.path)) {
      if (!allowsMember(cube.accessPolicies, access, path)) hidden.add(path);
    }
  }
  for (const view of Object.values(model.views)) {
    for (const member of Object.values(view.members)) {
      const targetCube = model.cubes[member.target.slice(0, member.target.indexOf('.'))];
      const allowed = allowsMember(view.accessPolicies, access, member.path) && (!targetCube || allowsMember(targetCube.accessPolicies, access, member.target));
      if (!allowed) hidden.add(member.path);
    }
  }
  const key = hidden.size === 0 ? '*' : createHash('sha256').update([...hidden].sort().join('\n')).digest('hex').slice(0, 32);
  return { key, isVisible: (path) => !hidden.has(path) };
}
