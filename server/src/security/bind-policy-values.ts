/**
 * Binds `{ securityContext.x }` references in the `values` of a row-level filter. A value that is
 * exactly one reference takes the context's value (an array spreads into several values, so
 * `values: "{ securityContext.lojas }"` with `lojas: ["L001", "L002"]` means IN both); references
 * inside longer text are interpolated. A reference the context lacks, or that holds an object,
 * makes the filter unbindable: the caller then sees no rows (fail closed), never every row.
 * Values stay data: they become SQL parameters downstream, never SQL text.
 */
import type { SecurityContext } from './access-types.ts';
import { readPath } from './evaluate-condition.ts';

type Scalar = string | number | boolean;

const WHOLE_REFERENCE = /^\s*\{\s*(?:securityContext|SECURITY_CONTEXT|userAttributes)\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*\}\s*$/;
const INNER_REFERENCE = /\{\s*(?:securityContext|SECURITY_CONTEXT|userAttributes)\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*\}/g;

/** The bound values, or undefined when a reference cannot be bound. */
export function bindPolicyValues(values: unknown, securityContext: SecurityContext): Scalar[] | undefined {
  if (values === undefined || values === null) return [];
  const list = Array.isArray(values) ? values : [values];
  const bound: Scalar[] = [];
  for (const value of list) {
    const next = bindOne(value, securityContext);
    if (next === undefined) return undefined;
    bound.push(...next);
  }
  return bound;
}

function bindOne(value: unknown, securityContext: SecurityContext): Scalar[] | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return [value];
  if (typeof value !== 'string') return undefined;
  const whole = WHOLE_REFERENCE.exec(value);
  if (whole) return toScalars(readPath(securityContext, whole[1]!.split('.')));
  let unbound = false;
  const text = value.replace(INNER_REFERENCE, (_match, path: string) => {
    const scalars = toScalars(readPath(securityContext, path.split('.')));
    if (!scalars || scalars.length !== 1) unbound = true;
    return String(scalars?.[0] ?? '');
  });
  return unbound ? undefined : [text];
}

function toScalars(value: unknown): Scalar[] | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return value as Scalar[];
  return undefined;
}
