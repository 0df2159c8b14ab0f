/**
 * The catalog database is one shared session, so functions that describe the session
 * (current_user, current_database(), pg_backend_pid(), current_setting('…')) would answer for
 * PGlite, not for this connection. Before a catalog statement runs they are rewritten into calls
 * of same-named functions in schema `sqlapi_session` that return this connection's value
 * (same-named, so the result column keeps the name Postgres gives it).
 */
import { applySplices, SqlText, type Splice } from '../translate/sql-text.ts';
import { names, walkAst, type AstNode } from '../translate/walk-ast.ts';
import type { SessionState } from '../session/session-state.ts';

export const SESSION_FUNCTIONS_SQL = [
  'CREATE SCHEMA sqlapi_session',
  `CREATE FUNCTION sqlapi_session."current_user"(name) RETURNS name LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session."session_user"(name) RETURNS name LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session."user"(name) RETURNS name LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session."current_catalog"(name) RETURNS name LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session.current_database(name) RETURNS name LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session.pg_backend_pid(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
  `CREATE FUNCTION sqlapi_session.current_setting(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1'`,
];

const VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_USER: 'user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
};

const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The statement text with session functions bound to this connection's values (unchanged when none occur). */
export function bindSessionValues(sql: string, stmt: AstNode | undefined, session: SessionState, processId: number): string {
  if (!stmt || !/current_|session_user|\buser\b|pg_backend_pid/i.test(sql)) return sql;
  const text = new SqlText(sql);
  const splices: Splice[] = [];
  walkAst(stmt, (type, body) => {
    if (type === 'SQLValueFunction' && VALUE_FUNCTIONS[body.op]) {
      const fn = VALUE_FUNCTIONS[body.op]!;
      const value = fn === 'current_catalog' ? session.database : session.user;
      splices.push({ start: body.location, end: text.nameEnd(body.location), text: `sqlapi_session."${fn}"(${literal(value)})` });
    } else if (type === 'FuncCall' && names(body.funcname).length === 1) {
      const fn = names(body.funcname)[0]!.toLowerCase();
      const end = () => text.callEnd(body.location);
      if (fn === 'current_database' && !body.args) splices.push({ start: body.location, end: end(), text: `sqlapi_session.current_database(${literal(session.database)})` });
      else if (fn === 'pg_backend_pid' && !body.args) splices.push({ start: body.location, end: end(), text: `sqlapi_session.pg_backend_pid(${processId})` });
      else if (fn === 'current_setting' && body.args?.length === 1) {
        const key = body.args[0]?.A_Const?.sval?.sval;
        const value = typeof key === 'string' ? session.settings.get(key.toLowerCase()) : undefined;
        if (value !== undefined) splices.push({ start: body.location, end: end(), text: `sqlapi_session.current_setting(${literal(value)})` });
      }
    }
  });
  return splices.length ? applySplices(text, splices) : sql;
}
