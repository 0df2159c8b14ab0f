/**
 * A cube or view as JavaScript evaluated it → the located tree YAML parses to, so one compiler
 * reads both. What differs from YAML is normalized here:
 * - maps of named items (`measures: { count: {...} }`, `joins: { Users: {...} }`, pre-aggregations,
 *   granularities, indexes, hierarchies) become YAML's lists of items with `name`;
 * - camelCase keys become snake_case (`drillMembers` → `drill_members`), except inside `meta`;
 *   Cube's old pre-aggregation keys (`measureReferences`, `timeDimensionReference`...) take their
 *   current names; camelCase type values (`countDistinct`, `originalSql`) their snake_case form;
 * - functions (`sql: () => \`...\``, `drillMembers: () => [id]`) are called, their parameters bound
 *   to references of the same name (`(CUBE) => ...`);
 * - reference proxies become template text under `sql` keys (`{Users.id}`) and in access policies'
 *   `values`/`if` (`{securityContext.x}`), member paths elsewhere (`drillMembers: [id]` → `id`,
 *   `extends: Base` → `Base`, `join_path: A.B` → `A.B`); a policy's `member: \`${CUBE}.x\`` is `CUBE.x`.
 * Every node keeps the line of the key or value it came from.
 */
import type { SourceLocation } from '../model-types.ts';
import { toSnakeCase } from '../node-reader.ts';
import type { ProblemSink } from '../problems.ts';
import type { YMap, YNode } from '../yaml-tree.ts';
import type { AstLocator } from './ast-locator.ts';
import { referencePath, referenceProxy } from './reference-proxy.ts';

/** What part of the schema a mapping is: decides which keys hold maps of named items. */
type Role = 'cube' | 'view' | 'member' | 'join' | 'pre_aggregation' | 'dimension' | 'generic' | 'meta' | 'policy';

const NAMED_MAPS: Readonly<Partial<Record<Role, Readonly<Record<string, Role>>>>> = {
  cube: { measures: 'member', dimensions: 'dimension', segments: 'member', joins: 'join', pre_aggregations: 'pre_aggregation', hierarchies: 'generic' },
  view: { measures: 'member', dimensions: 'dimension', segments: 'member', hierarchies: 'generic' },
  dimension: { granularities: 'generic' },
  pre_aggregation: { indexes: 'generic' },
};

/** Cube's pre-aggregation keys before 0.26, by their current names. */
const RENAMES: Readonly<Record<string, string>> = {
  measure_references: 'measures',
  dimension_references: 'dimensions',
  segment_references: 'segments',
  time_dimension_reference: 'time_dimension',
  rollup_references: 'rollups',
};

/** Access-policy keys whose references are bound at query time: `values: [securityContext.x]` → `{securityContext.x}`. */
const POLICY_VALUE_KEYS = new Set(['values', 'if']);

/** Keys whose text is SQL: a bare reference there renders as `{path}`. */
const SQL_KEYS = new Set(['sql', 'sql_table']);

/** Converts one `cube(name, def)` / `view(name, def)` into the YAML item `{ name, ...def }`. */
export function definitionTree(kind: 'cube' | 'view', name: string, definition: unknown, locator: AstLocator, sink: ProblemSink): YMap {
  const converter = new Converter(sink, `${name}`);
  const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
  entries.set('name', { keyLocation: locator.location, value: { kind: 'scalar', value: name, location: locator.location } });
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    sink.error(`the definition of ${kind} ${name} must be an object`, locator.location, name);
    return { kind: 'map', entries, location: locator.location };
  }
  const body = converter.map(definition as Record<string, unknown>, locator, kind);
  for (const [key, entry] of body.entries) if (key !== 'name') entries.set(key, entry);
  return { kind: 'map', entries, location: locator.location };
}

class Converter {
  constructor(
    private readonly sink: ProblemSink,
    private readonly member: string,
  ) {}

