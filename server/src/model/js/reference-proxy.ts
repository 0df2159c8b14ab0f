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

/** The state of one reference, kept on its proxy's target (one handler serves every proxy). */
interface Target {
  (): void;
  path: readonly string[];
  text: string;
  children?: Map<string, unknown>;
}

const handler: ProxyHandler<Target> = {
  get(target, property) {
    if (property === PATH) return target.path;
    if (property === Symbol.toPrimitive || property === 'toString' || property === 'valueOf' || property === 'toJSON') return () => target.text;
    // not a thenable: `await Users` must not hang
    if (property === 'then' || typeof property === 'symbol') return undefined;
    // models repeat the same references (`CUBE.id`, `Users.name`): one proxy per path
    target.children ??= new Map();
    let child = target.children.get(property);
    if (child === undefined) {
      child = referenceProxy([...target.path, property]);
      target.children.set(property, child);
    }
    return child;
  },
  apply(target, _this, args: unknown[]) {
    return `{${target.path.join('.')}(${args.map(renderArgument).join(', ')})}`;
  },
  has(_target, property) {
    return property === PATH;
  },
};

/** A proxy for the reference `path` (e.g. `['Users', 'id']`). */
export function referenceProxy(path: readonly string[]): unknown {
  // A function target makes `Orders.sql()` and `x.filter('col')` callable.
  const target = function reference(): void {} as Target;
  target.path = path;
  target.text = `{${path.join('.')}}`;
  return new Proxy(target, handler);
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
