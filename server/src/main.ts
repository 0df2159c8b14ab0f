/**
 * Composition root (`npm start`): reads the configuration (Cube's environment variables, `.env`,
 * `cube.config.ts`), builds the local lakehouse on first start, compiles the model (hot reload in
 * dev mode), creates the driver and the engine, and serves the REST and GraphQL APIs, the playground,
 * metrics and the Postgres-wire SQL API.
 * Shuts down cleanly on SIGINT/SIGTERM. Refuses to start with a plain message and the CLI's exit
 * codes (cli/exit-codes.ts) on foreseeable conditions: 1 for bad configuration or a port in use, 3
 * when another process holds the lakehouse; only a bug is reported with its stack (exit code 2).
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServerConfig } from './config/config-types.ts';
import { loadConfig } from './config/load-config.ts';
import type { Driver } from './drivers/driver-types.ts';
import { DuckDbDriver } from './drivers/duckdb-driver.ts';
import { DatabricksDriver } from './drivers/databricks-driver.ts';
import { AthenaDriver } from './drivers/athena-driver.ts';
import { RedshiftDriver } from './drivers/redshift-driver.ts';
import type { SemanticEngine } from './engine/engine-types.ts';
import { createEngine } from './engine/create-engine.ts';
import { compileBuildQuery } from './engine/compile-build-query.ts';
import { createAccessControl } from './security/access-control.ts';
import { ClientLimiter } from './security/client-limiter.ts';
import { limitEngineClients } from './security/limit-engine-clients.ts';
import { isUserError, UserError } from './errors/user-error.ts';
import { ensureLocalLakehouse } from './lakehouse/build-lakehouse.ts';
import { resolveLakehousePaths } from './lakehouse/lakehouse-paths.ts';
import { announceRunningServer } from './lakehouse/running-server.ts';
import { asLakehouseBusy } from './lakehouse/lakehouse-busy.ts';
import { exitCodeFor } from './cli/exit-codes.ts';
import { ensureLocalStreamingTables, startLocalStreaming, type LocalStreaming } from './lakehouse/stream/start-local-streaming.ts';
import { readLocalStreamingSettings } from './lakehouse/stream/stream-config.ts';
import { modelSettingsFromEnv, openModel } from './model/open-model.ts';
import type { SemanticModel } from './model/model-types.ts';
import { createLogger, type Logger } from './observability/create-logger.ts';
import { createMetrics, type ServerMetrics } from './observability/create-metrics.ts';
import { registerStreamMetrics } from './observability/stream-metrics.ts';
import { createServer, GRAPHQL_PATH, REST_BASE_PATH } from './server.ts';
import { ensurePlaygroundBundle } from './api/playground/playground-bundle.ts';
import { startConfiguredSqlApi } from './api/sql/start-configured-sql-api.ts';
import { DEFAULT_SQL_PORT } from './api/sql/start-sql-server.ts';
import { createDialect } from './sql/dialects/create-dialect.ts';
import { QueryOrchestrator } from './reuse/query-orchestrator.ts';
import { openPreAggregations, type PreAggregations } from './preagg/open-pre-aggregations.ts';
import { readPreAggregationSettings, type PreAggregationSettings } from './preagg/preagg-settings.ts';

/** The semantic side of the server: what the APIs need, and how to release it. */
export interface SemanticStack {
  readonly engine: SemanticEngine;
  readonly driver: Driver;
  /** Rollup store, refresher and jobs, when pre-aggregations are on and their store opened. */
  readonly preAggregations?: PreAggregations;
  /** Why pre-aggregations are off, when their store could not open. */
  readonly preAggregationsUnavailable?: string;
  /** Why the latest hot reload failed (shown by the playground); undefined when the model is good. */
  modelError(): unknown;
  /** The result cache and the queues per data source every API shares (its stats are on /metrics). */
  readonly orchestrator: QueryOrchestrator;
  close(): Promise<void>;
}

/** What a caller may pin: the instant queries, caches and builds take as "now" (tests; default the system clock). */
export interface StackClock {
  readonly now?: () => Date;
}

/** Model warnings (e.g. dangling references, which fail only the queries using them) at startup and on reload. */
function logModelWarnings(logger: Logger, model: SemanticModel): void {
  for (const warning of model.warnings ?? []) {
    const where = warning.location ? `${warning.location.file}:${warning.location.line}` : undefined;
    logger.warn({ ...(where ? { at: where } : {}), ...(warning.member ? { member: warning.member } : {}) }, `model warning: ${warning.message}`);
  }
}

/**
 * Model + driver + engine for a configuration. In dev mode the model folder is watched and a
 * valid edit replaces the model the engine reads; an invalid edit is logged and the last good
 * model stays.
 */