  /** A mapping; `named` puts `name` first (an item of a map of named items) and places the item at its key. */
  map(object: Record<string, unknown>, locator: AstLocator, role: Role, named?: string): YMap {
    const entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();
    if (named !== undefined) entries.set('name', { keyLocation: locator.keyLocation, value: { kind: 'scalar', value: named, location: locator.keyLocation } });
    for (const rawKey in object) {
      if (!Object.prototype.hasOwnProperty.call(object, rawKey)) continue;
      const rawValue = object[rawKey];
      if (named !== undefined && rawKey === 'name') continue;
      const child = locator.child(rawKey);
      let key = role === 'meta' ? rawKey : toSnakeCase(rawKey);
      if (role === 'pre_aggregation') key = RENAMES[key] ?? key;
      const namedRole = NAMED_MAPS[role]?.[key];
      let value: YNode | undefined;
      if (namedRole) value = this.namedList(this.resolve(rawValue, child, key), child, namedRole, key);
      else value = this.value(rawValue, child, key, role === 'meta' || key === 'meta' ? 'meta' : role === 'policy' || key === 'access_policy' ? 'policy' : 'generic');
      if (value === undefined) continue;
      if (key === 'type' && value.kind === 'scalar' && typeof value.value === 'string' && role !== 'meta') value = { ...value, value: toSnakeCase(value.value) };
      entries.set(key, { keyLocation: child.keyLocation, value });
    }
    return { kind: 'map', entries, location: named !== undefined ? locator.keyLocation : locator.location };
  }

  /** `{ a: {...}, b: {...} }` → `[{ name: a, ... }, { name: b, ... }]`; a list is kept as written. */
  private namedList(value: unknown, locator: AstLocator, role: Role, key: string): YNode | undefined {
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return this.value(value, locator, key, role);
    if (value === null || typeof value !== 'object') return this.value(value, locator, key, role);
    const items: YNode[] = [];
    for (const [name, definition] of Object.entries(value as Record<string, unknown>)) {
      const child = locator.child(name);
      const resolved = this.resolve(definition, child, name);
      if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved)) {
        this.sink.error(`"${key}.${name}" must be an object`, child.keyLocation, this.member);
        continue;
      }
      items.push(this.map(resolved as Record<string, unknown>, child, role, name));
    }
    return { kind: 'seq', items, location: locator.location };
  }

  private value(raw: unknown, locator: AstLocator, key: string, role: Role): YNode | undefined {
    const value = this.resolve(raw, locator, key);
    const location = locator.location;
    if (value === undefined) return undefined;
    const path = referencePath(value);
    if (path !== undefined) {
      if (role === 'policy' && POLICY_VALUE_KEYS.has(key)) return { kind: 'scalar', value: `{ ${path.replace(/^(security_context|SECURITY_CONTEXT)\./, 'securityContext.')} }`, location };
      return { kind: 'scalar', value: SQL_KEYS.has(key) ? `{${path}}` : path, location };
    }
    // an access policy's `member: \`${CUBE}.state\`` names the member `CUBE.state`
    if (role === 'policy' && key === 'member' && typeof value === 'string') return { kind: 'scalar', value: value.replace(/^\{(\w+)\}\.(\w+)$/, '$1.$2'), location };
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return { kind: 'scalar', value, location };
    if (typeof value === 'number') return { kind: 'scalar', value: Number.isFinite(value) ? value : String(value), location };
    if (typeof value === 'bigint') return { kind: 'scalar', value: String(value), location };
    if (Array.isArray(value)) {
      const items: YNode[] = [];
      value.forEach((item, index) => {
        const node = this.value(item, locator.child(index), key, role === 'meta' || role === 'policy' ? role : 'generic');
        if (node !== undefined) items.push(node);
      });
      return { kind: 'seq', items, location };
    }
    if (typeof value === 'object') {
      if (value instanceof Date) return { kind: 'scalar', value: value.toISOString(), location };
      return this.map(value as Record<string, unknown>, locator, role);
    }
    return { kind: 'scalar', value: String(value), location };
  }

  /** Calls functions (parameters bound to references of their names), reporting what they throw. */
  private resolve(value: unknown, locator: AstLocator, key: string): unknown {
    let current = value;
    for (let depth = 0; typeof current === 'function' && referencePath(current) === undefined && depth < 5; depth++) {
      const fn = current as (...args: unknown[]) => unknown;
      try {
        current = fn(...parameterNames(fn).map((name) => referenceProxy([name])));
      } catch (error) {
        this.sink.error(`"${key}" threw: ${(error as Error)?.message ?? String(error)}`, locator.keyLocation, this.member);
        return undefined;
      }
    }
    return current;
  }
}

/** Parameter names of a function, from its source (`(CUBE, Users) => ...`, `function (a) {...}`, `x => ...`). */
function parameterNames(fn: (...args: unknown[]) => unknown): string[] {
  const source = Function.prototype.toString.call(fn);
  const match = /^\s*(?:async\s*)?(?:function\b[^(]*|[A-Za-z_$][\w$]*\s*)?\(([^)]*)\)/.exec(source) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (!match) return [];
  return match[1]!
    .split(',')
    .map((p) => p.trim().split('=')[0]!.trim())
    .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
}
