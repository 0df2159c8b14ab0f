/**
 * Entry point of the Postgres-wire SQL API (Cube's SQL API counterpart, for Power BI and other BI
 * tools): a TCP server on CUBEJS_PG_SQL_PORT (default 15432) whose tables are the cubes and views
 * of the model. The composition root calls `startSqlServer`.
 *
 * Secure by default: it listens on 127.0.0.1 unless given a host, reads at most one message of
 * the allowed size per connection, closes sockets that do not log in within the auth timeout,
 * and turns away new sockets while too many are still logging in.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { loadModule } from 'libpg-query';
import type { SemanticEngine } from '../../engine/engine-types.ts';
import type { SemanticModel } from '../../model/model-types.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './auth/sql-auth-types.ts';
import { ModelCatalogs } from './catalog/model-catalogs.ts';
import { PgConnection } from './pg-connection.ts';
import { errorResponse } from './wire/backend-messages.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './wire/message-framer.ts';

export const DEFAULT_SQL_PORT = 15432;
/** Loopback only: reaching the SQL API from other machines is a decision (CUBEJS_PG_SQL_HOST). */
export const DEFAULT_SQL_HOST = '127.0.0.1';
/**
 * 10 s to log in. Clients send the startup packet and credentials without waiting on a person
 * (psql asks for the password before it connects, or reconnects after asking; drivers have it
 * up front), and a SCRAM exchange takes two round trips; 10 s still covers slow links and a
 * `checkSqlAuth` that calls an identity service. Postgres allows 60 s (authentication_timeout);
 * a shorter window limits how long idle sockets can hold resources. Loading the caller's
 * catalog after the credentials are accepted does not count.
 */
export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
/**
 * Sockets allowed to be logging in at once. A real login takes milliseconds, so 64 is far above
 * any burst of BI connections, while idle unauthenticated sockets (each holding at most a 64 KB
 * password message) stay bounded.
 */
export const DEFAULT_MAX_PENDING_LOGINS = 64;

/** Options of the SQL API server. */
export interface SqlServerOptions {
  /** TCP port; 0 picks a free one. Default: CUBEJS_PG_SQL_PORT or 15432. */
  readonly port?: number;
  readonly host?: string;
  readonly engine: SemanticEngine;
  /** The model whose cubes and views are the tables; give `getModel` instead to follow hot reload. */
  readonly model?: SemanticModel;
  /** The current model (hot reload swaps it): each new connection sees the tables of the current one. */
  readonly getModel?: () => SemanticModel;
  /** Maps user/password/database to a security context (Cube's `checkSqlAuth`). */
  readonly checkSqlAuth: CheckSqlAuth;
  /** Default SCRAM-SHA-256; `password` (cleartext) is only offered over TLS. */
  readonly authMethod?: SqlAuthMethod;
  /** Certificate and key (PEM): when set, SSLRequest is answered 'S' and TLS is negotiated. */
  readonly tls?: Pick<SecureContextOptions, 'cert' | 'key' | 'ca' | 'passphrase'>;
  /** Rows a query may pull from the engine for an outer evaluation (Cube's maximum limit). */
  readonly maxScanRows?: number;
  /** Largest Query/Parse/Bind message, length word included (default DEFAULT_MAX_MESSAGE_BYTES, 16 MiB). */
  readonly maxMessageBytes?: number;
  /** Time a socket has to log in before it is closed (default 10 s). */
  readonly authTimeoutMs?: number;
  /** Sockets that may be logging in at once; more are refused with 53300 (default 64). */
  readonly maxPendingLogins?: number;
  readonly onInternalError?: (error: unknown) => void;
}

/** Counters of the wire layer, for metrics and tests. */
export interface WireStats {
  readonly connections: number;
  /** Connections that have not logged in yet. */
  readonly pendingLogins: number;
  /** The most bytes any connection's framer has held at once since the server started. */
  readonly peakBufferedBytes: number;
}

/** A running SQL API server. */
export interface SqlServer {
  readonly port: number;
  /** The address it listens on, e.g. 127.0.0.1 or 0.0.0.0. */
  readonly host: string;
  wireStats(): WireStats;
  close(): Promise<void>;
}

export async function startSqlServer(options: SqlServerOptions): Promise<SqlServer> {
  await loadModule();
  const fixed = options.model;
  const getModel = options.getModel ?? (fixed ? () => fixed : undefined);
  if (!getModel) throw new Error('startSqlServer needs `model` or `getModel`');
  const onInternalError = options.onInternalError ?? ((e: unknown) => console.error('[sql-api] internal error', e));
  const catalogs = await ModelCatalogs.create(getModel, (ctx, model) => options.engine.visibleMembers(ctx, model), onInternalError);
  const deps = {
    engine: options.engine,
    maxScanRows: options.maxScanRows ?? 50_000,
    checkSqlAuth: options.checkSqlAuth,
    authMethod: options.authMethod ?? 'scram-sha-256',
    tls: options.tls ? createSecureContext(options.tls) : undefined,
    cancels: new Map(),
    onInternalError,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    authTimeoutMs: options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
  } as const;
  const maxPendingLogins = options.maxPendingLogins ?? DEFAULT_MAX_PENDING_LOGINS;
  const sockets = new Set<Socket>();
  const connections = new Set<PgConnection>();
  let pendingLogins = 0;
  let closedPeak = 0;
  const server: Server = createServer((socket) => {
    if (pendingLogins >= maxPendingLogins) return refuse(socket);
    pendingLogins++;
    let pending = true;
    const settle = (): void => {
      if (pending) pendingLogins--;
      pending = false;
    };
    sockets.add(socket);
    const connection: PgConnection = new PgConnection(socket, {
      ...deps,
      acquireCatalog: (ctx) => catalogs.acquire(ctx),
      onAuthenticated: settle,
      onClose: () => {
        settle();
        sockets.delete(socket);
        connections.delete(connection);
        closedPeak = Math.max(closedPeak, connection.peakBufferedBytes);
      },
    });
    connections.add(connection);
  });
  const port = options.port ?? Number(process.env.CUBEJS_PG_SQL_PORT ?? DEFAULT_SQL_PORT);
  const host = options.host ?? DEFAULT_SQL_HOST;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    await catalogs.close();
    throw error;
  }
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    host: typeof address === 'object' && address ? address.address : host,
    wireStats: () => ({
      connections: connections.size,
      pendingLogins,
      peakBufferedBytes: Math.max(closedPeak, ...[...connections].map((c) => c.peakBufferedBytes)),
    }),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await catalogs.close();
    },
  };
}

/** Too many sockets are logging in: say so (as Postgres's "too many clients") and hang up. */
function refuse(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  socket.end(errorResponse({ severity: 'FATAL', code: '53300', message: 'too many connections are logging in at once; try again shortly' }));
  setTimeout(() => socket.destroy(), 1000).unref();
}
