/** Every member of /meta by full name, with its kind, so controls can offer and type-check members. */
import type { Meta, MetaCube, MetaMember } from '../api/rest-client.ts';

export type MemberKind = 'measure' | 'dimension' | 'segment';

export interface IndexedMember {
  readonly member: MetaMember;
  readonly kind: MemberKind;
  readonly cube: MetaCube;
}

export function indexMembers(meta: Meta): Map<string, IndexedMember> {
  const index = new Map<string, IndexedMember>();
  for (const cube of meta.cubes) {
    for (const member of cube.measures) index.set(member.name, { member, kind: 'measure', cube });
    for (const member of cube.dimensions) index.set(member.name, { member, kind: 'dimension', cube });
    for (const member of cube.segments) index.set(member.name, { member, kind: 'segment', cube });
  }
  return index;
}

/** Hidden members (isVisible/public false) are not offered, as in Cube's playground. */
export const isShown = (m: { isVisible?: boolean; public?: boolean }): boolean => m.isVisible !== false && m.public !== false;
