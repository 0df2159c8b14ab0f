/**
 * Typed access to one YAML mapping of the model, reporting unknown keys and wrong types to the
 * problem sink with the line of the offending key and the member being read. Readers never throw:
 * a bad value is reported and read as absent, so compilation continues and finds the next problem.
 */
import type { SourceLocation } from './model-types.ts';
import type { ProblemSink } from './problems.ts';
import { ALLOWED_KEYS, type ObjectKind } from './schema-keys.ts';
import type { YMap, YNode, YSeq } from './yaml-tree.ts';
import { toPlain } from './yaml-tree.ts';

/** camelCase → snake_case, so `sqlTable` and `sql_table` read alike (Cube's YAML loader does the same). */
export function toSnakeCase(key: string): string {
  let snake = snakeCache.get(key);
  if (snake === undefined) {
    snake = /[A-Z]/.test(key) ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
    if (snakeCache.size < 10_000) snakeCache.set(key, snake);
  }
  return snake;
}

// Model files repeat the same few dozen keys thousands of times.
const snakeCache = new Map<string, string>();

/** Reads one mapping of a known kind; `member` is the name used in problem messages. */
export class NodeReader {
  private readonly entries = new Map<string, { keyLocation: SourceLocation; value: YNode }>();

  constructor(
    readonly node: YMap,
    readonly kind: ObjectKind,
    readonly member: string,
    readonly sink: ProblemSink,
  ) {
    const allowed = ALLOWED_KEYS[kind];
    for (const [key, entry] of node.entries) {
      const snake = toSnakeCase(key);
      if (!allowed.has(snake)) {
        sink.error(`unknown key "${key}" in ${kind.replace(/_/g, ' ')} (allowed: ${[...allowed].join(', ')})`, entry.keyLocation, member);
        continue;
      }
      this.entries.set(snake, entry);
    }
  }

  get location(): SourceLocation {
    return this.node.location;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Location of a key (or of the mapping when the key is absent). */
  at(key: string): SourceLocation {
    return this.entries.get(key)?.keyLocation ?? this.node.location;
  }

  raw(key: string): YNode | undefined {
    return this.entries.get(key)?.value;
  }

  error(message: string, key?: string): void {
    this.sink.error(message, key ? this.at(key) : this.location, this.member);
  }

  warn(message: string, key?: string): void {
    this.sink.warn(message, key ? this.at(key) : this.location, this.member);
  }

  /** A string (numbers are accepted and stringified: `interval: 1` is still text to Cube). */
  string(key: string, required = false): string | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'scalar' && node.value === null)) {
      if (required) this.error(`missing required "${key}"`);
      return undefined;
    }
    if (node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    this.error(`"${key}" must be a string`, key);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const node = this.raw(key);
    if (node === undefined) return undefined;
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    this.error(`"${key}" must be true or false`, key);
    return undefined;
  }

  /** A string restricted to `values`. */
  oneOf<T extends string>(key: string, values: readonly T[], required = false): T | undefined {
    const value = this.string(key, required);
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as T;
    this.error(`invalid ${key} "${value}" (expected one of: ${values.join(', ')})`, key);
    return undefined;
  }

  seq(key: string): YSeq | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'scalar' && node.value === null)) return undefined;
    if (node.kind === 'seq') return node;
    this.error(`"${key}" must be a list`, key);
    return undefined;
  }

  map(key: string): YMap | undefined {
    const node = this.raw(key);
    if (node === undefined || (node.kind === 'scalar' && node.value === null)) return undefined;
    if (node.kind === 'map') return node;
    this.error(`"${key}" must be a mapping`, key);
    return undefined;
  }

  /** A list of strings (e.g. member references). */
  stringList(key: string): { value: string; location: SourceLocation }[] | undefined {
    const seq = this.seq(key);
    if (!seq) return undefined;
    const out: { value: string; location: SourceLocation }[] = [];
    for (const item of seq.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string') out.push({ value: item.value, location: item.location });
      else this.sink.error(`items of "${key}" must be strings`, item.location, this.member);
    }
    return out;
  }

  /** Free-form mapping such as `meta`. */
  plainObject(key: string): Record<string, unknown> | undefined {
    const node = this.map(key);
    return node ? (toPlain(node) as Record<string, unknown>) : undefined;
  }

  /** Each mapping item of a list as a reader of `kind`; non-mapping items are reported. */
  mapItems(key: string, kind: ObjectKind, name: (item: YMap, index: number) => string): NodeReader[] {
    const seq = this.seq(key);
    if (!seq) return [];
    const out: NodeReader[] = [];
    seq.items.forEach((item, index) => {
      if (item.kind !== 'map') {
        this.sink.error(`items of "${key}" must be mappings`, item.location, this.member);
        return;
      }
      out.push(new NodeReader(item, kind, name(item, index), this.sink));
    });
    return out;
  }

  /** A sub-mapping as a reader of `kind`. */
  child(key: string, kind: ObjectKind, member = this.member): NodeReader | undefined {
    const node = this.map(key);
    return node ? new NodeReader(node, kind, member, this.sink) : undefined;
  }
}

/** The `name` scalar of a mapping, without reporting (used to label problems before reading). */
export function peekName(node: YMap): string | undefined {
  const entry = node.entries.get('name');
  if (entry && entry.value.kind === 'scalar' && typeof entry.value.value === 'string') return entry.value.value;
  return undefined;
}
