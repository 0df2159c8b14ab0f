/**
 * Which of a cube's or view's `access_policy` entries apply to a caller, and what member-level
 * access they grant. Cube's rules: a policy applies when its group (`group`, `groups`, legacy
 * `role`; `"*"` = anyone) is one of the caller's and all its `conditions` hold; several applicable
 * policies are OR-ed (the union of their permissions); an owner with policies of which none applies
 * grants nothing. https://cube.dev/docs/product/auth/data-access-policies#policy-evaluation
 */
import type { AccessPolicy } from '../model/model-types.ts';
import type { Access } from './access-types.ts';
import { evaluateCondition } from './evaluate-condition.ts';

export function applicablePolicies(policies: readonly AccessPolicy[], access: Access): AccessPolicy[] {
  return policies.filter((policy) => matchesGroup(policy, access.groups) && (policy.conditions ?? []).every((c) => evaluateCondition(c.if, access.securityContext)));
}

/** The compiler joins `groups: [a, b]` into "a,b"; `role` is Cube's older name for the same thing. */
function matchesGroup(policy: AccessPolicy, groups: readonly string[]): boolean {
  const declared = (policy.group ?? policy.role ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  return declared.some((g) => g === '*' || groups.includes(g));
}

/** Member-level grant of one policy: no `member_level` means every member. */
export function grantsMember(policy: AccessPolicy, memberPath: string): boolean {
  const level = policy.memberLevel;
  if (!level) return true;
  const included = level.includes === '*' || level.includes.includes(memberPath);
  return included && !level.excludes.includes(memberPath);
}

/** True when the owner has no policies, or an applicable one grants the member. */
export function allowsMember(policies: readonly AccessPolicy[], access: Access, memberPath: string): boolean {
  if (policies.length === 0) return true;
  return applicablePolicies(policies, access).some((policy) => grantsMember(policy, memberPath));
}
