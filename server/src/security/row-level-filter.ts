/**
 * The row-level part of one cube's or view's access policies for a caller, as a Cube filter.
 * Filters of one policy are AND-ed; applicable policies are OR-ed (a user in two groups sees the
 * union of their rows); a policy without `row_level`, or with `allow_all: true`, allows every row.
 * `allow_all: false` without filters, an unbindable value, or no applicable policy: no rows.
 * https://cube.dev/docs/reference/data-model/data-access-policies#row-level
 */
import type { AccessPolicy } from '../model/model-types.ts';
import type { Filter } from '../query/query-types.ts';
import type { Access } from './access-types.ts';
import { applicablePolicies } from './policy-match.ts';
import { bindPolicyValues } from './bind-policy-values.ts';

/** Every row, no row, or the rows a filter selects. */
export type RowAccess = { readonly kind: 'all' } | { readonly kind: 'none' } | { readonly kind: 'filter'; readonly filter: Filter };

export function rowAccess(policies: readonly AccessPolicy[], access: Access): RowAccess {
  if (policies.length === 0) return { kind: 'all' };
  const alternatives: Filter[] = [];
  for (const policy of applicablePolicies(policies, access)) {
    const level = policy.rowLevel;
    if (!level || level.allowAll === true) return { kind: 'all' };
    if (level.filters.length === 0) {
      if (level.allowAll === undefined) return { kind: 'all' };
      continue;
    }
    const bound = level.filters.map((f) => bindFilter(f, access));
    if (bound.some((f) => f === undefined)) continue;
    alternatives.push(bound.length === 1 ? bound[0]! : { and: bound as Filter[] });
  }
  if (alternatives.length === 0) return { kind: 'none' };
  return { kind: 'filter', filter: alternatives.length === 1 ? alternatives[0]! : { or: alternatives } };
}

/** One policy filter (possibly nested and/or) with its values bound; undefined when unbindable. */
function bindFilter(raw: unknown, access: Access): Filter | undefined {
  const filter = raw as Record<string, unknown>;
  for (const logical of ['and', 'or'] as const) {
    const inner = filter[logical];
    if (Array.isArray(inner)) {
      const bound = inner.map((f) => bindFilter(f, access));
      return bound.some((f) => f === undefined) ? undefined : ({ [logical]: bound } as unknown as Filter);
    }
  }
  const values = bindPolicyValues(filter.values, access.securityContext);
  if (values === undefined) return undefined;
  // An equals/notEquals with nothing to compare would read as "no restriction": fail closed instead.
  if (values.length === 0 && filter.operator !== 'set' && filter.operator !== 'notSet') return undefined;
  return { member: filter.member as string, operator: filter.operator as never, values };
}
