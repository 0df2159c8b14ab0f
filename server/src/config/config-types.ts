/**
 * The server's configuration after reading the environment (Cube's variable names) and the
 * optional typed config file. Plain data: `main.ts` reads it once and wires the parts.
 * Reference for the names: https://cube.dev/docs/reference/environment-variables
 */
import type { CubeConfigFile } from './cube-config-types.ts';

/** Which kind of source the semantic layer queries (`CUBEJS_DB_TYPE`). */
export type DbType = 'duckdb' | 'databricks' | 'athena' | 'redshift';

/** Connection settings for the DuckDB source (`CUBEJS_DB_DUCKDB_*`). */
export interface DuckDbSourceConfig {
  readonly type: 'duckdb';
  /** `CUBEJS_DB_DUCKDB_DATABASE_PATH`; when absent the local lakehouse file is used. */
  readonly databasePath?: string;
  /** True when the source is the local lakehouse that `npm start` builds on first run. */
  readonly isLocalLakehouse: boolean;
}

/** Databricks SQL (`CUBEJS_DB_DATABRICKS_*`), reached through `@databricks/sql`. */
export interface DatabricksSourceConfig {
  readonly type: 'databricks';
  readonly url?: string;
  readonly token?: string;
  readonly catalog?: string;
  readonly schema?: string;
  /**
   * CUBEJS_DB_DATABRICKS_CA: a private CA (or a TLS-inspecting proxy's) whose certificates the
   * driver trusts in addition to the public roots. The server's certificate is always verified.
   */
  readonly ca?: PemSource;
}

/** A PEM setting given as the text itself or as a file path (resolved against the working directory; read by its user). */
export type PemSource = { readonly pem: string } | { readonly file: string };

/** Athena (`CUBEJS_AWS_*`), reached through `@aws-sdk/client-athena`. */
export interface AthenaSourceConfig {
  readonly type: 'athena';
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly region?: string;
  readonly s3OutputLocation?: string;
  readonly workgroup?: string;
  readonly catalog?: string;
  readonly schema?: string;
}

/** Amazon Redshift (`CUBEJS_DB_HOST`, `_PORT`, `_NAME`, `_USER`, `_PASS`, `_SSL`, `_MAX_POOL`), reached through `pg`. */
export interface RedshiftSourceConfig {
  readonly type: 'redshift';
  readonly host?: string;
  /** Default 5439, Redshift's port. */
  readonly port: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** `CUBEJS_DB_SSL=true`; `CUBEJS_DB_SSL_REJECT_UNAUTHORIZED=false` accepts a certificate no CA vouches for. */
  readonly ssl: boolean;
  readonly sslRejectUnauthorized: boolean;
  readonly maxPool?: number;
}

export type SourceConfig = DuckDbSourceConfig | DatabricksSourceConfig | AthenaSourceConfig | RedshiftSourceConfig;

/** JWT verification settings (`CUBEJS_API_SECRET`, `CUBEJS_JWT_*`). */
export interface JwtConfig {
  readonly secret?: string;
  readonly audience?: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly algorithms: readonly string[];
  /** `CUBEJS_JWT_CLAIMS_NAMESPACE`: security context = claims[namespace] instead of all claims. */
  readonly claimsNamespace?: string;
  /** `CUBEJS_JWK_URL`: the identity provider's JSON Web Key Set (fetched and cached), alongside or instead of the secret. */
  readonly jwkUrl?: string;
}

/** Per-client limits (`CUBEJS_CLIENT_*`) for REST, GraphQL and the SQL API; undefined = off. */
export interface ClientLimitsConfig {
  /** `CUBEJS_CLIENT_RATE_LIMIT`: requests a client may make per window. */
  readonly maxRequests?: number;
  /** `CUBEJS_CLIENT_RATE_WINDOW` in ms (default 60 s). */
  readonly windowMs: number;
  /** `CUBEJS_CLIENT_MAX_CONCURRENT_QUERIES`: requests a client may have running at once. */
  readonly maxConcurrent?: number;
}

