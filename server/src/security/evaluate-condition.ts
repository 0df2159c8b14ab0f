/**
 * Evaluates an access policy's `conditions: [{ if: "{ securityContext.x }" }]` without running code.
 * Cube evaluates `if` as an expression over the security context; we accept the two forms a model
 * needs and that cannot hide logic: a reference (`{ securityContext.a.b }`, true when the value is
 * truthy as JavaScript sees it — an empty array is truthy, so `groups: []` is still "has groups")
 * and its negation (`{ !securityContext.a.b }` or
 * `{ not securityContext.a.b }`). Anything else evaluates to false, so an unsupported condition
 * never grants access. https://cube.dev/docs/reference/data-model/data-access-policies#conditions
 */
import type { SqlTemplate } from '../model/model-types.ts';
import type { SecurityContext } from './access-types.ts';

const NEGATED = /^\s*\{\s*(?:!|not\s+)\s*(?:securityContext|SECURITY_CONTEXT|userAttributes)\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*\}\s*$/;

export function evaluateCondition(condition: SqlTemplate, securityContext: SecurityContext): boolean {
  const meaningful = condition.filter((part) => part.kind !== 'text' || part.text.trim() !== '');
  if (meaningful.length !== 1) return false;
  const part = meaningful[0]!;
  if (part.kind === 'securityContext') return isTruthy(readPath(securityContext, part.path));
  if (part.kind === 'text') {
    const negated = NEGATED.exec(part.text);
    if (negated) return !isTruthy(readPath(securityContext, negated[1]!.split('.')));
  }
  return false;
}

/** Reads `a.b.c` from the security context; undefined when any step is missing. */
export function readPath(securityContext: SecurityContext, path: readonly string[]): unknown {
  let value: unknown = securityContext;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function isTruthy(value: unknown): boolean {
  return Boolean(value);
}
