/**
 * The argument of `{FILTER_PARAMS.cube.member.filter(...)}` as Cube models write it: a string
 * literal holding the column SQL (`'created_at'`, `"created_at"`), a Python lambda returning an
 * f-string (Cube's YAML form: `lambda a, b: f"col >= {a} AND col <= {b}"`, triple quotes too) or a
 * JavaScript arrow function (or `function (a, b) { return ... }`) returning a template literal or
 * string (Cube's JS form, which the JS model front-end writes out as its source:
 * `(a, b) => \`col >= ${a} AND col <= ${b}\``).
 * Nothing is evaluated: only parameter names may be interpolated, so the body stays SQL text and
 * every argument becomes a bound parameter when the planner renders it.
 * https://cube.dev/docs/reference/data-model/context-variables#filter_params
 */
import type { FilterParamsPart } from './model-types.ts';

/** The parsed argument, or a message saying what is wrong with it. */
export type FilterArgument = Pick<FilterParamsPart, 'column' | 'callback'> | { readonly error: string };

const LAMBDA = /^lambda\b\s*([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)?\s*:\s*([\s\S]+)$/;
const ARROW = /^(?:\(\s*([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)?\s*\)|([A-Za-z_$][\w$]*))\s*=>\s*([\s\S]+)$/;
const FUNCTION = /^function\b\s*[A-Za-z_$]?[\w$]*\s*\(\s*([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)?\s*\)\s*(\{[\s\S]*\})$/;

/** Parses the text between the parentheses of `.filter(...)`. */
export function parseFilterArgument(text: string): FilterArgument {
  const source = text.trim();
  const lambda = LAMBDA.exec(source);
  const fn = FUNCTION.exec(source);
  const arrow = lambda ? null : fn ? [source, fn[1], undefined, fn[2]] : ARROW.exec(source);
  if (lambda || arrow) {
    const params = ((lambda ? lambda[1] : (arrow![1] ?? arrow![2])) ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
    const bodyText = stripBlock(lambda ? lambda[2]! : arrow![3]!);
    const literal = readLiteral(bodyText);
    if (!literal) return { error: `the function given to filter() must return one string literal (an f-string or a template literal), got: ${bodyText.slice(0, 60)}` };
    const body = interpolate(literal, params);
    return typeof body === 'string' ? { error: body } : { callback: { params, body } };
  }
  const literal = readLiteral(source);
  if (!literal || literal.interpolated) return { error: `filter() takes a quoted column SQL ('created_at') or a function (lambda a, b: f'...'), got: ${source.slice(0, 60)}` };
  return { column: literal.text };
}

/** `{ return \`...\`; }` → the returned expression (an arrow function's block body). */
function stripBlock(body: string): string {
  const block = /^\{\s*return\s+([\s\S]+?);?\s*\}$/.exec(body.trim());
  return (block ? block[1]! : body).trim();
}

interface Literal {
  readonly text: string;
  /** f-string (`{name}`) or template literal (`${name}`) placeholders are live. */
  readonly interpolated: 'python' | 'js' | undefined;
}

/** One whole string literal (optionally parenthesized): Python '…', "…", '''…''', """…""" with r/f prefixes, or a JS template literal. */
function readLiteral(input: string): Literal | undefined {
  let text = input.trim();
  while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
  const prefix = /^([rRfF]{0,2})(?=['"])/.exec(text)?.[1] ?? '';
  const rest = text.slice(prefix.length);
  const quote = rest.startsWith('"""') ? '"""' : rest.startsWith("'''") ? "'''" : rest[0];
  if (quote !== '"' && quote !== "'" && quote !== '`' && quote !== '"""' && quote !== "'''") return undefined;
  if (quote === '`' && prefix !== '') return undefined;
  if (rest.length < quote.length * 2 || !rest.endsWith(quote)) return undefined;
  const inner = rest.slice(quote.length, rest.length - quote.length);
  const raw = /r/i.test(prefix);
  // The literal must end where the text ends: an unescaped closing quote inside means two literals.
  const unescaped = raw ? inner : unescape(inner, quote);
  if (unescaped === undefined) return undefined;
  return { text: unescaped, interpolated: quote === '`' ? 'js' : /f/i.test(prefix) ? 'python' : undefined };
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', $: '\\$' };

/** Resolves backslash escapes; undefined when a bare closing quote appears inside. Keeps `\$` marked for interpolation. */
function unescape(inner: string, quote: string): string | undefined {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '\\' && i + 1 < inner.length) {
      const next = inner[++i]!;
      out += ESCAPES[next] ?? `\\${next}`;
      continue;
    }
    if (quote.length === 1 && c === quote) return undefined;
    out += c;
  }
  return out;
}

/** Splits a literal into text pieces and parameter indexes; a string is an error message. */
function interpolate(literal: Literal, params: readonly string[]): (string | number)[] | string {
  const body: (string | number)[] = [];
  const pushText = (t: string): void => {
    if (t === '') return;
    if (typeof body[body.length - 1] === 'string') body[body.length - 1] = (body[body.length - 1] as string) + t;
    else body.push(t);
  };
  const text = literal.text;
  const open = literal.interpolated === 'js' ? '${' : '{';
  let i = 0;
  while (i < text.length) {
    if (literal.interpolated === 'python' && (text.startsWith('{{', i) || text.startsWith('}}', i))) {
      pushText(text[i]!);
      i += 2;
      continue;
    }
    if (literal.interpolated && text.startsWith(open, i)) {
      const close = text.indexOf('}', i + open.length);
      const name = close < 0 ? '' : text.slice(i + open.length, close).trim();
      const index = params.indexOf(name);
      if (index < 0) return `only the function's parameters (${params.join(', ') || 'none'}) may be interpolated in its SQL, got ${text.slice(i, close < 0 ? undefined : close + 1)}`;
      body.push(index);
      i = close + 1;
      continue;
    }
    if (literal.interpolated === 'js' && text.startsWith('\\$', i)) {
      pushText('$');
      i += 2;
      continue;
    }
    pushText(text[i]!);
    i++;
  }
  return body;
}
