/**
 * Entry point of the Postgres-wire SQL API (Cube's SQL API counterpart, for Power BI and other BI
 * tools): a TCP server on CUBEJS_PG_SQL_PORT (default 15432) whose tables are the cubes and views
 * of the model. The composition root calls `startSqlServer`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { loadModule } from 'libpg-query';
import type { SemanticEngine } from '../../engine/engine-types.ts';
import type { SemanticModel } from '../../model/model-types.ts';
import type { CheckSqlAuth, SqlAuthMethod } from './auth/sql-auth-types.ts';
import { ModelCatalogs } from './catalog/model-catalogs.ts';
import { PgConnection } from './pg-connection.ts';

export const DEFAULT_SQL_PORT = 15432;

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
  readonly onInternalError?: (error: unknown) => void;
}

/** A running SQL API server. */
export interface SqlServer {
  readonly port: number;
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
  } as const;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    new PgConnection(socket, { ...deps, acquireCatalog: (ctx) => catalogs.acquire(ctx), onClose: () => sockets.delete(socket) });
  });
  const port = options.port ?? Number(process.env.CUBEJS_PG_SQL_PORT ?? DEFAULT_SQL_PORT);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, options.host ?? '0.0.0.0', () => resolve());
    });
  } catch (error) {
    await catalogs.close();
    throw error;
  }
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await catalogs.close();
    },
  };
}
