/**
 * Generic helpers over libpg-query's JSON parse tree (nodes are `{ NodeType: {...} }`).
 */

/** A parse-tree node: a one-key object naming its type. */
export type AstNode = Record<string, any>;

/** Calls `visit(type, body)` for every node below `root` (depth first). Return false to skip children. */
export function walkAst(root: unknown, visit: (type: string, body: AstNode) => boolean | void): void {
  if (Array.isArray(root)) {
    for (const item of root) walkAst(item, visit);
    return;
  }
  if (root === null || typeof root !== 'object') return;
  for (const [key, value] of Object.entries(root as AstNode)) {
    if (value !== null && typeof value === 'object' && /^[A-Z]/.test(key) && !Array.isArray(value)) {
      if (visit(key, value) === false) continue;
    }
    walkAst(value, visit);
  }
}

/** The type and body of a single node `{ Type: body }`. */
export function nodeOf(node: unknown): [string, AstNode] | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const entries = Object.entries(node as AstNode);
  if (entries.length !== 1) return undefined;
  return entries[0] as [string, AstNode];
}

/** Text of a `String` node list, e.g. funcname or ColumnRef fields. */
export function names(list: readonly AstNode[] | undefined): string[] {
  return (list ?? []).map((n) => (n.String?.sval as string | undefined) ?? (n.A_Star ? '*' : ''));
}
