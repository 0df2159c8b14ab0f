/**
 * The one way a test stands up the semantic layer: a DuckDB file holding the suite's data, a model
 * folder, the composition root (`buildStack` of main.ts: model compiler, driver, result cache and
 * queues, pre-aggregations, engine), the HTTP server (`createServer`: REST, GraphQL, playground,
 * jobs) and, when asked, the SQL API on a real socket over the same engine — so every suite tests
 * what `npm start` runs, configured by the environment variables a user sets.
 *
 * A suite says what it varies in one small options object: the data (the hand-built gold star
 * schema, Cube's test corpus, hand-made rows, or a DuckDB file it built), the model (a folder and
 * extra files), security (a JWT secret: production mode), pre-aggregations on or off, and which
 * APIs listen (HTTP, SQL wire). The data modules (`engine/gold-fixture.ts`,
 * `fixtures/cube-corpus.ts`) only hold rows; nothing else builds an engine or a server.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ServerConfig } from '../../src/config/config-types.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { buildStack } from '../../src/main.ts';
import { createLogger } from '../../src/observability/create-logger.ts';
import type { ServerMetrics } from '../../src/observability/create-metrics.ts';
import type { PreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import type { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import { resolveLakehousePaths } from '../../src/lakehouse/lakehouse-paths.ts';
import { readPreAggregationSettings } from '../../src/preagg/preagg-settings.ts';
import { createServer, type SemanticServer } from '../../src/server.ts';
import { startSqlServer, type SqlServer, type SqlServerOptions } from '../../src/api/sql/start-sql-server.ts';
import { buildCorpusDatabase, CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';
import { EXTRA_MODEL, GOLD_SQL } from '../engine/gold-fixture.ts';

/** The repository's own model/ (what `npm start` serves). */
export const REPO_MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');

/** The gold suites' test-only members (every measure type, a one-to-many join) beside model/. */
export const GOLD_EXTRA_FILES: Readonly<Record<string, string>> = { 'cubes/zz_test_extras.yml': EXTRA_MODEL };

/**
 * The gold star schema plus the streaming tables, empty, created by the project's own DDL
 * (notebooks/sql/streaming/00_tables.sql): every cube of model/ then has its source table, so API
 * testers that pick any member meet only answers about their input, never a missing table.
 */
export async function goldWithStreamingSql(): Promise<string> {
  return `${GOLD_SQL}\n${await readFile(path.resolve(import.meta.dirname, '../../../notebooks/sql/streaming/00_tables.sql'), 'utf8')}`;
}

/**
 * Where the rows come from: `gold` (the hand-built gold star schema, a fresh file per stack),
 * `corpus` (Cube's driver-test corpus, one file per test file), hand-made rows (`sql`: DDL and
 * INSERTs run in a fresh file), a DuckDB file the suite built (`duckdbPath`), or the local lakehouse
 * in a folder (`localLakehouse`: `LAKEHOUSE_DIR` and no `CUBEJS_DB_DUCKDB_DATABASE_PATH`, as `npm
 * start` runs by default — the source is the folder's lakehouse.duckdb and the pipeline jobs run on it).
 */
export type StackData = 'gold' | 'corpus' | { readonly sql: string } | { readonly duckdbPath: string } | { readonly localLakehouse: string };

/**
 * The model: a folder (default: model/ for gold data, the local lakehouse and for a given file without `files`, the
 * corpus model for corpus data, none for hand-made rows) copied to a temp dir, plus `files` (path
 * inside the folder → YAML/JS text).
 */
export interface StackModel {
  readonly dir?: string;
  readonly files?: Readonly<Record<string, string>>;
  /** Serve a copy of `dir` even without extra files (a suite that edits the model under a watching server). */
  readonly copy?: boolean;
}

/** Users of the SQL API: user name → password and the security context they run as. */
export type SqlUsers = Readonly<Record<string, { readonly password: string; readonly securityContext: Record<string, unknown> }>>;

/** The SQL API on a real socket over the stack's engine (`users` default: `SQL_ADMIN`). */
export interface StackSqlOptions extends Omit<Partial<SqlServerOptions>, 'engine' | 'model' | 'getModel' | 'checkSqlAuth'> {
  readonly users?: SqlUsers;
}

export interface StackOptions {
  readonly data: StackData;
  readonly model?: StackModel;
  /** Production mode with HS256 tokens signed by `secret` (default: dev mode, no token needed). */
  readonly security?: { readonly secret: string };
  /**
   * A rollup store (builds on demand: no refresh worker), in the stack's temp dir or at `storePath`
   * (a store another stack built). Default off.
   */
  readonly preaggs?: boolean | { readonly storePath?: string; readonly stagingDir?: string };
  /** The instant the engine, the result cache and builds take as "now" (default: the system clock). */
  readonly now?: () => Date;
  /** What listens on a real socket: REST/GraphQL over HTTP (`http`), the SQL API (`sql`). Default neither. */
  readonly serve?: { readonly http?: boolean; readonly sql?: boolean | StackSqlOptions };
  /** More environment variables, as a user sets them (they win over the ones above). */
  readonly env?: Readonly<Record<string, string>>;
  /** Wraps the real engine (e.g. to count or slow calls); every API is served by the wrapper. */
  readonly wrapEngine?: (engine: SemanticEngine) => SemanticEngine;
  /** A metrics registry shared by the engine's stage timings and `/metrics`. */
  readonly metrics?: ServerMetrics;
}