export async function buildStack(
  config: ServerConfig,
  logger: Logger,
  preAggregationSettings: PreAggregationSettings = readPreAggregationSettings(process.env, config),
  metrics?: ServerMetrics,
  clock: StackClock = {},
): Promise<SemanticStack> {
  // Per app id when the model reads COMPILE_CONTEXT or contextToAppId is configured (model/open-model.ts).
  const { compile } = modelSettingsFromEnv(process.env);
  const opened = await openModel(
    { directory: config.schemaPath, watch: config.devMode, ...(compile ? { compile } : {}) },
    {
      onReload: (next) => {
        logger.info({ version: next.version }, 'model recompiled');
        logModelWarnings(logger, next);
      },
      onError: (error) => logger.error({ err: error }, 'model has errors; keeping the last good model'),
    },
    { contextToAppId: config.configFile.contextToAppId },
  );
  const model = (): SemanticModel => opened.current();
  logModelWarnings(logger, opened.current());
  const driver = await createDriver(config);
  const dialect = createDialect(driver.name);
  // Result cache and per-data-source queues for every API (REST, GraphQL, SQL API) and for builds.
  const orchestrator = new QueryOrchestrator({
    queue: { concurrency: preAggregationSettings.queryConcurrency, executionTimeoutMs: config.queryTimeoutMs },
    cache: { maxEntries: 10_000, ttlMs: 24 * 3_600_000 },
    now: clock.now ? () => clock.now!().getTime() : undefined,
  });
  let preAggregations: PreAggregations | undefined;
  let preAggregationsUnavailable: string | undefined;
  if (preAggregationSettings.storePath) {
    try {
      preAggregations = await openPreAggregations({
        storePath: preAggregationSettings.storePath,
        stagingDir: preAggregationSettings.stagingDir,
        sourceDriver: driver,
        sourceDialect: dialect,
        compileBuild: compileBuildQuery,
        orchestrator,
        model,
        concurrency: preAggregationSettings.buildConcurrency,
        scheduledRefresh: preAggregationSettings.refreshWorker,
        refreshIntervalMs: preAggregationSettings.refreshIntervalMs,
        logger,
        now: clock.now,
      });
    } catch (error) {
      // The source still answers every query; the status endpoint says why rollups are off.
      preAggregationsUnavailable = (error as Error).message;
      logger.error({ err: error }, 'pre-aggregations unavailable');
    }
  }
  const engine = createEngine({
    model,
    modelFor: (securityContext) => opened.modelFor(securityContext),
    driver,
    dialect,
    maxLimit: config.queryLimit,
    defaultLimit: config.queryDefaultLimit,
    queryRewrite: config.configFile.queryRewrite,
    accessControl: createAccessControl({ contextToGroups: config.configFile.contextToGroups }),
    orchestrator,
    matchPreAggregation: preAggregations?.matcher,
    // Per-stage timings: Prometheus histograms by stage and API; in dev mode also in each answer.
    observeStage: metrics ? (stage, api, seconds) => metrics.stageDuration.observe({ api, stage }, seconds) : undefined,
    stageTimingsInAnswers: config.devMode,
    now: clock.now,
  });
  return {
    engine,
    driver,
    preAggregations,
    preAggregationsUnavailable,
    modelError: () => opened.lastError(),
    orchestrator,
    async close() {
      opened.close();
      await preAggregations?.close();
      await driver.close();
    },
  };
}

async function createDriver(config: ServerConfig): Promise<Driver> {
  const { source } = config;
  if (source.type === 'duckdb') {
    const local = localLakehouseFile(config);
    const file = local ?? source.databasePath!;
    if (!local && !existsSync(file)) {
      throw new UserError('CONFIG_INVALID', `CUBEJS_DB_DUCKDB_DATABASE_PATH points at ${file}, which does not exist`);
    }
    return DuckDbDriver.open(file).catch((error: unknown) => {
      throw asLakehouseBusy(error, file, { lakehouseDir: config.lakehouseDir, hint: LAKEHOUSE_BUSY_HINT }) ?? error;
    });
  }
  if (source.type === 'databricks') {
    if (!source.url || !source.token) {
      throw new UserError('CONFIG_INVALID', 'CUBEJS_DB_TYPE=databricks needs CUBEJS_DB_DATABRICKS_URL and CUBEJS_DB_DATABRICKS_TOKEN');
    }
    return DatabricksDriver.create({ url: source.url, token: source.token, catalog: source.catalog, schema: source.schema, ca: source.ca });
  }
  if (source.type === 'redshift') {
    if (!source.host) throw new UserError('CONFIG_INVALID', 'CUBEJS_DB_TYPE=redshift needs CUBEJS_DB_HOST (and CUBEJS_DB_NAME, CUBEJS_DB_USER, CUBEJS_DB_PASS)');
    return new RedshiftDriver({
      host: source.host, port: source.port, database: source.database, user: source.user, password: source.password,
      ssl: source.ssl ? { rejectUnauthorized: source.sslRejectUnauthorized } : false, maxPool: source.maxPool,
    });
  }
  if (!source.s3OutputLocation && !source.workgroup) {
    throw new UserError('CONFIG_INVALID', 'CUBEJS_DB_TYPE=athena needs CUBEJS_AWS_S3_OUTPUT_LOCATION or CUBEJS_AWS_ATHENA_WORKGROUP');
  }
  // Cube's key variables feed the AWS SDK's default credential chain (which also covers IRSA on EKS).
  if (source.accessKeyId && source.secretAccessKey && !process.env.AWS_ACCESS_KEY_ID) {
    process.env.AWS_ACCESS_KEY_ID = source.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = source.secretAccessKey;
  }
  return AthenaDriver.create({
    region: source.region,
    outputLocation: source.s3OutputLocation,
    workGroup: source.workgroup,
    catalog: source.catalog,
    database: source.schema,
  });
}

