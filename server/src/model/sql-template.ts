/**
 * Turns model SQL with Cube's `{...}` references into a `SqlTemplate`.
 * Resolution order follows Cube's: `{CUBE}` is the current cube, `{name}` a member of the current
 * cube before a cube of that name, `{Cube.member}` a member of another cube, `{A.B.member}` a
 * member reached along a join path (we keep only `B.member`), `{SECURITY_CONTEXT.path}` and
 * `{securityContext.path}` a bound parameter. Calls: `{Cube.sql()}` (that cube's own SQL,
 * inlined by the compiler), `{FILTER_PARAMS.cube.member.filter(...)}` (the query's filters on that
 * member, rendered by the planner) and `{FILTER_GROUP(FILTER_PARAMS..., ...)}` (the same for several
 * members, keeping the query's AND/OR between them). Text that is neither (e.g. a JSON literal) is
 * copied unchanged.
 *
 * A reference to a cube or member that does not exist becomes a `dangling` part and a problem
 * marked `dangling`: Cube reports those only when a query reaches them, so the compiler warns
 * (errors in strict mode) and the planner fails just the queries that use it.
 */
import { parseFilterArgument } from './filter-params-argument.ts';
import type { FilterParamsPart, SqlTemplate, SqlTemplatePart } from './model-types.ts';

const PATH = '([A-Za-z_][A-Za-z0-9_]*(?:\\s*\\.\\s*[A-Za-z_][A-Za-z0-9_]*)*)';
const REFERENCE_AT = new RegExp(`\\{\\s*${PATH}\\s*\\}`, 'y');
const CALL_AT = new RegExp(`\\{\\s*${PATH}\\s*\\(`, 'y');
const CLOSE_AT = /\s*\}/y;

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
  /** The reference names a cube or member that does not exist (a warning unless strict). */
  readonly dangling?: boolean;
  /** A dangling reference that changes no query (FILTER_PARAMS of a missing member: `1 = 1`). */
  readonly inert?: boolean;
}

const UNSUPPORTED_CONTEXTS = new Set(['FILTER_PARAMS', 'FILTER_GROUP', 'SQL_UTILS', 'COMPILE_CONTEXT', 'USER_CONTEXT']);

/** Resolves every reference of `sql`; unknown ones are reported (and kept as dangling parts) so compilation continues. */
export function parseSqlTemplate(sql: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplate {
  const parts: SqlTemplatePart[] = [];
  let last = 0;
  let at = sql.indexOf('{');
  while (at >= 0) {
    const found = readBraced(sql, at, scope, problems);
    if (found) {
      if (at > last) pushText(parts, sql.slice(last, at));
      if (found.part) parts.push(found.part);
      else pushText(parts, sql.slice(at, found.end));
      last = found.end;
    }
    at = sql.indexOf('{', found ? found.end : at + 1);
  }
  if (last < sql.length) pushText(parts, sql.slice(last));
  return parts;
}

/** The `{...}` starting at `at`, when it is a reference or a call; `part` undefined keeps its text. */
function readBraced(sql: string, at: number, scope: ReferenceScope, problems: ReferenceProblem[]): { part?: SqlTemplatePart; end: number } | undefined {
  REFERENCE_AT.lastIndex = at;
  const reference = REFERENCE_AT.exec(sql);
  if (reference) return { ...optional(resolveReference(compact(reference[1]!), scope, problems)), end: REFERENCE_AT.lastIndex };
  CALL_AT.lastIndex = at;
  const call = CALL_AT.exec(sql);
  if (!call) return undefined;
  // Positions are read before resolving: resolving may parse nested SQL with the same regexes.
  const path = compact(call[1]!);
  const argumentStart = CALL_AT.lastIndex;
  const close = matchingParen(sql, argumentStart - 1);
  CLOSE_AT.lastIndex = close + 1;
  if (close < 0 || !CLOSE_AT.exec(sql)) {
    problems.push({ reference: path, message: `{${path}(...)}: unbalanced parentheses or quotes, or no closing "}" after ")"` });
    return { end: sql.length };
  }
  const end = CLOSE_AT.lastIndex;
  return { ...optional(resolveCall(path, sql.slice(argumentStart, close), scope, problems)), end };
}

function optional(part: SqlTemplatePart | undefined): { part?: SqlTemplatePart } {
  return part ? { part } : {};
}

function compact(path: string): string {
  return path.replace(/\s+/g, '');
}

/**
 * Index of the `)` closing the `(` at `open`, skipping string literals ('…', "…", '''…''',
 * """…""", `…`) and nested brackets; -1 when there is none.
 */
function matchingParen(text: string, open: number): number {
  let found = -1;
  scan(text, open, (c, i, depth) => {
    if (depth > 0) return false;
    found = c === ')' ? i : -1;
    return true;
  });
  return found;
}

/** Splits call arguments at top-level commas (not inside strings or brackets); undefined when unbalanced. */
function splitArguments(text: string): string[] | undefined {
  const items: string[] = [];
  let start = 0;
  const wrapped = `(${text})`;
  const end = matchingParen(wrapped, 0);
  if (end !== wrapped.length - 1) return undefined;
  scan(wrapped, 0, (c, i, depth) => {
    if (c === ',' && depth === 1) {
      items.push(wrapped.slice(start + 1, i));
      start = i;
    }
    return false;
  });
  items.push(wrapped.slice(start + 1, wrapped.length - 1));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * Walks `text` from `from`, skipping string literals, calling `visit` on each bracket closing (with
 * the depth left) and each comma; stops when `visit` answers true or at an unterminated string.
 */
function scan(text: string, from: number, visit: (c: string, i: number, depth: number) => boolean): void {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const quote = c !== '`' && text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i = endOfString(text, i + quote.length, quote);
      if (i < 0) return;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (visit(c, i, depth)) return;
    } else if (c === ',' && visit(c, i, depth)) return;
  }
}

