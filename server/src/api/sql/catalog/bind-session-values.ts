/**
 * The catalog database is one shared session, so functions that describe the session
 * (current_user, current_database(), pg_backend_pid(), current_setting('…')) would answer for
 * PGlite, not for this connection. Before a catalog statement runs they are replaced by scalar
 * subqueries holding this connection's value, `(SELECT 'ana'::name AS "current_user")`: Postgres
 * names such a subquery's column after its only output column, so the result column keeps the
 * name and type Postgres gives the function, and no helper object shows up in the catalog.
 */
import { applySplices, SqlText, type Splice } from '../translate/sql-text.ts';
import { names, walkAst, type AstNode } from '../translate/walk-ast.ts';
import type { SessionState } from '../session/session-state.ts';

const VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_USER: 'user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
};

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `value` typed as `type`, named like the function it stands for. */
const bound = (value: string, type: string, name: string): string => `(SELECT ${literal(value)}::${type} AS "${name}")`;

/** The statement text with session functions bound to this connection's values (unchanged when none occur). */
export function bindSessionValues(sql: string, stmt: AstNode | undefined, session: SessionState, processId: number): string {
  if (!stmt || !/current_|session_user|\buser\b|pg_backend_pid/i.test(sql)) return sql;
  const text = new SqlText(sql);
  const splices: Splice[] = [];
  walkAst(stmt, (type, body) => {
    if (type === 'SQLValueFunction' && VALUE_FUNCTIONS[body.op]) {
      const fn = VALUE_FUNCTIONS[body.op]!;
      const value = fn === 'current_catalog' ? session.database : session.user;
      splices.push({ start: body.location, end: text.nameEnd(body.location), text: bound(value, 'name', fn) });
    } else if (type === 'FuncCall' && names(body.funcname).length === 1) {
      const fn = names(body.funcname)[0]!.toLowerCase();
      const end = () => text.callEnd(body.location);
      if (fn === 'current_database' && !body.args) splices.push({ start: body.location, end: end(), text: bound(session.database, 'name', fn) });
      else if (fn === 'pg_backend_pid' && !body.args) splices.push({ start: body.location, end: end(), text: bound(String(processId), 'integer', fn) });
      else if (fn === 'current_setting' && body.args?.length === 1) {
        const key = body.args[0]?.A_Const?.sval?.sval;
        const value = typeof key === 'string' ? session.settings.get(key.toLowerCase()) : undefined;
        if (value !== undefined) splices.push({ start: body.location, end: end(), text: bound(value, 'text', fn) });
      }
    }
  });
  return splices.length ? applySplices(text, splices) : sql;
}
