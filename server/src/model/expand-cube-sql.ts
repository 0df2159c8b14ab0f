/**
 * Inlines `{Cube.sql()}` references: each becomes the referenced cube's own SQL (its `sql`, or
 * `SELECT * FROM <sql_table>`), as Cube's `${Cube.sql()}` does, so a cube can be built on top of
 * another's query. Done once at compile time so that everything downstream (planner, rollup
 * matching, security-context detection, rollup signatures) sees plain templates. A cube whose SQL
 * reaches itself this way is an error naming the chain and the file:line of the cube.
 * https://cube.dev/docs/reference/data-model/cube#sql
 */
import type { Cube, SqlTemplate, SqlTemplatePart } from './model-types.ts';
import type { ProblemSink } from './problems.ts';

const PART_KINDS = new Set(['text', 'cube', 'member', 'securityContext', 'filterParams', 'filterGroup', 'cubeSql', 'dangling']);

/** Replaces every `cubeSql` part of every cube in place (the record is the compiler's own, not frozen yet). */
export function expandCubeSql(cubes: Record<string, Cube>, sink: ProblemSink): void {
  const reported = new Set<string>();
  const ownSql = (name: string, stack: readonly string[]): SqlTemplate => {
    const cube = cubes[name];
    if (!cube) return [];
    const source = cube.sql ?? [{ kind: 'text', text: 'SELECT * FROM ' }, ...(cube.sqlTable ?? [])];
    return expand(source, [...stack, name]);
  };
  const expand = (template: SqlTemplate, stack: readonly string[]): SqlTemplate => {
    if (!template.some((part) => part.kind === 'cubeSql')) return template;
    const out: SqlTemplatePart[] = [];
    for (const part of template) {
      if (part.kind !== 'cubeSql') {
        out.push(part);
        continue;
      }
      if (stack.includes(part.cube)) {
        const cycle = [...stack.slice(stack.indexOf(part.cube)), part.cube];
        const key = [...new Set(cycle)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          sink.error(`{${part.cube}.sql()} cycle: ${cycle.join(' → ')} (a cube's SQL cannot include itself)`, cubes[part.cube]?.location, part.cube);
        }
        continue;
      }
      out.push(...ownSql(part.cube, stack));
    }
    return mergeText(out);
  };
  for (const name of Object.keys(cubes)) {
    const cube = cubes[name]!;
    if (!mentionsCubeSql(cube)) continue;
    cubes[name] = mapTemplates(cube, (template, isCubeSql) => expand(template, isCubeSql ? [name] : [])) as Cube;
  }
}

function isTemplate(value: unknown): value is SqlTemplate {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((part) => part !== null && typeof part === 'object' && PART_KINDS.has((part as { kind?: unknown }).kind as string))
  );
}

function mentionsCubeSql(value: unknown): boolean {
  if (isTemplate(value)) return value.some((part) => part.kind === 'cubeSql');
  if (Array.isArray(value)) return value.some(mentionsCubeSql);
  if (value !== null && typeof value === 'object') return Object.values(value).some(mentionsCubeSql);
  return false;
}

/** Maps every template inside `cube`, rebuilding only what changed; `isCubeSql` marks the cube's own `sql`. */
function mapTemplates(cube: Cube, map: (template: SqlTemplate, isCubeSql: boolean) => SqlTemplate): unknown {
  const walk = (value: unknown, isCubeSql: boolean): unknown => {
    if (isTemplate(value)) return map(value, isCubeSql);
    if (Array.isArray(value)) {
      const next = value.map((v) => walk(v, false));
      return next.some((v, i) => v !== value[i]) ? next : value;
    }
    if (value !== null && typeof value === 'object') {
      let changed = false;
      const next: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        next[key] = walk(v, false);
        if (next[key] !== v) changed = true;
      }
      return changed ? next : value;
    }
    return value;
  };
  const rest = walk({ ...cube, sql: undefined }, false) as Record<string, unknown>;
  const sql = cube.sql ? map(cube.sql, true) : undefined;
  const { sql: _dropped, ...others } = rest;
  return { ...others, ...(sql ? { sql } : {}) };
}

function mergeText(parts: readonly SqlTemplatePart[]): SqlTemplate {
  const out: SqlTemplatePart[] = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    if (part.kind === 'text' && prev?.kind === 'text') out[out.length - 1] = { kind: 'text', text: prev.text + part.text };
    else out.push(part);
  }
  return out;
}
