/**
 * A Cube YAML model rewritten as a Cube JavaScript model in the old style (camelCase keys, maps of
 * members, `${}` references, belongsTo/hasMany), so a suite written over YAML also runs over the
 * JavaScript front-end: the two must compile to the same model and give the same answers.
 */
import { parse } from 'yaml';

const SQL_KEYS = new Set(['sql', 'switch', 'sql_table']);
const NAMED = new Set(['measures', 'dimensions', 'segments', 'joins', 'pre_aggregations', 'granularities']);
const RELATIONSHIP: Readonly<Record<string, string>> = {
  belongs_to: 'belongsTo', many_to_one: 'belongsTo', has_many: 'hasMany', one_to_many: 'hasMany', has_one: 'hasOne', one_to_one: 'hasOne',
};

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const indent = (depth: number): string => '  '.repeat(depth);
/** `{CUBE}.id = {users.id}` → a template literal `${CUBE}.id = ${users.id}`. */
const template = (sql: string): string => '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\{([A-Za-z_][\w.]*(?:\(\))?)\}/g, '${$1}') + '`';

function value(v: unknown, key: string, depth: number, inPreAggregation: boolean): string {
  if (typeof v === 'string') {
    if (SQL_KEYS.has(key)) return template(v);
    if (key === 'relationship') return '`' + (RELATIONSHIP[v] ?? v) + '`';
    if (key === 'extends') return v;
    if (inPreAggregation && /^CUBE\.\w+$/.test(v)) return v;
    return JSON.stringify(v);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((item) => value(item, key, depth + 1, inPreAggregation));
    const flat = `[${items.join(', ')}]`;
    if (flat.length < 90 && !flat.includes('\n')) return flat;
    return `[\n${items.map((item) => indent(depth + 1) + item).join(',\n')},\n${indent(depth)}]`;
  }
  return object(v as Record<string, unknown>, depth, inPreAggregation);
}

/** `o` as an object literal; `named` drops its `name` (a cube, view or map entry is named by its key). */
function object(o: Record<string, unknown>, depth: number, inPreAggregation: boolean, named = false): string {
  const lines: string[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (named && key === 'name') continue;
    const asMap = NAMED.has(key) && Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && 'name' in x);
    if (asMap) {
      const inner = (v as Record<string, unknown>[]).map(
        (item) => `${indent(depth + 2)}${String(item.name)}: ${object(item, depth + 2, inPreAggregation || key === 'pre_aggregations', true)},`,
      );
      lines.push(`${indent(depth + 1)}${camel(key)}: {\n${inner.join('\n')}\n${indent(depth + 1)}},`);
    } else lines.push(`${indent(depth + 1)}${camel(key)}: ${value(v, key, depth + 1, inPreAggregation)},`);
  }
  return `{\n${lines.join('\n')}\n${indent(depth)}}`;
}

/** One `cube(...)` or `view(...)` call for a parsed YAML definition. */
export function definitionToJs(kind: 'cube' | 'view', definition: Record<string, unknown>): string {
  return `${kind}(\`${String(definition.name)}\`, ${object(definition, 0, false, true)});\n`;
}

/** Every cube and view of a YAML model file as one JavaScript model file. */
export function yamlModelToJs(yamlText: string): string {
  const source = parse(yamlText) as { cubes?: Record<string, unknown>[]; views?: Record<string, unknown>[] };
  return [...(source.cubes ?? []).map((c) => definitionToJs('cube', c)), ...(source.views ?? []).map((v) => definitionToJs('view', v))].join('\n');
}
