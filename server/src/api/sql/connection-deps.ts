/**
 * What a SQL API connection needs from its server, and what its session runs statements with:
 * the contract between the server (start-sql-server.ts), the connection (pg-connection.ts) and
 * the extended protocol, kept apart so neither of the last two imports the other for it.
 */
import type { SecureContext } from 'node:tls';
import type { RequestContext } from '../../engine/engine-types.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './auth/sql-auth-types.ts';
import type { CatalogLease } from './catalog/model-catalogs.ts';
import type { ExecutionDeps } from './execute-statement.ts';

/** Everything a connection needs from its server. */
export interface ConnectionDeps extends Omit<ExecutionDeps, 'catalog' | 'findTable'> {
  readonly checkSqlAuth: CheckSqlAuth;
  /** The tables and catalog this caller may see, chosen once authentication gives a security context. */
  readonly acquireCatalog: (ctx: RequestContext) => Promise<CatalogLease>;
  readonly authMethod: SqlAuthMethod;
  readonly tls?: SecureContext;
  readonly cancels: Map<number, { secretKey: number; cancel: () => void }>;
  readonly onInternalError: (error: unknown) => void;
  /** Largest Query/Parse/Bind message accepted, length word included. */
  readonly maxMessageBytes: number;
  /** A connection whose credentials are not accepted within this time is closed. */
  readonly authTimeoutMs: number;
  /** Called once when the credentials are accepted (the catalog may still be loading). */
  readonly onAuthenticated?: () => void;
  /** Called once when the connection ends, however it ends. */
  readonly onClose?: () => void;
}

/** What an authenticated connection runs statements with. */
export type SessionDeps = ConnectionDeps & ExecutionDeps;