/** A running stack. `url` is set when HTTP listens, `sqlPort` when the SQL API does. */
export interface Stack {
  readonly engine: SemanticEngine;
  readonly driver: Driver;
  readonly server: SemanticServer;
  readonly config: ServerConfig;
  readonly preAggregations?: PreAggregations;
  /** The result cache and queues every API shares. */
  readonly orchestrator: QueryOrchestrator;
  readonly url: string;
  readonly sqlServer?: SqlServer;
  readonly sqlPort: number;
  /** The source DuckDB file, for hand-written SQL (`hand`). */
  readonly duckdbPath: string;
  readonly modelDir: string;
  /** The stack's temp dir (model copy, rollup store, anything a suite writes). */
  readonly dir: string;
  /** Rows of hand-written SQL over the source file: the independent side of every comparison. */
  hand(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The SQL API's default user: full access (empty security context). */
export const SQL_ADMIN: SqlUsers = { admin: { password: 'admin_password', securityContext: {} } };

export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stack-'));
  const duckdbPath = await dataFile(options.data, dir);
  const modelDir = await modelFolder(options, dir);
  const local = typeof options.data === 'object' && 'localLakehouse' in options.data;
  const env: Record<string, string> = {
    CUBEJS_SCHEMA_PATH: modelDir,
    ...(local ? { LAKEHOUSE_DIR: path.resolve((options.data as { localLakehouse: string }).localLakehouse) } : { CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath }),
    CUBEJS_LOG_LEVEL: 'silent',
    CUBEJS_DEV_MODE: options.security ? 'false' : 'true',
    ...(options.security ? { CUBEJS_API_SECRET: options.security.secret } : {}),
    CUBEJS_PRE_AGGREGATIONS_STORE_PATH: !options.preaggs ? 'false' : (typeof options.preaggs === 'object' && options.preaggs.storePath) || path.join(dir, 'preagg.duckdb'),
    CUBEJS_REFRESH_WORKER: 'false',
    ...options.env,
  };
  const config = await loadConfig({ cwd: dir, env });
  const logger = createLogger({ level: 'silent' });
  const preaggSettings = { ...readPreAggregationSettings(env, config), stagingDir: typeof options.preaggs === 'object' ? options.preaggs.stagingDir : undefined };
  const built = await buildStack(config, logger, preaggSettings, options.metrics, { now: options.now });
  const engine = options.wrapEngine ? options.wrapEngine(built.engine) : built.engine;
  const server = createServer({ config, engine, driver: built.driver, logger, metrics: options.metrics, preAggregations: built.preAggregations, preAggregationsUnavailable: built.preAggregationsUnavailable, modelError: built.modelError });
  let sqlServer: SqlServer | undefined;
  let url = '';
  try {
    if (options.serve?.http) url = (await server.listen(0, '127.0.0.1')).url;
    if (options.serve?.sql) sqlServer = await serveSql(engine, options.serve.sql === true ? {} : options.serve.sql);
  } catch (error) {
    await server.close();
    await built.close();
    throw error;
  }
  return {
    engine, driver: built.driver, server, config, preAggregations: built.preAggregations, orchestrator: built.orchestrator, url, sqlServer, sqlPort: sqlServer?.port ?? 0, duckdbPath, modelDir, dir,
    hand: (sql) => queryDuckDb(duckdbPath, sql),
    async close() {
      await sqlServer?.close();
      await server.close();
      await built.close();
    },
  };
}

/** Another SQL API server over a stack's engine (e.g. with TLS, or a smaller `maxScanRows`); the caller closes it. */
export function serveSql(engine: SemanticEngine, options: StackSqlOptions = {}): Promise<SqlServer> {
  const { users = SQL_ADMIN, ...rest } = options;
  return startSqlServer({
    port: 0,
    host: '127.0.0.1',
    ...rest,
    engine,
    getModel: () => engine.currentModel(),
    checkSqlAuth: (user) => {
      const u = users[user];
      return u ? { password: u.password, securityContext: u.securityContext } : null;
    },
  });
}

async function dataFile(data: StackData, dir: string): Promise<string> {
  if (data === 'corpus') return corpusDatabase();
  if (typeof data === 'object' && 'duckdbPath' in data) return data.duckdbPath;
  if (typeof data === 'object' && 'localLakehouse' in data) return resolveLakehousePaths({ dir: data.localLakehouse }, {}).duckdbPath;
  // Not named after the `gold` schema, which DuckDB would find ambiguous.
  const file = path.join(dir, 'lakehouse.duckdb');
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run(data === 'gold' ? GOLD_SQL : data.sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return file;
}

async function modelFolder(options: StackOptions, dir: string): Promise<string> {
  const files = Object.entries(options.model?.files ?? {});
  const data = options.data;
  const source = options.model?.dir ?? (data === 'corpus' ? CORPUS_MODEL_DIR : data === 'gold' || 'localLakehouse' in data || ('duckdbPath' in data && files.length === 0) ? REPO_MODEL_DIR : undefined);
  if (source && files.length === 0 && !options.model?.copy) return source;
  const modelDir = path.join(dir, 'model');
  if (source) await cp(source, modelDir, { recursive: true });
  for (const [file, content] of files) {
    await mkdir(path.dirname(path.join(modelDir, file)), { recursive: true });
    await writeFile(path.join(modelDir, file), content);
  }
  return modelDir;
}

let corpusFile: Promise<string> | undefined;

/** Cube's corpus tables in a DuckDB file under a fresh temp dir (built once per test file). */
export function corpusDatabase(): Promise<string> {
  corpusFile ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cube-corpus-'));
    const file = path.join(dir, 'corpus.duckdb');
    await buildCorpusDatabase(file);
    return file;
  })();
  return corpusFile;
}

/** Runs hand-written SQL on a DuckDB file through DuckDB's instance cache (the stack's driver may hold it open). */
export async function queryDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.fromCache(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

/** The same as `queryDuckDb`, rows as arrays (columns may share a name). */
export async function queryDuckDbRows(file: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.fromCache(file);
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
  } finally {
    connection.closeSync();
  }
}
