/**
 * Reads the server configuration from environment variables, using Cube's names wherever Cube has
 * one (https://cube.dev/docs/reference/environment-variables) so a team can point this server at
 * any Cube model folder and DuckDB file without touching code. Pure: no file system, no import.
 */
import path from 'node:path';
import { UserError } from '../errors/user-error.ts';
import type { ClientLimitsConfig, DbType, JwtConfig, PemSource, ServerConfig, SourceConfig } from './config-types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** The part of `ServerConfig` that comes from the environment (the config file is loaded apart). */
export type EnvConfig = Omit<ServerConfig, 'configFile'>;

const DB_TYPES: Readonly<Record<string, DbType>> = {
  duckdb: 'duckdb',
  databricks: 'databricks',
  // Cube's own name for its Databricks driver; same connection variables.
  'databricks-jdbc': 'databricks',
  athena: 'athena',
  redshift: 'redshift',
};

export function readEnvConfig(env: Env, cwd: string): EnvConfig {
  const devMode = readBoolean(env, 'CUBEJS_DEV_MODE', false);
  const dbTypeName = (env.CUBEJS_DB_TYPE ?? 'duckdb').trim().toLowerCase();
  const dbType = DB_TYPES[dbTypeName];
  if (!dbType) {
    throw configError(
      `CUBEJS_DB_TYPE=${JSON.stringify(env.CUBEJS_DB_TYPE)} is not supported`,
      `use one of: ${Object.keys(DB_TYPES).join(', ')}`,
    );
  }
  const queryLimit = readInteger(env, 'CUBEJS_DB_QUERY_LIMIT', 50_000, 1);
  return {
    devMode,
    port: readInteger(env, 'PORT', readInteger(env, 'CUBEJS_PORT', 4000, 0, 65_535), 0, 65_535),
    host: env.CUBEJS_HOST?.trim() || undefined,
    pgSqlPort: env.CUBEJS_PG_SQL_PORT?.trim().toLowerCase() === 'false' ? false : readInteger(env, 'CUBEJS_PG_SQL_PORT', DEFAULT_PG_SQL_PORT, 0, 65_535),
    pgSqlTls: readSqlTls(env, cwd),
    pgSqlHost: env.CUBEJS_PG_SQL_HOST?.trim() || undefined,
    pgSqlMaxMessageBytes: readOptionalInteger(env, 'CUBEJS_PG_SQL_MAX_MESSAGE_SIZE', 10_000, 1_073_741_823),
    pgSqlAuthTimeoutMs: readPositiveDuration(env, 'CUBEJS_PG_SQL_AUTH_TIMEOUT'),
    sqlUser: env.CUBEJS_SQL_USER,
    sqlPassword: env.CUBEJS_SQL_PASSWORD,
    sqlSecurityContext: readJsonObject(env, 'CUBEJS_SQL_SECURITY_CONTEXT'),
    schemaPath: path.resolve(cwd, env.CUBEJS_SCHEMA_PATH ?? 'model'),
    source: readSource(dbType, env, cwd),
    lakehouseDir: path.resolve(cwd, env.LAKEHOUSE_DIR ?? 'data'),
    jwt: readJwt(env),
    queryLimit,
    queryDefaultLimit: Math.min(readInteger(env, 'CUBEJS_DB_QUERY_DEFAULT_LIMIT', 10_000, 1), queryLimit),
    queryTimeoutMs: readDuration(env, 'CUBEJS_DB_QUERY_TIMEOUT', 600_000),
    continueWaitMs: readDuration(env, 'CUBEJS_CONTINUE_WAIT_TIMEOUT', 10_000),
    logLevel: (env.CUBEJS_LOG_LEVEL ?? 'info').toLowerCase(),
    configFilePath: env.CUBEJS_CONFIG_PATH ? path.resolve(cwd, env.CUBEJS_CONFIG_PATH) : undefined,
    playground: readBoolean(env, 'CUBEJS_PLAYGROUND', devMode),
    clientLimits: readClientLimits(env),
  };
}

/** 0 or unset turns a limit off. */
function readClientLimits(env: Env): ClientLimitsConfig {
  const maxRequests = readInteger(env, 'CUBEJS_CLIENT_RATE_LIMIT', 0, 0);
  const maxConcurrent = readInteger(env, 'CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES', 0, 0);
  const windowMs = readDuration(env, 'CUBEJS_CLIENT_RATE_WINDOW', 60_000);
  if (windowMs <= 0) throw configError('CUBEJS_CLIENT_RATE_WINDOW must be longer than 0');
  return { windowMs, ...(maxRequests > 0 ? { maxRequests } : {}), ...(maxConcurrent > 0 ? { maxConcurrent } : {}) };
}

