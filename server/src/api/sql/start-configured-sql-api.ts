/**
 * The SQL API as `npm start` runs it: port, login rule and TLS certificate from the configuration,
 * tables following the model's hot reload. Resolves with the server (absent when the SQL API is
 * off) and the startup line that says where it listens and who may log in.
 */
import { readFile } from 'node:fs/promises';
import type { SemanticEngine } from '../../engine/engine-types.ts';
import { UserError } from '../../errors/user-error.ts';
import type { SemanticModel } from '../../model/model-types.ts';
import { chooseSqlLogin, type SqlLoginOptions } from './auth/choose-sql-login.ts';
import { startSqlServer, type SqlServer } from './start-sql-server.ts';

export interface ConfiguredSqlApiOptions extends SqlLoginOptions {
  /** `false` turns the SQL API off; 0 picks a free port. */
  readonly port: number | false;
  /** Address to listen on (CUBEJS_PG_SQL_HOST); default 127.0.0.1, `0.0.0.0` for every interface. */
  readonly host?: string;
  /** CUBEJS_PG_SQL_MAX_MESSAGE_SIZE, bytes. */
  readonly maxMessageBytes?: number;
  /** CUBEJS_PG_SQL_AUTH_TIMEOUT, ms. */
  readonly authTimeoutMs?: number;
  /** PEM files of the server certificate and key. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly engine: SemanticEngine;
  readonly getModel: () => SemanticModel;
  readonly maxScanRows?: number;
  readonly onInternalError?: (error: unknown) => void;
}

export async function startConfiguredSqlApi(options: ConfiguredSqlApiOptions): Promise<{ server?: SqlServer; line: string }> {
  if (options.port === false) return { line: 'SQL API: off (CUBEJS_PG_SQL_PORT=false)' };
  const login = chooseSqlLogin(options);
  if (!login.enabled) return { line: `SQL API: off — ${login.reason}` };
  const tls = options.tls ? { cert: await readPem(options.tls.certFile, 'CUBEJS_PG_SQL_TLS_CERT'), key: await readPem(options.tls.keyFile, 'CUBEJS_PG_SQL_TLS_KEY') } : undefined;
  let server: SqlServer;
  try {
    server = await startSqlServer({
      port: options.port,
      host: options.host,
      engine: options.engine,
      getModel: options.getModel,
      checkSqlAuth: login.checkSqlAuth,
      authMethod: login.authMethod,
      tls,
      maxScanRows: options.maxScanRows,
      maxMessageBytes: options.maxMessageBytes,
      authTimeoutMs: options.authTimeoutMs,
      onInternalError: options.onInternalError,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UserError('CONFIG_INVALID', `SQL API port ${options.port} is in use: set CUBEJS_PG_SQL_PORT to a free port, or to false to turn the SQL API off`);
    }
    throw error;
  }
  return {
    server,
    line: `SQL API (Postgres wire): ${listeningAddress(server.host, server.port)}${tls ? ' (TLS)' : ''}; login: ${login.description}`,
  };
}

/** The URL to connect to, and whether other machines can reach it (a wildcard address means every interface). */
function listeningAddress(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `postgres://localhost:${port}/db, listening on every interface (${host})`;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `postgres://${shown}:${port}/db`;
}

async function readPem(file: string, variable: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError('CONFIG_INVALID', `${variable} points at ${file}, which cannot be read: ${(error as Error).message}`);
  }
}
