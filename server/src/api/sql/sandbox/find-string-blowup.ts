/**
 * DuckDB's `memory_limit` bounds its buffer-managed memory, not the string heaps of the vectors a
 * scalar function fills: `repeat('x', 1500000000)` allocates 1.5 GB per row outside the limit (the
 * QA run saw the server reach 3.9 GB). So the functions that build a string of a requested length
 * (`repeat`, `lpad`, `rpad`) may ask for at most MAX_STRING_LENGTH characters, nested calls
 * counting the product of their lengths, and a `printf`/`format` pattern may not ask for a field
 * width of that many characters. The check reads constants of the statement's text (casts
 * included); a length computed from data, or a parameter, is not known before the statement runs
 * and is not bounded here.
 */
import { names, walkAst, type AstNode } from '../translate/walk-ast.ts';

/** Characters one built string may have: 1 MB of ASCII; BI tools pad to a few characters. */
export const MAX_STRING_LENGTH = 1_000_000;

/** The argument holding the requested length, per function. */
const LENGTH_ARGUMENT: Readonly<Record<string, number>> = { repeat: 1, lpad: 1, rpad: 1 };
const PATTERN_FUNCTIONS = new Set(['printf', 'format']);

/** A constant number written in the text (`1500000000`, `'1500000000'::int`, `CAST(… AS bigint)`), else undefined. */
function constantNumber(node: AstNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return constantNumber(node.TypeCast.arg);
  const c = node.A_Const;
  if (!c) return undefined;
  if (c.ival) return Number(c.ival.ival ?? 0);
  if (c.fval) return Number(c.fval.fval);
  if (c.sval && /^\s*[+-]?\d+(\.\d*)?\s*$/.test(String(c.sval.sval))) return Number(c.sval.sval);
  return undefined;
}

/** The widest field a printf/format pattern asks for (`%1000000000s`, `{:>1000000000}`), or 0. */
function widestField(pattern: string): number {
  let widest = 0;
  // printf's `%-08d`-style widths and fmt's `{:>8}`-style ones; other digits are text.
  for (const m of pattern.matchAll(/%[-+ #0']*(\d+)|\{[^{}]*:[^{}\d]*(\d+)/g)) widest = Math.max(widest, Number(m[1] ?? m[2]));
  return widest;
}

/** A message naming the call that would build a string past MAX_STRING_LENGTH, or undefined. */
export function findStringBlowup(tree: unknown, outer = 1): string | undefined {
  let found: string | undefined;
  walkAst(tree, (type, body) => {
    if (found) return false;
    if (type !== 'FuncCall') return true;
    const fn = (names(body.funcname).at(-1) ?? '').toLowerCase();
    const args = (body.args ?? []) as AstNode[];
    if (PATTERN_FUNCTIONS.has(fn)) {
      const pattern = args[0]?.A_Const?.sval?.sval;
      if (typeof pattern === 'string' && widestField(pattern) > MAX_STRING_LENGTH) {
        found = `${fn}() may not ask for a field wider than ${MAX_STRING_LENGTH} characters`;
      }
      return found === undefined;
    }
    const at = LENGTH_ARGUMENT[fn];
    if (at === undefined) return true;
    const length = Math.max(1, constantNumber(args[at]) ?? 1);
    const total = outer * length;
    if (total > MAX_STRING_LENGTH) {
      found = `${fn}() may build a string of at most ${MAX_STRING_LENGTH} characters (this one asks for ${total})`;
      return false;
    }
    found = findStringBlowup(args, total);
    return false;
  });
  return found;
}