/** The local lakehouse's DuckDB file when it is the source (no CUBEJS_DB_DUCKDB_DATABASE_PATH given). */
function localLakehouseFile(config: ServerConfig): string | undefined {
  const { source } = config;
  return source.type === 'duckdb' && source.isLocalLakehouse ? resolveLakehousePaths({ dir: config.lakehouseDir }).duckdbPath : undefined;
}

/** What a second `npm start` on a lakehouse held by another process can do. */
const LAKEHOUSE_BUSY_HINT = 'Use the server already running on it, or stop that process and start again; '
  + 'to run a second server, give it its own LAKEHOUSE_DIR (and its own PORT and CUBEJS_PG_SQL_PORT).';

async function buildLocalLakehouseIfNeeded(config: ServerConfig): Promise<void> {
  const duckdbPath = localLakehouseFile(config);
  if (!duckdbPath) return;
  try {
    await buildLocalLakehouse(config);
  } catch (error) {
    throw asLakehouseBusy(error, duckdbPath, { lakehouseDir: config.lakehouseDir, hint: LAKEHOUSE_BUSY_HINT }) ?? error;
  }
}

async function buildLocalLakehouse(config: ServerConfig): Promise<void> {
  let lastStep = '';
  const report = await ensureLocalLakehouse({
    paths: { dir: config.lakehouseDir },
    onProgress: (event) => {
      // First start only: one line per step, then a dot per unit of work, so the wait is visible.
      if (event.step !== lastStep) {
        lastStep = event.step;
        process.stdout.write(`\n  ${event.step}: ${event.detail} `);
      } else if (event.done === event.total || event.done % Math.max(1, Math.floor(event.total / 20)) === 0) {
        process.stdout.write('.');
      }
    },
  });
  if (report.built) process.stdout.write(`\nLakehouse built in ${report.seconds.toFixed(1)} s: ${report.paths.duckdbPath}\n`);
  // Before the refresh worker's first pass: the real-time cubes' tables exist from the first start.
  await ensureLocalStreamingTables(report.paths.duckdbPath);
}

/**
 * On the local lakehouse the real-time path runs in-process (kinesalite keeping its stream under
 * the lakehouse folder, a gentle synthetic producer, the consumer into bronze and the
 * micro-batches), so campaign metrics move while the server runs. `LAKEHOUSE_STREAMING=false`
 * turns it off; `LAKEHOUSE_STREAM_RATE` sets events/s (0: producer off);
 * `LAKEHOUSE_STREAM_MAX_LAG_SECONDS` is the lag past which /readyz says not ready.
 */
async function startStreamingIfLocal(config: ServerConfig, logger: Logger): Promise<LocalStreaming | undefined> {
  const duckdbPath = localLakehouseFile(config);
  const settings = readLocalStreamingSettings(process.env);
  if (!duckdbPath || !settings.enabled) return undefined;
  return startLocalStreaming({ duckdbPath, ratePerSecond: settings.ratePerSecond, maxLagMs: settings.maxLagMs, logger });
}

/**
 * The playground's browser bundle is built on start when missing or older than its sources (a
 * few seconds, logged); a failed build is logged and the server starts anyway (the playground
 * page then says the bundle is missing).
 */
async function buildPlaygroundIfStale(logger: Logger): Promise<void> {
  try {
    await ensurePlaygroundBundle({ log: (line) => console.log(line) });
  } catch (error) {
    logger.error({ err: error }, 'playground bundle build failed');
  }
}

