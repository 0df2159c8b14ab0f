/**
 * Division in the residual SQL as Postgres divides: DuckDB's `/` always divides exactly (7 / 2 is
 * 3.5) and gives NULL or Infinity for a zero divisor, where Postgres truncates integer / integer
 * toward zero (7 / 2 is 3, -7 / 2 is -3) and raises 22012 for any zero divisor (`/` and `%`).
 * DuckDB's `//` is the integer division for integer operands and the exact one otherwise
 * (7.0 // 2 is 3.5), so `/` becomes `//`; a zero divisor is turned into a failing cast whose
 * message `divisionByZero` recognizes. Rewritten on the parse tree, bottom up.
 */
import { isUserError, UserError } from '../../../errors/user-error.ts';
import { rewriteBottomUp } from './transform-ast.ts';
import { names, type AstNode } from './walk-ast.ts';

/** The text of the failing cast: what marks a DuckDB error as a division by zero. */
const MARKER = 'division by zero';

/** Rewrites every `a / b` and `a % b` below `tree` in place (see the file's doc comment). */
export function rewriteDivisions(tree: unknown): void {
  rewriteBottomUp(tree, rewriteDivision);
}

function rewriteDivision(node: AstNode): void {
  const expr = node.A_Expr as AstNode | undefined;
  if (!expr || expr.kind !== 'AEXPR_OP' || !expr.rexpr || !expr.lexpr) return;
  const op = names(expr.name).at(-1);
  if (op !== '/' && op !== '%') return;
  if (op === '/') expr.name = [{ String: { sval: '//' } }];
  expr.rexpr = guardZero(expr.rexpr as AstNode);
}

/** `CASE WHEN d = 0 THEN CAST('division by zero' AS integer) ELSE d END`: `d`, or an error when zero. */
function guardZero(divisor: AstNode): AstNode {
  const zero = { A_Const: { ival: { ival: 0 } } };
  const test = { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: structuredClone(divisor), rexpr: zero } };
  const fail = { TypeCast: { arg: { A_Const: { sval: { sval: MARKER } } }, typeName: { names: [{ String: { sval: 'int4' } }], typemod: -1 } } };
  return { CaseExpr: { args: [{ CaseWhen: { expr: test, result: fail } }], defresult: divisor } };
}

/**
 * The error to give for a residual step's failure: Postgres's 22012 for the failing cast of a zero
 * divisor (`rewriteDivisions`); 42883 naming `/` (not the `//` the client never wrote) when DuckDB
 * has no division for the operand types (`text / integer`); the error itself otherwise.
 */
export function divisionByZero(error: unknown): unknown {
  if (!isUserError(error)) return error;
  const text = `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}`;
  if (text.includes(`'${MARKER}'`)) return new UserError('INVALID_VALUE', MARKER, { sqlState: '22012', cause: error });
  const types = /No function matches the given name and argument types '\/\/\(([^)]*)\)'/.exec(text)?.[1];
  if (types !== undefined) {
    return new UserError('UNDEFINED_FUNCTION', `operator does not exist: ${types.split(', ').join(' / ')}`, {
      cause: error,
      hint: 'cast the operands to numbers (/ divides numbers)',
    });
  }
  return error;
}
