/**
 * The static half of the sandbox, over PostgreSQL's parse tree (libpg-query): finds the first
 * construct SQL over cubes and views may not use. Shared by `classify-statement.ts` (a statement
 * reading model tables is refused before the engine runs) and `check-residual-sql.ts` (the SQL
 * the sandbox runs is checked again after translation).
 */
import type { ErrorCode } from '../../../errors/error-codes.ts';
import { names, walkAst } from '../translate/walk-ast.ts';
import { isAllowedFunction, isStateReader } from './allowed-functions.ts';
import { findStringBlowup } from './find-string-blowup.ts';

/** Why a statement is refused: a registered error code (its SQLSTATE) and a message naming the culprit. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Value functions that read the session or catalog rather than the clock. */
const SESSION_VALUES: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/**
 * The first refused construct below `tree`, or undefined:
 * - a table function in FROM (`read_text(…)`, `range(…)`, `ROWS FROM`, `XMLTABLE`, `JSON_TABLE`): 42501;
 * - a call to a function outside the allow-list: 42501 when it reads files, settings, the catalog
 *   or the environment, else 42883; a qualified name other than `pg_catalog.f`: 42501;
 * - `current_user` and the other session value functions: 42501;
 * - `WITH RECURSIVE`: 0A000. Refused outright rather than bounded by the timeout: no BI tool sends
 *   it over a semantic model, and it is the one construct left that generates rows from nothing,
 *   so without it the work of a statement is bounded by the size of its semantic results;
 * - `repeat`/`lpad`/`rpad` asking for a string past a million characters, or a printf/format
 *   field that wide (`find-string-blowup.ts`): 54000, since DuckDB's memory limit does not bound them.
 */
export function findRefusedFunction(tree: unknown): Refusal | undefined {
  let refusal = recursiveRefusal(tree);
  walkAst(tree, (type, body) => {
    if (refusal) return false;
    refusal = refusalOf(type, body) ?? recursiveRefusal(body);
    return refusal === undefined;
  });
  if (refusal) return refusal;
  const blowup = findStringBlowup(tree);
  return blowup ? { code: 'LIMIT_EXCEEDED', message: `${blowup}: the SQL API's post-processing memory does not bound such strings` } : undefined;
}

/** `withClause` is a field of SelectStmt (and of the DML nodes), not a node of its own. */
function recursiveRefusal(node: unknown): Refusal | undefined {
  const withClause = (node as { withClause?: { recursive?: boolean } } | null)?.withClause;
  return withClause?.recursive ? { code: 'UNSUPPORTED', message: 'WITH RECURSIVE is not supported in queries over cubes and views' } : undefined;
}

function refusalOf(type: string, body: Record<string, any>): Refusal | undefined {
  switch (type) {
    case 'RangeFunction': {
      const call = body.functions?.[0]?.List?.items?.[0]?.FuncCall;
      const name = call ? names(call.funcname).join('.') : 'ROWS FROM';
      return { code: 'ACCESS_DENIED', message: `table function ${name}() is not allowed in the SQL API: queries over cubes and views read only cubes and views` };
    }
    case 'RangeTableFunc':
    case 'JsonTable':
      return { code: 'ACCESS_DENIED', message: `${type === 'JsonTable' ? 'JSON_TABLE' : 'XMLTABLE'} is not allowed in the SQL API: queries over cubes and views read only cubes and views` };
    case 'FuncCall':
      return functionRefusal(body.funcname);
    case 'SQLValueFunction': {
      const name = SESSION_VALUES[String(body.op)];
      return name ? { code: 'ACCESS_DENIED', message: `${name} is not allowed in queries over cubes and views` } : undefined;
    }
    default:
      return undefined;
  }
}

function functionRefusal(funcname: readonly Record<string, any>[] | undefined): Refusal | undefined {
  const parts = names(funcname);
  const name = parts.at(-1) ?? '';
  const qualifier = parts.slice(0, -1).map((p) => p.toLowerCase());
  const acceptedQualifier = qualifier.length === 0 || (qualifier.length === 1 && qualifier[0] === 'pg_catalog');
  if (!acceptedQualifier) {
    return { code: 'ACCESS_DENIED', message: `function ${parts.join('.')}() is not allowed in the SQL API: only pg_catalog may qualify a function name` };
  }
  if (isAllowedFunction(name)) return undefined;
  if (isStateReader(name)) {
    return { code: 'ACCESS_DENIED', message: `function ${parts.join('.')}() is not allowed in the SQL API: it reads files, settings or server state` };
  }
  return { code: 'UNDEFINED_FUNCTION', message: `function ${name}() is not available in queries over cubes and views` };
}