/** Cube projects keep local settings in `.env`; real environment variables win. */
function loadDotEnv(cwd: string): void {
  const file = path.join(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

export async function main(): Promise<void> {
  loadDotEnv(process.cwd());
  const config = await loadConfig();
  const logger = createLogger({ level: config.logLevel });
  await buildLocalLakehouseIfNeeded(config);
  // Before the stack: the engine records its stage timings into the registry /metrics serves.
  const metrics = createMetrics({ collectProcessMetrics: true });
  const stack = await buildStack(config, logger, undefined, metrics);
  if (config.playground || config.devMode) await buildPlaygroundIfStale(logger);
  // One budget per client across REST, GraphQL and the SQL API (CUBEJS_CLIENT_*).
  const clientLimiter = new ClientLimiter(config.clientLimits ?? { windowMs: 60_000 });
  let streaming: LocalStreaming | undefined;
  const server = createServer({
    config,
    clientLimiter,
    engine: stack.engine,
    driver: stack.driver,
    logger,
    metrics,
    preAggregations: stack.preAggregations,
    preAggregationsUnavailable: stack.preAggregationsUnavailable,
    modelError: stack.modelError,
    readiness: [() => streaming?.monitor.health()],
  });
  const { url } = await server.listen(config.port).catch((error: unknown) => {
    throw asHttpPortInUse(error, config) ?? error;
  });
  const sqlApi = await startConfiguredSqlApi({
    port: config.pgSqlPort ?? DEFAULT_SQL_PORT,
    host: config.pgSqlHost,
    maxMessageBytes: config.pgSqlMaxMessageBytes,
    authTimeoutMs: config.pgSqlAuthTimeoutMs,
    devMode: config.devMode,
    checkSqlAuth: config.configFile.checkSqlAuth,
    sqlUser: config.sqlUser,
    sqlPassword: config.sqlPassword,
    sqlSecurityContext: config.sqlSecurityContext,
    tls: config.pgSqlTls,
    engine: limitEngineClients(stack.engine, clientLimiter),
    getModel: () => stack.engine.currentModel(),
    maxScanRows: config.queryLimit,
    onInternalError: (error) => logger.error({ err: error }, 'SQL API internal error'),
  });
  streaming = await startStreamingIfLocal(config, logger);
  if (streaming) registerStreamMetrics(metrics.registry, streaming.monitor);
  const lines = [
    `REST API: ${url}${REST_BASE_PATH}`,
    `GraphQL API: ${url}${GRAPHQL_PATH}${config.devMode ? ' (GraphiQL in a browser)' : ''}`,
    sqlApi.line,
    config.playground ? `Playground: ${url}/` : undefined,
    `Metrics: ${url}/metrics`,
    streaming ? `Streaming: Kinesis (kinesalite) at ${streaming.endpoint}, stream ${streaming.streamName}` : undefined,
    `Mode: ${config.devMode ? 'development (requests without a token are allowed)' : 'production (JWT required)'}`,
  ].filter(Boolean);
  // The pipeline CLI finds this server (its jobs API, its local stream) in <lakehouse-dir>/server.json.
  const local = localLakehouseFile(config);
  const unannounce = local
    ? announceRunningServer(config.lakehouseDir, { url, restBasePath: REST_BASE_PATH, duckdbPath: local, stream: streaming && { endpoint: streaming.endpoint, streamName: streaming.streamName } })
    : undefined;
  console.log(lines.join('\n'));
  logger.info({ url, devMode: config.devMode, schemaPath: config.schemaPath }, 'server started');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    unannounce?.();
    await server.close();
    await sqlApi.server?.close();
    await streaming?.stop();
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** The HTTP port taken (another server, often a second `npm start`) as a configuration error, like the SQL API's port. */
function asHttpPortInUse(error: unknown, config: ServerConfig): UserError | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return undefined;
  return new UserError('CONFIG_INVALID', `HTTP port ${config.port} is in use: set PORT to a free port (or 0 for any free port)`, {
    hint: 'Another server listens there, perhaps an earlier `npm start`: stop it, or start this one on another PORT.',
    cause: error,
  });
}

function reportStartupFailure(error: unknown): never {
  if (isUserError(error)) console.error(`Cannot start: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`);
  else console.error('Cannot start: unexpected error', error);
  process.exit(exitCodeFor(error));
}

/** True when this file is the program Node was asked to run, also through a symlinked path (ESM URLs are real paths). */
function isEntryPoint(argv1: string | undefined): boolean {
  if (!argv1) return false;
  let file = path.resolve(argv1);
  try {
    file = realpathSync(file);
  } catch {
    // A path that does not resolve is not this file.
  }
  return import.meta.url === pathToFileURL(file).href;
}

if (isEntryPoint(process.argv[1])) {
  main().catch(reportStartupFailure);
}
