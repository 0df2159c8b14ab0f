/**
 * The authentication hook of the SQL API, modelled on Cube's `checkSqlAuth`.
 * For SCRAM-SHA-256 and md5 the server never sees the password, so the hook is called with
 * `password = null` and must return the expected password; for cleartext (TLS only) it receives
 * the password and may verify it itself (then omit `password` in the result).
 */
import type { SecurityContext } from '../../../engine/engine-types.ts';

/** What `checkSqlAuth` returns for a known user. */
export interface SqlAuthResult {
  /** The user's password; required for SCRAM and md5, optional for cleartext. */
  readonly password?: string;
  readonly securityContext: SecurityContext;
}

/** Returns null (or throws a UserError) for an unknown user or a wrong password. */
export type CheckSqlAuth = (
  user: string,
  password: string | null,
  database: string,
) => Promise<SqlAuthResult | null> | SqlAuthResult | null;

/** `trust` asks for no password (dev mode without configured users); the hook still maps the user. */
export type SqlAuthMethod = 'scram-sha-256' | 'md5' | 'password' | 'trust';
