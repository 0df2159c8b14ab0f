/**
 * `x::numeric` and `CAST(x AS numeric|decimal)` without precision in the residual SQL, as Postgres
 * reads them. DuckDB reads an unconstrained NUMERIC as DECIMAL(18,3) and rounds to three decimals:
 * `MEASURE(ticket_medio)::numeric` answered 52.754 where Postgres answers 52.7542372881356.
 * Postgres keeps every digit of a decimal and 15 significant digits of a float8; the numbers the
 * SQL API serves are float8 (measures and number dimensions), so the cast becomes a double rounded
 * to 15 significant digits: Postgres's digits, answered as double precision. A cast with a
 * precision (`numeric(10,2)`) is DuckDB's and Postgres's alike and stays. Rewritten on the parse
 * tree, bottom up.
 */
import { parseSync } from 'libpg-query';
import { replaceNode, rewriteBottomUp, transformAst } from './transform-ast.ts';
import { names, type AstNode } from './walk-ast.ts';

const FIFTEEN_DIGITS = 'CASE WHEN __d = 0 OR NOT isfinite(__d) THEN __d ELSE round(__d, CAST(14 - floor(log10(abs(__d))) AS INTEGER)) END';

/** Rewrites every unconstrained numeric cast below `tree` in place (see the file's doc comment). */
export function rewriteUnboundedNumericCasts(tree: unknown): void {
  rewriteBottomUp(tree, rewriteCast);
}

function rewriteCast(node: AstNode): void {
  const cast = node.TypeCast as AstNode | undefined;
  if (!cast || !isUnboundedNumeric(cast.typeName)) return;
  const replacement = fifteenDigits({ TypeCast: { arg: cast.arg, typeName: { names: [{ String: { sval: 'float8' } }], typemod: -1 } } });
  replaceNode(node, replacement);
}

function isUnboundedNumeric(typeName: AstNode | undefined): boolean {
  const name = names(typeName?.names).at(-1)?.toLowerCase();
  return (name === 'numeric' || name === 'decimal') && !(typeName?.typmods?.length > 0);
}

function fifteenDigits(double: AstNode): AstNode {
  const parsed = parseSync(`SELECT ${FIFTEEN_DIGITS}`) as AstNode;
  const root = { ResTarget: parsed.stmts[0].stmt.SelectStmt.targetList[0].ResTarget };
  transformAst(root, (node) => (node.ColumnRef && names(node.ColumnRef.fields).at(-1) === '__d' ? structuredClone(double) : undefined));
  return root.ResTarget.val as AstNode;
}
