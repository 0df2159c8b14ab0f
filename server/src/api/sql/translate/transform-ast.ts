/**
 * Rewrites of libpg-query parse trees as plain data: a node is replaced where it sits (one node by
 * one, or one list item by several), never by splicing SQL text.
 */
import { parseSync } from 'libpg-query';
import type { ParamValue } from '../wire/decode-param.ts';
import type { AstNode } from './walk-ast.ts';

/**
 * Walks `root` depth first and replaces each wrapper node (`{ Type: body }`) for which `replace`
 * returns something: a node, or, for an item of a list, several nodes. Replacements are not
 * walked again. Mutates `root` (callers work on their own clone).
 */
export function transformAst(root: AstNode, replace: (node: AstNode) => AstNode | AstNode[] | undefined): void {
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const r = isWrapper(node[i]) ? replace(node[i]) : undefined;
        if (r === undefined) visit(node[i]);
        else if (Array.isArray(r)) {
          node.splice(i, 1, ...r);
          i += r.length - 1;
        } else node[i] = r;
      }
      return;
    }
    for (const [key, value] of Object.entries(node as AstNode)) {
      if (isWrapper(value)) {
        const r = replace(value);
        if (r !== undefined && !Array.isArray(r)) {
          (node as AstNode)[key] = r;
          continue;
        }
      }
      visit(value);
    }
  };
  visit(root);
}

function isWrapper(value: unknown): value is AstNode {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && /^[A-Z]/.test(keys[0]!);
}

/** The body of a wrapper node. */
export function bodyOf(node: AstNode): AstNode {
  return Object.values(node)[0] as AstNode;
}

/** `alias.column` (or `column`) as a ColumnRef node. */
export function columnRefNode(...fields: string[]): AstNode {
  return { ColumnRef: { fields: fields.map((sval) => ({ String: { sval } })) } };
}

/** `fn(args…)` as a FuncCall node. */
export function funcCallNode(fn: string, args: AstNode[]): AstNode {
  return { FuncCall: { funcname: [{ String: { sval: fn } }], args, funcformat: 'COERCE_EXPLICIT_CALL' } };
}

/**
 * Calls `rewrite` on every node object below `tree`, children before their parent, so a rewrite in
 * place (the Postgres-semantics passes over the residual SQL) sees its operands already rewritten.
 */
export function rewriteBottomUp(tree: unknown, rewrite: (node: AstNode) => void): void {
  if (tree === null || typeof tree !== 'object') return;
  if (Array.isArray(tree)) {
    for (const item of tree) rewriteBottomUp(item, rewrite);
    return;
  }
  for (const value of Object.values(tree as AstNode)) rewriteBottomUp(value, rewrite);
  rewrite(tree as AstNode);
}

/** Turns `node` into `replacement` in place (its parent keeps pointing at the same object). */
export function replaceNode(node: AstNode, replacement: AstNode): void {
  for (const key of Object.keys(node)) delete (node as Record<string, unknown>)[key];
  Object.assign(node, replacement);
}

/** A constant as a literal node (numbers as written, so decimals keep their digits). */
export function literalNode(value: ParamValue | number): AstNode {
  if (value === null) return { A_Const: { isnull: true } };
  if (typeof value === 'boolean') return { A_Const: { boolval: { boolval: value } } };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { A_Const: { sval: { sval: String(value) } } };
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? { A_Const: { ival: { ival: value } } } : { A_Const: { fval: { fval: String(value) } } };
  }
  // Untyped parameters arrive as text: numeric text is a number (LIMIT $1), unless a leading zero says it is a code.
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) return /^-?\d+$/.test(value) && Math.abs(Number(value)) < 2 ** 31 ? { A_Const: { ival: { ival: Number(value) } } } : { A_Const: { fval: { fval: value } } };
  return { A_Const: { sval: { sval: value } } };
}

/** The FROM item of `SELECT * FROM <fromSql>`: builds small fragments from SQL written here. */
export function fromItemOf(fromSql: string): AstNode {
  const parsed = parseSync(`SELECT * FROM ${fromSql}`) as AstNode;
  return parsed.stmts[0].stmt.SelectStmt.fromClause[0];
}
