/**
 * Postgres's SQLSTATE for residual SQL that mixes types Postgres does not mix: DuckDB's binder
 * refuses the same statements (a number given to a text function or LIKE, a CASE or COALESCE of
 * text and numbers) but its error reached the client as 0A000. Postgres says 42883 (no such
 * function or operator for those types) and 42804 (CASE/COALESCE types cannot be matched).
 * https://www.postgresql.org/docs/current/typeconv-union-case.html
 */
import { isUserError, UserError } from '../../../errors/user-error.ts';

/** DuckDB's type names as Postgres names them (literals are Postgres's `unknown`). */
function postgresType(duck: string): string {
  const t = duck.trim().toUpperCase();
  if (t.endsWith('_LITERAL')) return t.startsWith('STRING') ? 'unknown' : postgresType(t.replace(/_LITERAL$/, ''));
  if (t.startsWith('DECIMAL')) return 'numeric';
  const names: Record<string, string> = {
    DOUBLE: 'double precision', FLOAT: 'real', INTEGER: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint', HUGEINT: 'numeric',
    VARCHAR: 'text', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp without time zone', 'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone', INTERVAL: 'interval',
  };
  return names[t] ?? t.toLowerCase();
}

/** DuckDB's names of operators Postgres spells otherwise. */
const OPERATORS: Readonly<Record<string, string>> = { '~~': '~~', '!~~': '!~~', '~~*': '~~*', '!~~*': '!~~*', '||': '||', '+': '+', '-': '-', '*': '*', '^': '^' };

/** The error to give for a residual step's type mismatch; any other error is returned as it is. */
export function typeMismatch(error: unknown): unknown {
  if (!isUserError(error)) return error;
  const mixed = /Cannot mix values of type (.+?) and (.+?) in (CASE|COALESCE) (?:expression|operator)/.exec(error.message);
  if (mixed) {
    return new UserError('INVALID_VALUE', `${mixed[3]} types ${postgresType(mixed[1]!)} and ${postgresType(mixed[2]!)} cannot be matched`, { sqlState: '42804', cause: error });
  }
  const call = /No function matches the given name and argument types '(.+?)\((.*)\)'/.exec(error.message);
  if (!call || call[1] === '//') return error;
  const types = call[2]!.split(', ').filter(Boolean).map(postgresType);
  const operator = OPERATORS[call[1]!];
  const message = operator && types.length === 2 ? `operator does not exist: ${types[0]} ${operator} ${types[1]}` : `function ${call[1]}(${types.join(', ')}) does not exist`;
  return new UserError('UNDEFINED_FUNCTION', message, { sqlState: '42883', cause: error, hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}
