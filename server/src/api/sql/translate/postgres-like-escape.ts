/**
 * `x LIKE p ESCAPE e` (and NOT LIKE, ILIKE, NOT ILIKE) in the residual SQL. PostgreSQL's parser
 * writes it as `x ~~ pg_catalog.like_escape(p, e)`, which DuckDB cannot bind (it was 0A000 "Referenced
 * column pg_catalog not found"); DuckDB's own functions take the three operands at once:
 * like_escape(x, p, e), not_like_escape, ilike_escape, not_ilike_escape. Rewritten on the parse
 * tree, bottom up.
 */
import { funcCallNode, replaceNode, rewriteBottomUp } from './transform-ast.ts';
import { names, type AstNode } from './walk-ast.ts';

const BY_OPERATOR: Readonly<Record<string, string>> = {
  '~~': 'like_escape',
  '!~~': 'not_like_escape',
  '~~*': 'ilike_escape',
  '!~~*': 'not_ilike_escape',
};

/** Rewrites every LIKE/ILIKE with an ESCAPE below `tree` in place (see the file's doc comment). */
export function rewriteLikeEscapes(tree: unknown): void {
  rewriteBottomUp(tree, rewriteLikeEscape);
}

function rewriteLikeEscape(node: AstNode): void {
  const expr = node.A_Expr as AstNode | undefined;
  if (!expr || (expr.kind !== 'AEXPR_LIKE' && expr.kind !== 'AEXPR_ILIKE')) return;
  const escape = expr.rexpr?.FuncCall as AstNode | undefined;
  const fn = BY_OPERATOR[names(expr.name).at(-1) ?? ''];
  if (!fn || !escape || names(escape.funcname).at(-1) !== 'like_escape' || escape.args?.length !== 2) return;
  replaceNode(node, funcCallNode(fn, [expr.lexpr as AstNode, escape.args[0] as AstNode, escape.args[1] as AstNode]));
}
