/**
 * Reads group names from one claim of a security context, whatever shape the identity provider
 * gives it: an array of strings (`"roles": ["gerente_loja"]`), one string (`"role": "gerente_loja"`)
 * or a comma-separated string (`"groups": "a, b"`). The claim is named by its exact key — keys may
 * hold dots, colons or slashes, as Auth0's namespaced claims (`https://loja.example.com/roles`) and
 * Cognito's `cognito:groups` do — or by a list of keys for a nested claim (`['realm_access', 'roles']`).
 * Anything else (missing, a number, an object, non-string array items) reads as no group, so a claim
 * that cannot be read grants nothing. Only own properties are read (`__proto__` is never a claim).
 * Meant for `contextToGroups` in `cube.config.ts`; the server's default reads `groups` with it.
 */
import type { SecurityContext } from './access-types.ts';

export function readGroupClaim(securityContext: SecurityContext, claim: string | readonly string[]): string[] {
  const path = typeof claim === 'string' ? [claim] : claim;
  let value: unknown = securityContext;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return [];
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') return splitGroups(value);
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string').flatMap(splitGroups);
  return [];
}

function splitGroups(text: string): string[] {
  return text.split(',').map((g) => g.trim()).filter((g) => g.length > 0);
}