/** Everything the composition root needs. */
export interface ServerConfig {
  readonly devMode: boolean;
  readonly port: number;
  /**
   * `CUBEJS_HOST`: address the REST/GraphQL API, playground and metrics listen on (default
   * 127.0.0.1; `0.0.0.0` for every interface, as in containers). Ours: Cube Core listens on every
   * interface and documents no such variable.
   */
  readonly host?: string;
  /** `CUBEJS_PG_SQL_PORT`: port of the Postgres-wire SQL API (default 15432; `false` turns it off). */
  readonly pgSqlPort?: number | false;
  /**
   * `CUBEJS_PG_SQL_HOST`: address the SQL API listens on (default 127.0.0.1; `0.0.0.0` for every
   * interface, as in containers). Ours: Cube Core documents no such variable.
   */
  readonly pgSqlHost?: string;
  /** `CUBEJS_PG_SQL_MAX_MESSAGE_SIZE`: largest Query/Parse/Bind message in bytes (default 16 MiB). */
  readonly pgSqlMaxMessageBytes?: number;
  /** `CUBEJS_PG_SQL_AUTH_TIMEOUT` in ms: time a SQL API socket has to log in (default 10 s). */
  readonly pgSqlAuthTimeoutMs?: number;
  /** `CUBEJS_SQL_USER` / `CUBEJS_SQL_PASSWORD`: the SQL API login when `checkSqlAuth` is not configured. */
  readonly sqlUser?: string;
  readonly sqlPassword?: string;
  /**
   * `CUBEJS_SQL_SECURITY_CONTEXT` (a JSON object): the security context of the `CUBEJS_SQL_USER`
   * login, e.g. `{"groups":["internal"]}`. Unset: an empty context, which the shipped access
   * policies grant nothing (dev mode: the development context). Ours; Cube Core has none.
   */
  readonly sqlSecurityContext?: Readonly<Record<string, unknown>>;
  /**
   * `CUBEJS_PG_SQL_TLS_CERT` / `CUBEJS_PG_SQL_TLS_KEY` (PEM file paths, absolute): the SQL API
   * negotiates TLS when set. Cube Core has no such variable (Cube Cloud terminates TLS itself).
   */
  readonly pgSqlTls?: { readonly certFile: string; readonly keyFile: string };
  /** `CUBEJS_SCHEMA_PATH`, absolute. */
  readonly schemaPath: string;
  readonly source: SourceConfig;
  /** Folder of the local lakehouse (`LAKEHOUSE_DIR`, default `data/`), used when the source is local. */
  readonly lakehouseDir: string;
  readonly jwt: JwtConfig;
  /** `CUBEJS_DB_QUERY_LIMIT`: the largest `limit` a query may ask for (Cube's default 50 000). */
  readonly queryLimit: number;
  /** `CUBEJS_DB_QUERY_DEFAULT_LIMIT`: applied when a query has no limit (Cube's default 10 000). */
  readonly queryDefaultLimit: number;
  /** `CUBEJS_DB_QUERY_TIMEOUT` in ms (Cube's default 10 minutes). */
  readonly queryTimeoutMs: number;
  /** How long /load holds a request before answering "Continue wait" (`CUBEJS_CONTINUE_WAIT_TIMEOUT`, seconds). */
  readonly continueWaitMs: number;
  readonly logLevel: string;
  /** `CUBEJS_CONFIG_PATH` or `cube.config.ts` at the working directory, absolute; absent when none exists. */
  readonly configFilePath?: string;
  /** The typed config file's default export, once loaded. */
  readonly configFile: CubeConfigFile;
  /** `CUBEJS_PLAYGROUND` (defaults to dev mode): serve the playground at `/`. */
  readonly playground: boolean;
  /** Per-client rate and concurrency limits; optional so hand-built configs (tests) may omit them. */
  readonly clientLimits?: ClientLimitsConfig;
}
