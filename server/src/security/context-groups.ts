/**
 * The default `contextToGroups`: where a security context says which groups its caller belongs to
 * when `cube.config.ts` defines no hook. Cube's own default is "no groups"; reading the usual claims
 * lets a plain JWT (`{ "groups": ["gerente_loja"] }`) drive the model's access policies without code.
 * Claims read, first found wins: `groups`, `group`, `roles`, `role` — each a string array or a
 * comma-separated string.
 */
import type { SecurityContext } from '../engine/engine-types.ts';

const GROUP_CLAIMS = ['groups', 'group', 'roles', 'role'] as const;

export function defaultContextToGroups({ securityContext }: { securityContext: SecurityContext }): string[] {
  for (const claim of GROUP_CLAIMS) {
    const groups = readGroups(securityContext[claim]);
    if (groups) return groups;
  }
  return [];
}

function readGroups(value: unknown): string[] | undefined {
  if (typeof value === 'string') return splitGroups(value);
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string').flatMap(splitGroups);
  return undefined;
}

function splitGroups(text: string): string[] {
  return text.split(',').map((g) => g.trim()).filter((g) => g.length > 0);
}
