/**
 * References in JavaScript models. Cube's JS models write SQL as template literals over names that
 * are not JavaScript values (`${CUBE}.id = ${Users.id}`, `${FILTER_PARAMS.Orders.createdAt.filter('created_at')}`)
 * and member lists as bare identifiers (`drillMembers: [id, name]`). A reference proxy stands for such
 * a name: property access extends its path, a call records the call, and turning it into text
 * renders the YAML template syntax the one compiler reads (`{CUBE}`, `{Users.id}`,
 * `{FILTER_PARAMS.Orders.createdAt.filter('created_at')}`, `{Orders.sql()}`). In a member list the
 * same proxy is read as the plain path (`id`, `Users.id`, `CUBE.id`).
 */

const PATH = Symbol('model.reference.path');

/** A proxy for the reference `path` (e.g. `['Users', 'id']`). */
export function referenceProxy(path: readonly string[]): unknown {
  const text = `{${path.join('.')}}`;
  // A function target makes `Orders.sql()` and `x.filter('col')` callable.
  const target = function reference(): void {};
  return new Proxy(target, {
    get(_target, property) {
      if (property === PATH) return path;
      if (property === Symbol.toPrimitive) return () => text;
      if (property === 'toString' || property === 'valueOf' || property === 'toJSON') return () => text;
      // not a thenable: `await Users` must not hang
      if (property === 'then' || typeof property === 'symbol') return undefined;
      return referenceProxy([...path, property]);
    },
    apply(_target, _this, args: unknown[]) {
      return `{${path.join('.')}(${args.map(renderArgument).join(', ')})}`;
    },
    has(_target, property) {
      return property === PATH;
    },
  });
}

/** True when `value` is a reference proxy. */
export function isReference(value: unknown): boolean {
  return typeof value === 'function' && referencePath(value) !== undefined;
}

/** The dotted path of a reference proxy (`Users.id`), or undefined for any other value. */
export function referencePath(value: unknown): string | undefined {
  if (typeof value !== 'function') return undefined;
  try {
    const path = (value as unknown as Record<symbol, unknown>)[PATH];
    return Array.isArray(path) ? path.join('.') : undefined;
  } catch {
    return undefined;
  }
}

/** An argument of a recorded call, as YAML template text: strings quoted, functions by their source. */
function renderArgument(value: unknown): string {
  const path = referencePath(value);
  if (path !== undefined) return path;
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'function') return String(value);
  if (Array.isArray(value)) return `[${value.map(renderArgument).join(', ')}]`;
  return JSON.stringify(value) ?? 'undefined';
}
