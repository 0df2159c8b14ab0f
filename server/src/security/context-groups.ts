/**
 * The default `contextToGroups`, used when `cube.config.ts` defines none: the `groups` claim of the
 * security context (an array of strings, or one comma-separated string), and nothing else. Other
 * claim shapes — `roles`, `role`, `group`, Cognito's `cognito:groups`, Auth0's namespaced claims —
 * are deliberately not guessed: a context whose groups cannot be read belongs to no group and the
 * shipped policies grant it nothing (deny by default). Map them with `contextToGroups` and
 * `readGroupClaim` (docs/security.md, "Mapping your identity provider's claims").
 */
import type { SecurityContext } from './access-types.ts';
import { readGroupClaim } from './read-group-claim.ts';

export function defaultContextToGroups({ securityContext }: { securityContext: SecurityContext }): string[] {
  return readGroupClaim(securityContext, 'groups');
}
