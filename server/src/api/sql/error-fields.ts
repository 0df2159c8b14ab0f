/**
 * Maps any error to the fields of an ErrorResponse, once for the whole SQL API: UserErrors by
 * their registered SQLSTATE, catalog errors as Postgres reported them, parser errors as 42601,
 * anything else as an internal error (logged, never shown with its stack).
 */
import { hasSqlDetails } from 'libpg-query';
import { isUserError } from '../../errors/user-error.ts';
import { CatalogError } from './catalog/catalog-database.ts';
import { SqlStateError } from './session/session-commands.ts';
import type { ErrorFields } from './wire/backend-messages.ts';
import { WireError } from './wire/wire-error.ts';

export function errorFields(error: unknown, onInternalError: (e: unknown) => void): ErrorFields {
  if (isUserError(error)) {
    const where = error.location ? `${error.location.file}:${error.location.line}` : undefined;
    return { severity: 'ERROR', code: error.sqlState, message: error.message, hint: error.hint, detail: where };
  }
  if (error instanceof SqlStateError || error instanceof WireError) return { severity: 'ERROR', code: error.sqlState, message: error.message };
  if (error instanceof CatalogError) {
    const f = error.fields;
    return { severity: 'ERROR', code: f.C ?? 'XX000', message: f.M ?? error.message, detail: f.D, hint: f.H, position: f.P ? Number(f.P) : undefined };
  }
  if (hasSqlDetails(error)) {
    const position = error.sqlDetails?.cursorPosition;
    return { severity: 'ERROR', code: '42601', message: error.message, position: position === undefined ? undefined : position + 1 };
  }
  if (error instanceof Error && error.name === 'AbortError') return { severity: 'ERROR', code: '57014', message: 'canceling statement due to user request' };
  onInternalError(error);
  return { severity: 'ERROR', code: 'XX000', message: 'internal error in the SQL API (logged on the server)' };
}
