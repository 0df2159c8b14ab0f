/**
 * Values turned into text in the residual SQL as Postgres turns them: with the type's output
 * function. DuckDB writes a whole DOUBLE with `.0` (`2024.0`, where Postgres's float8 prints `2024`),
 * `inf`/`nan` for Infinity/NaN and `true`/`false` for booleans (Postgres: `t`/`f`). Number
 * dimensions and measures are DOUBLE columns in the sandbox, so every place a value becomes text —
 * a cast to text, `||`, concat/concat_ws, format's %s/%I/%L — reads it through `postgresText`, which
 * picks the printing by the operand's DuckDB type (typeof is known when DuckDB binds the statement).
 * Postgres's format() is translated into a concat of its pieces: DuckDB's format() is fmt-style.
 * https://www.postgresql.org/docs/current/functions-string.html#FUNCTIONS-STRING-FORMAT
 * Rewritten on the residual parse tree, bottom up.
 */
import { isUserError, UserError } from '../../../errors/user-error.ts';
import { funcCallNode, rewriteBottomUp } from './transform-ast.ts';
import { names, type AstNode } from './walk-ast.ts';

const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar']);

const str = (sval: string): AstNode => ({ A_Const: { sval: { sval } } });
const castTo = (arg: AstNode, type: string): AstNode => ({ TypeCast: { arg, typeName: { names: [{ String: { sval: type } }], typemod: -1 } } });
const caseOf = (arg: AstNode | undefined, whens: [AstNode, AstNode][], otherwise: AstNode): AstNode => ({
  CaseExpr: { ...(arg ? { arg } : {}), args: whens.map(([expr, result]) => ({ CaseWhen: { expr, result } })), defresult: otherwise },
});

/**
 * `value` as Postgres prints it, whatever its DuckDB type. Booleans print `t`/`f` (boolout, what
 * `||`, concat and format use) or, `castToText`, `true`/`false` (Postgres's bool → text cast).
 */
export function postgresText(value: AstNode, castToText = false): AstNode {
  const text = castTo(structuredClone(value), 'varchar');
  const float = caseOf(structuredClone(text), [[str('inf'), str('Infinity')], [str('-inf'), str('-Infinity')], [str('nan'), str('NaN')]], funcCallNode('regexp_replace', [structuredClone(text), str('\\.0$'), str('')]));
  const bool = funcCallNode('left', [structuredClone(text), { A_Const: { ival: { ival: 1 } } }]);
  const type = funcCallNode('typeof', [structuredClone(value)]);
  return caseOf(type, [[str('DOUBLE'), float], [str('FLOAT'), float], ...(castToText ? [] : [[str('BOOLEAN'), bool] as [AstNode, AstNode]])], text);
}

/** A node that is text already (a string constant) or cannot be printed differently (NULL). */
function isPlainText(node: AstNode | undefined): boolean {
  return Boolean(node?.A_Const && (node.A_Const.sval || node.A_Const.isnull));
}

const asText = (node: AstNode, castToText = false): AstNode => (isPlainText(node) || node.A_ArrayExpr ? node : postgresText(node, castToText));

/** Rewrites every place below `tree` where a value becomes text (see the file's doc comment). */
export function rewriteTextConversions(tree: unknown): void {
  rewriteBottomUp(tree, rewriteTextConversion);
}

function rewriteTextConversion(node: AstNode): void {
  const expr = node.A_Expr;
  if (expr?.kind === 'AEXPR_OP' && names(expr.name).at(-1) === '||' && expr.lexpr && expr.rexpr) {
    // `||` casts a non-text operand to text (textanycat is `$1::text || $2`): booleans read true/false.
    expr.lexpr = asText(expr.lexpr, true);
    expr.rexpr = asText(expr.rexpr, true);
    return;
  }
  const cast = node.TypeCast;
  const textType = cast && !cast.typeName?.arrayBounds ? names(cast.typeName?.names).at(-1)?.toLowerCase() : undefined;
  if (cast?.arg && textType && TEXT_TYPES.has(textType)) {
    cast.arg = asText(cast.arg, true);
    // DuckDB ignores a length; Postgres's explicit cast cuts to it (and char(n) pads to it).
    const length = cast.typeName.typmods?.[0]?.A_Const?.ival?.ival;
    if (typeof length === 'number' && textType !== 'text') {
      const cut = funcCallNode('left', [{ TypeCast: cast }, { A_Const: { ival: { ival: length } } }]);
      const sized = textType === 'bpchar' ? funcCallNode('rpad', [cut, { A_Const: { ival: { ival: length } } }, str(' ')]) : cut;
      delete node.TypeCast;
      Object.assign(node, sized);
    }
    return;
  }
  const call = node.FuncCall;
  const fn = call && names(call.funcname).length === 1 ? names(call.funcname)[0]!.toLowerCase() : undefined;
  if (!call?.args?.length || call.agg_star || call.over) return;
  if (fn === 'concat' || fn === 'concat_ws') call.args = call.args.map((a: AstNode) => asText(a));
  else if (fn === 'format') Object.assign(node, formatAsConcat(call.args));
}

