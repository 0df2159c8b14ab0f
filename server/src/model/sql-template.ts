/**
 * Turns model SQL with Cube's `{...}` references into a `SqlTemplate`.
 * Resolution order follows Cube's: `{CUBE}` is the current cube, `{name}` a member of the current
 * cube before a cube of that name, `{Cube.member}` a member of another cube, `{A.B.member}` a
 * member reached along a join path (we keep only `B.member`), `{SECURITY_CONTEXT.path}` and
 * `{securityContext.path}` a bound parameter. Text that is not an identifier path in braces
 * (e.g. a JSON literal) is copied unchanged.
 */
import type { SqlTemplate, SqlTemplatePart } from './model-types.ts';

// `{FILTER_PARAMS.cube.member.filter(...)}`, `{SECURITY_CONTEXT.x.filter('col')}`, `{SQL_UTILS.convertTz(...)}`
const CALL = /\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\(/g;
const REFERENCE = /\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}/g;

/** What the resolver needs to know about the cubes of the model. */
export interface ReferenceScope {
  readonly cube: string;
  hasCube(name: string): boolean;
  hasMember(cube: string, member: string): boolean;
}

/** A reference that could not be resolved, with a message ready for the problem sink. */
export interface ReferenceProblem {
  readonly reference: string;
  readonly message: string;
}

const UNSUPPORTED_CONTEXTS = new Set(['FILTER_PARAMS', 'FILTER_GROUP', 'SQL_UTILS', 'COMPILE_CONTEXT', 'USER_CONTEXT']);

/** Resolves every reference of `sql`; unknown ones are reported and kept as text so compilation continues. */
export function parseSqlTemplate(sql: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplate {
  for (const call of sql.matchAll(CALL)) {
    problems.push({ reference: call[1]!, message: `{${call[1]}(...)}: function-call references (e.g. FILTER_PARAMS ... .filter()) are not supported by this engine` });
  }
  const parts: SqlTemplatePart[] = [];
  let last = 0;
  for (const match of sql.matchAll(REFERENCE)) {
    const index = match.index ?? 0;
    if (index > last) pushText(parts, sql.slice(last, index));
    const part = resolveReference(match[1]!, scope, problems);
    if (part) parts.push(part);
    else pushText(parts, match[0]);
    last = index + match[0].length;
  }
  if (last < sql.length) pushText(parts, sql.slice(last));
  return parts;
}

function pushText(parts: SqlTemplatePart[], text: string): void {
  const prev = parts[parts.length - 1];
  if (prev && prev.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: prev.text + text };
  else parts.push({ kind: 'text', text });
}

function resolveReference(reference: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplatePart | undefined {
  const path = reference.split('.');
  const [head, ...rest] = path as [string, ...string[]];
  const fail = (message: string): undefined => {
    problems.push({ reference, message });
    return undefined;
  };
  if (head === 'SECURITY_CONTEXT' || head === 'securityContext') {
    if (rest.length === 0) return fail(`{${reference}} needs a property path, e.g. {${head}.tenant_id}`);
    return { kind: 'securityContext', path: rest };
  }
  if (UNSUPPORTED_CONTEXTS.has(head)) return fail(`{${reference}}: ${head} is not supported by this engine`);
  const cube = head === 'CUBE' || head === 'TABLE' ? scope.cube : head;
  if (rest.length === 0) {
    if (head === 'CUBE' || head === 'TABLE') return { kind: 'cube', cube };
    if (scope.hasMember(scope.cube, head)) return { kind: 'member', path: `${scope.cube}.${head}` };
    if (scope.hasCube(head)) return { kind: 'cube', cube: head };
    return fail(`unknown reference {${reference}}: no member "${head}" in cube ${scope.cube} and no cube of that name`);
  }
  if (!scope.hasCube(cube)) return fail(`unknown reference {${reference}}: no cube "${cube}"`);
  // {A.B.member}: a member reached through a join path; only the last cube matters for the SQL.
  if (rest.length === 2 && scope.hasCube(rest[0]!)) return memberPart(rest[0]!, rest[1]!, reference, scope, fail);
  if (rest.length > 1) return fail(`unknown reference {${reference}}: expected {Cube.member}`);
  return memberPart(cube, rest[0]!, reference, scope, fail);
}

function memberPart(
  cube: string,
  member: string,
  reference: string,
  scope: ReferenceScope,
  fail: (message: string) => undefined,
): SqlTemplatePart | undefined {
  if (!scope.hasMember(cube, member)) return fail(`unknown reference {${reference}}: cube ${cube} has no member "${member}"`);
  return { kind: 'member', path: `${cube}.${member}` };
}

/** Member paths a template refers to (for dependency checks). */
export function referencedMembers(template: SqlTemplate): string[] {
  return template.flatMap((part) => (part.kind === 'member' ? [part.path] : []));
}

/** A template of plain text (e.g. `sql_table: gold.fato_vendas`). */
export function textTemplate(text: string): SqlTemplate {
  return [{ kind: 'text', text }];
}
