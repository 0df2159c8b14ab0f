/**
 * Checks the residual SQL before the sandbox runs it, on PostgreSQL's parse tree: exactly one
 * plain SELECT; no refused function, table function or `WITH RECURSIVE` (`find-refused-function.ts`);
 * and every relation it reads is one of the statement's own tables or a CTE in scope. DuckDB
 * resolves any other name against its system views (`pg_settings`, `duckdb_tables`,
 * `information_schema.*`), so CTE names count only where SQL's scoping makes them visible.
 */
import { parseSync } from 'libpg-query';
import { UserError } from '../../../errors/user-error.ts';
import type { AstNode } from '../translate/walk-ast.ts';
import { findRefusedFunction } from './find-refused-function.ts';

/** Throws a UserError (42501, 42883, 0A000) unless `sql` is one SELECT reading only `tables`. */
export function checkResidualSql(sql: string, tables: ReadonlySet<string>): void {
  const select = parseOneSelect(sql);
  if (select.intoClause || select.lockingClause) throw new UserError('UNSUPPORTED', 'SELECT INTO and FOR UPDATE/SHARE are not supported in queries over cubes and views');
  const refusal = findRefusedFunction(select);
  if (refusal) throw new UserError(refusal.code, refusal.message);
  const lower = new Set([...tables].map((t) => t.toLowerCase()));
  checkRelations(select, new Set(), lower);
}

function parseOneSelect(sql: string): AstNode {
  let stmts: { stmt?: AstNode }[];
  try {
    stmts = (parseSync(sql) as { stmts?: { stmt?: AstNode }[] }).stmts ?? [];
  } catch (error) {
    throw new UserError('UNSUPPORTED', `the SQL API cannot check this query's post-processing step: ${(error as Error).message}`, { cause: error });
  }
  const select = stmts.length === 1 ? stmts[0]!.stmt?.SelectStmt : undefined;
  if (!select) throw new UserError('UNSUPPORTED', 'the post-processing step of a query over cubes and views must be a single SELECT');
  return select as AstNode;
}

/**
 * Walks `node` with the CTE names visible there: a WITH's names are visible in the statement's
 * body, and each CTE sees the ones defined before it (non-recursive WITH, as in PostgreSQL).
 */
function checkRelations(node: unknown, visible: ReadonlySet<string>, tables: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) checkRelations(item, visible, tables);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const body = node as AstNode;
  if (body.withClause) {
    const scope = new Set(visible);
    for (const cte of (body.withClause.ctes ?? []) as AstNode[]) {
      const def = cte.CommonTableExpr ?? {};
      checkRelations(def.ctequery, scope, tables);
      scope.add(String(def.ctename).toLowerCase());
    }
    for (const [key, value] of Object.entries(body)) if (key !== 'withClause') checkRelations(value, scope, tables);
    return;
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'RangeVar') checkRangeVar(value as AstNode, visible, tables);
    else checkRelations(value, visible, tables);
  }
}

function checkRangeVar(rv: AstNode, visible: ReadonlySet<string>, tables: ReadonlySet<string>): void {
  const name = String(rv.relname ?? '').toLowerCase();
  const qualified = Boolean(rv.schemaname || rv.catalogname);
  if (!qualified && (tables.has(name) || visible.has(name))) return;
  const shown = [rv.catalogname, rv.schemaname, rv.relname].filter(Boolean).join('.');
  throw new UserError('ACCESS_DENIED', `relation ${shown} is not readable here: queries over cubes and views read only cubes and views`);
}