/**
 * Postgres's format(fmt, args…) as concat(pieces…): literal text, %s (the value's text, NULL as
 * nothing), %I (quoted as an identifier when it needs quotes), %L (quoted as a literal, NULL as
 * NULL), %%, positions (%2$s) and widths (%10s, %-10s). The format must be a constant.
 */
function formatAsConcat(args: readonly AstNode[]): AstNode {
  const fmt = args[0]?.A_Const?.sval?.sval;
  if (typeof fmt !== 'string') throw new UserError('UNSUPPORTED', 'format() with a format string that is not a constant is not supported over cubes and views');
  const pieces: AstNode[] = [];
  let literal = '';
  let next = 1;
  const spec = /%(?:(\d+)\$)?(-)?(\d+)?([sIL%])/y;
  for (let i = 0; i < fmt.length; ) {
    if (fmt[i] !== '%') {
      literal += fmt[i++];
      continue;
    }
    spec.lastIndex = i;
    const m = spec.exec(fmt);
    if (!m && /^%[\d$-]*\*/.test(fmt.slice(i))) throw new UserError('UNSUPPORTED', 'format() with a width taken from an argument (%*s) is not supported over cubes and views');
    if (!m) throw new UserError('INVALID_VALUE', `unrecognized format() type specifier "${fmt.slice(i + 1).replace(/^[\d$-]*/, '')[0] ?? ''}"`, { sqlState: '22023', hint: 'use %s, %I, %L or %%' });
    i = spec.lastIndex;
    if (m[4] === '%') {
      literal += '%';
      continue;
    }
    const position = m[1] ? Number(m[1]) : next;
    next = position + 1;
    const arg = args[position];
    if (!arg) throw new UserError('INVALID_VALUE', 'too few arguments for format()', { sqlState: '22023' });
    if (literal) pieces.push(str(literal));
    literal = '';
    let piece = formatted(arg, m[4] as 's' | 'I' | 'L');
    if (m[3]) piece = padded(piece, Number(m[3]), m[2] ? 'rpad' : 'lpad');
    pieces.push(piece);
  }
  if (literal || pieces.length === 0) pieces.push(str(literal));
  return funcCallNode('concat', pieces);
}

/** A width pads, never cuts (DuckDB's lpad/rpad cut a longer text). */
function padded(piece: AstNode, width: number, pad: 'lpad' | 'rpad'): AstNode {
  const text = (): AstNode => ({ CoalesceExpr: { args: [structuredClone(piece), str('')] } });
  const n = { A_Const: { ival: { ival: width } } };
  const fits = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '>=' } }], lexpr: funcCallNode('length', [text()]), rexpr: n } };
  return caseOf(undefined, [[fits, text()]], funcCallNode(pad, [text(), structuredClone(n), str(' ')]));
}

function formatted(arg: AstNode, type: 's' | 'I' | 'L'): AstNode {
  const text = asText(arg);
  if (type === 's') return text;
  const quoted = (q: string): AstNode => funcCallNode('concat', [str(q), funcCallNode('replace', [structuredClone(text), str(q), str(q + q)]), str(q)]);
  if (type === 'L') return caseOf(undefined, [[{ NullTest: { arg: structuredClone(arg), nulltesttype: 'IS_NULL' } }, str('NULL')]], quoted("'"));
  const plain = funcCallNode('regexp_matches', [structuredClone(text), str('^[a-z_][a-z0-9_$]*$')]);
  return caseOf(undefined, [[plain, structuredClone(text)]], quoted('"'));
}

/** DuckDB's names of the types a text can fail to convert to, as Postgres names them. */
const POSTGRES_TYPE_NAMES: Readonly<Record<string, string>> = {
  DOUBLE: 'double precision', FLOAT: 'real', INTEGER: 'integer', INT32: 'integer', BIGINT: 'bigint', INT64: 'bigint', SMALLINT: 'smallint', INT16: 'smallint', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp without time zone',
};

/**
 * The error to give for a residual step's failure: text read as a number, boolean or date that is
 * none (`CASE … THEN 'x' ELSE ano END` makes Postgres read 'x' as a float8) is Postgres's 22P02
 * with its wording; any other error is returned as it is.
 */
export function invalidTextRepresentation(error: unknown): unknown {
  if (!isUserError(error)) return error;
  const m = /Could not convert string '((?:[^']|'')*)' to (\w+)/.exec(error.message);
  const type = m && POSTGRES_TYPE_NAMES[m[2]!];
  if (!type) return error;
  return new UserError('INVALID_VALUE', `invalid input syntax for type ${type}: "${m[1]!.replace(/''/g, "'")}"`, { sqlState: '22P02', cause: error });
}