/** A JSON object from the environment; anything else (bad JSON, an array, a string) stops the start. */
function readJsonObject(env: Env, name: string): Readonly<Record<string, unknown>> | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw configError(`${name} is not valid JSON: ${(error as Error).message}`, `set it to a JSON object, e.g. {"groups":["internal"]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(`${name} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`, `set it to a JSON object, e.g. {"groups":["internal"]}`);
  }
  return Object.freeze(value as Record<string, unknown>);
}

/** Cube's SQL API port (what its dev mode uses when CUBEJS_PG_SQL_PORT is unset). */
const DEFAULT_PG_SQL_PORT = 15432;

function readSqlTls(env: Env, cwd: string): ServerConfig['pgSqlTls'] {
  const cert = env.CUBEJS_PG_SQL_TLS_CERT;
  const key = env.CUBEJS_PG_SQL_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key) throw configError('CUBEJS_PG_SQL_TLS_CERT and CUBEJS_PG_SQL_TLS_KEY go together', 'set both to PEM file paths, or neither');
  return { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key) };
}

/**
 * A PEM variable: the text itself when it holds a PEM header (a one-line `\n`-escaped value, as
 * env files and secret stores often carry it, gets its line breaks back), else a file path.
 */
function readPemSource(env: Env, name: string, cwd: string): PemSource | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (value.includes('-----BEGIN ')) return { pem: value.replace(/\\n/g, '\n') };
  return { file: path.resolve(cwd, value) };
}

function readSource(type: DbType, env: Env, cwd: string): SourceConfig {
  switch (type) {
    case 'duckdb': {
      const file = env.CUBEJS_DB_DUCKDB_DATABASE_PATH;
      return { type, databasePath: file ? path.resolve(cwd, file) : undefined, isLocalLakehouse: !file };
    }
    case 'databricks':
      return {
        type,
        url: env.CUBEJS_DB_DATABRICKS_URL,
        token: env.CUBEJS_DB_DATABRICKS_TOKEN,
        catalog: env.CUBEJS_DB_DATABRICKS_CATALOG,
        schema: env.CUBEJS_DB_SCHEMA ?? env.CUBEJS_DB_NAME,
        ca: readPemSource(env, 'CUBEJS_DB_DATABRICKS_CA', cwd),
      };
    case 'athena':
      return {
        type,
        accessKeyId: env.CUBEJS_AWS_KEY,
        secretAccessKey: env.CUBEJS_AWS_SECRET,
        region: env.CUBEJS_AWS_REGION,
        s3OutputLocation: env.CUBEJS_AWS_S3_OUTPUT_LOCATION,
        workgroup: env.CUBEJS_AWS_ATHENA_WORKGROUP,
        catalog: env.CUBEJS_AWS_ATHENA_CATALOG,
        schema: env.CUBEJS_DB_SCHEMA ?? env.CUBEJS_DB_NAME,
      };
    case 'redshift':
      return {
        type,
        host: env.CUBEJS_DB_HOST?.trim() || undefined,
        port: readInteger(env, 'CUBEJS_DB_PORT', 5439, 1, 65_535),
        database: env.CUBEJS_DB_NAME,
        user: env.CUBEJS_DB_USER,
        password: env.CUBEJS_DB_PASS,
        ssl: readBoolean(env, 'CUBEJS_DB_SSL', false),
        sslRejectUnauthorized: readBoolean(env, 'CUBEJS_DB_SSL_REJECT_UNAUTHORIZED', true),
        maxPool: readOptionalInteger(env, 'CUBEJS_DB_MAX_POOL', 1, 1000),
      };
  }
}

/** Asymmetric algorithms accepted from a JWKS when CUBEJS_JWT_ALGS does not narrow them. */
const KEY_SET_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function defaultAlgorithms(env: Env): string[] {
  if (!env.CUBEJS_JWK_URL) return ['HS256'];
  return env.CUBEJS_API_SECRET ? ['HS256', ...KEY_SET_ALGORITHMS] : KEY_SET_ALGORITHMS;
}

function readJwt(env: Env): JwtConfig {
  const algs = env.CUBEJS_JWT_ALGS?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    secret: env.CUBEJS_API_SECRET || undefined,
    audience: env.CUBEJS_JWT_AUDIENCE,
    issuer: env.CUBEJS_JWT_ISSUER,
    subject: env.CUBEJS_JWT_SUBJECT,
    algorithms: algs && algs.length > 0 ? algs : defaultAlgorithms(env),
    claimsNamespace: env.CUBEJS_JWT_CLAIMS_NAMESPACE,
    jwkUrl: env.CUBEJS_JWK_URL,
  };
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw configError(`${name}=${JSON.stringify(raw)} is not a boolean`, 'use true or false');
}

function readInteger(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return readOptionalInteger(env, name, min, max) ?? fallback;
}

function readOptionalInteger(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name}=${JSON.stringify(raw)} is not an integer between ${min} and ${max}`);
  }
  return value;
}

/** A duration that must be longer than 0, or undefined when unset. */
function readPositiveDuration(env: Env, name: string): number | undefined {
  if (env[name] === undefined || env[name] === '') return undefined;
  const ms = readDuration(env, name, 0);
  if (ms <= 0) throw configError(`${name} must be longer than 0`);
  return ms;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Cube writes durations as "10m", "30s" or plain seconds ("600"). */
function readDuration(env: Env, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(raw);
  if (!match) throw configError(`${name}=${JSON.stringify(raw)} is not a duration`, 'write e.g. 30s, 10m or a number of seconds');
  const unit = (match[2] ?? 's').toLowerCase();
  return Math.round(Number(match[1]) * (DURATION_UNITS_MS[unit] ?? 1000));
}

export function configError(message: string, hint?: string): UserError {
  return new UserError('CONFIG_INVALID', hint ? `${message}: ${hint}` : message, hint ? { hint } : {});
}