function endOfString(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(quote, i)) return i + quote.length - 1;
  }
  return -1;
}

function pushText(parts: SqlTemplatePart[], text: string): void {
  const prev = parts[parts.length - 1];
  if (prev && prev.kind === 'text') parts[parts.length - 1] = { kind: 'text', text: prev.text + text };
  else parts.push({ kind: 'text', text });
}

function dangling(reference: string, message: string, problems: ReferenceProblem[]): SqlTemplatePart {
  problems.push({ reference, message, dangling: true });
  return { kind: 'dangling', reference, message };
}

function resolveCall(path: string, argument: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplatePart | undefined {
  const names = path.split('.');
  if (names.length === 2 && names[1] === 'sql') {
    if (argument.trim() !== '') problems.push({ reference: path, message: `{${path}(...)}: sql() takes no arguments` });
    const cube = names[0] === 'CUBE' ? scope.cube : names[0]!;
    if (!scope.hasCube(cube)) return dangling(`${path}()`, `unknown reference {${path}()}: no cube "${cube}"`, problems);
    return { kind: 'cubeSql', cube };
  }
  if (names[0] === 'FILTER_PARAMS' && names.length === 4 && names[3] === 'filter') return filterParams(path, argument, scope, problems);
  if (path === 'FILTER_GROUP') return filterGroup(argument, scope, problems);
  problems.push({ reference: path, message: `{${path}(...)}: only {Cube.sql()}, {FILTER_PARAMS.cube.member.filter(...)} and {FILTER_GROUP(...)} calls are supported by this engine` });
  return undefined;
}

/**
 * `FILTER_PARAMS.cube.member.filter(arg)`. A member that does not exist is reported as dangling
 * but kept: no query can filter on it, so it renders `1 = 1`, as Cube's FILTER_PARAMS does.
 */
function filterParams(path: string, argument: string, scope: ReferenceScope, problems: ReferenceProblem[]): FilterParamsPart | undefined {
  const [, cube, member] = path.split('.') as [string, string, string, string];
  const parsed = parseFilterArgument(argument);
  if ('error' in parsed) {
    problems.push({ reference: path, message: `{${path}(...)}: ${parsed.error}` });
    return undefined;
  }
  if (!scope.hasCube(cube) || !scope.hasMember(cube, member)) {
    const reason = scope.hasCube(cube) ? `cube ${cube} has no member "${member}"` : `no cube "${cube}"`;
    problems.push({ reference: `${path}(...)`, message: `unknown reference {${path}(...)}: ${reason}; it renders 1 = 1`, dangling: true, inert: true });
  }
  const columnSql = parsed.column?.includes('{') ? parseSqlTemplate(parsed.column, scope, problems) : undefined;
  const resolved = columnSql?.some((part) => part.kind !== 'text') ? { columnSql } : {};
  return { kind: 'filterParams', member: `${cube}.${member}`, ...parsed, ...resolved };
}

/** `FILTER_GROUP(FILTER_PARAMS..., ...)`: filters on those members pushed keeping the query's AND/OR. */
function filterGroup(argument: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplatePart | undefined {
  const fail = (message: string): undefined => {
    problems.push({ reference: 'FILTER_GROUP', message: `{FILTER_GROUP(...)}: ${message}` });
    return undefined;
  };
  const items = splitArguments(argument);
  if (!items || items.length === 0) return fail('expected FILTER_PARAMS.cube.member.filter(...) arguments');
  const members: FilterParamsPart[] = [];
  for (const item of items) {
    CALL_AT.lastIndex = 0;
    const call = CALL_AT.exec(`{${item}`);
    const path = call ? compact(call[1]!) : '';
    const open = call ? CALL_AT.lastIndex - 2 : -1;
    const names = path.split('.');
    if (!call || names[0] !== 'FILTER_PARAMS' || names.length !== 4 || names[3] !== 'filter' || matchingParen(item, open) !== item.length - 1) {
      return fail(`every argument must be FILTER_PARAMS.cube.member.filter(...), got: ${item.slice(0, 60)}`);
    }
    const part = filterParams(path, item.slice(open + 1, item.length - 1), scope, problems);
    if (!part) return undefined;
    members.push(part);
  }
  return { kind: 'filterGroup', members };
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
    return dangling(reference, `unknown reference {${reference}}: no member "${head}" in cube ${scope.cube} and no cube of that name`, problems);
  }
  if (!scope.hasCube(cube)) return dangling(reference, `unknown reference {${reference}}: no cube "${cube}"`, problems);
  // {A.B.member}: a member reached through a join path; only the last cube matters for the SQL.
  if (rest.length === 2 && scope.hasCube(rest[0]!)) return memberPart(rest[0]!, rest[1]!, reference, scope, problems);
  if (rest.length > 1) return dangling(reference, `unknown reference {${reference}}: expected {Cube.member}`, problems);
  return memberPart(cube, rest[0]!, reference, scope, problems);
}

function memberPart(cube: string, member: string, reference: string, scope: ReferenceScope, problems: ReferenceProblem[]): SqlTemplatePart {
  if (!scope.hasMember(cube, member)) return dangling(reference, `unknown reference {${reference}}: cube ${cube} has no member "${member}"`, problems);
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

/**
 * A template written back as model source (`{CUBE}.status = 'paid'`, `{amount} / {count}`,
 * `{orders.amount}`): what `/v1/meta?extended` shows as a member's `sql`. `cube` is the cube
 * the template belongs to, whose own references are written `{CUBE}` and `{member}`.
 */
export function templateSource(template: SqlTemplate, cube: string): string {
  return template.map((part) => partSource(part, cube)).join('');
}

function partSource(part: SqlTemplatePart, cube: string): string {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'cube':
      return part.cube === cube ? '{CUBE}' : `{${part.cube}}`;
    case 'member':
      return part.path.startsWith(`${cube}.`) ? `{${part.path.slice(cube.length + 1)}}` : `{${part.path}}`;
    case 'securityContext':
      return `{SECURITY_CONTEXT.${part.path.join('.')}}`;
    case 'filterParams':
      return `{${filterParamsSource(part)}}`;
    case 'filterGroup':
      return `{FILTER_GROUP(${part.members.map(filterParamsSource).join(', ')})}`;
    case 'cubeSql':
      return `{${part.cube}.sql()}`;
    case 'dangling':
      return `{${part.reference}}`;
  }
}

function filterParamsSource(part: FilterParamsPart): string {
  const head = `FILTER_PARAMS.${part.member}.filter`;
  if (part.callback === undefined) return `${head}('${part.column ?? ''}')`;
  const { params, body } = part.callback;
  const text = body.map((piece) => (typeof piece === 'number' ? `\${${params[piece]}}` : piece)).join('');
  return `${head}((${params.join(', ')}) => \`${text}\`)`;
}
