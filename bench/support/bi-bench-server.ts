/**
 * The server `npm start` runs (REST + the Postgres-wire SQL API over one engine with
 * pre-aggregations), wired as `server/src/main.ts` wires it, for a bench that forks it so the
 * server's memory can be read from outside (/proc/<pid>/status). Differences from main.ts, each
 * for measurement: the rollups are refreshed once before the server answers and the refresh
 * worker is off (no rebuild during timings); no lakehouse build and no streaming; and the engine
 * the SQL API calls is wrapped by a recorder of what each of its queries was answered from
 * (`usedPreAggregations`, server/test/sql-api/support/record-engine-calls.ts), because the SQL
 * API says nothing about rollups on the wire.
 *
 * IPC (child of `fork`): sends `{ ready, restUrl, sqlPort, rollups }` once listening; answers
 * `{ op: 'served', id }` with the SQL API's engine calls since the last ask.
 * Environment: BI_BENCH_DUCKDB (gold file), BI_BENCH_STORE (rollup store file), plus any CUBEJS_*.
 */
import path from 'node:path';
import { loadConfig } from '../../server/src/config/load-config.ts';
import { buildStack } from '../../server/src/main.ts';
import { createLogger } from '../../server/src/observability/create-logger.ts';
import { createMetrics } from '../../server/src/observability/create-metrics.ts';
import { createServer } from '../../server/src/server.ts';
import { ClientLimiter } from '../../server/src/security/client-limiter.ts';
import { limitEngineClients } from '../../server/src/security/limit-engine-clients.ts';
import { startConfiguredSqlApi } from '../../server/src/api/sql/start-configured-sql-api.ts';
import { recordEngineCalls, type EngineCall } from '../../server/test/sql-api/support/record-engine-calls.ts';

async function serve(): Promise<void> {
  const duckdbPath = process.env.BI_BENCH_DUCKDB!;
  const storePath = process.env.BI_BENCH_STORE!;
  const repo = path.resolve(import.meta.dirname, '../..');
  const env = {
    ...process.env,
    CUBEJS_SCHEMA_PATH: path.join(repo, 'model'),
    CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath,
    CUBEJS_DEV_MODE: 'true',
    CUBEJS_LOG_LEVEL: process.env.CUBEJS_LOG_LEVEL ?? 'silent',
    PORT: '0',
    CUBEJS_PG_SQL_PORT: '0',
  };
  const config = await loadConfig({ cwd: path.dirname(duckdbPath), env });
  const logger = createLogger({ level: config.logLevel });
  const stack = await buildStack(config, logger, { storePath, refreshWorker: false, buildConcurrency: 2, refreshIntervalMs: 60_000, queryConcurrency: 4 });
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel());
  const clientLimiter = new ClientLimiter(config.clientLimits ?? { windowMs: 60_000 });
  const server = createServer({
    config,
    clientLimiter,
    engine: stack.engine,
    driver: stack.driver,
    logger,
    metrics: createMetrics({ collectProcessMetrics: true }),
    preAggregations: stack.preAggregations,
  });
  const { url } = await server.listen(config.port);
  const served: EngineCall[] = [];
  const sqlApi = await startConfiguredSqlApi({
    port: 0,
    host: '127.0.0.1',
    maxMessageBytes: config.pgSqlMaxMessageBytes,
    authTimeoutMs: config.pgSqlAuthTimeoutMs,
    devMode: config.devMode,
    checkSqlAuth: config.configFile.checkSqlAuth,
    sqlUser: config.sqlUser,
    sqlPassword: config.sqlPassword,
    engine: limitEngineClients(recordEngineCalls(stack.engine, served), clientLimiter),
    getModel: () => stack.engine.currentModel(),
    maxScanRows: config.queryLimit,
    onInternalError: (error) => console.error('SQL API internal error', error),
  });
  process.on('message', (message: { op: string; id: number }) => {
    if (message.op === 'served') process.send!({ id: message.id, served: served.splice(0) });
  });
  process.on('disconnect', () => {
    void (async () => {
      await server.close();
      await sqlApi.server?.close();
      await stack.close();
      process.exit(0);
    })();
  });
  process.send!({
    ready: true,
    restUrl: url,
    sqlPort: sqlApi.server!.port,
    rollups: statuses.map((s) => ({ id: s.id, state: s.state, rowCount: s.rowCount, lastError: s.lastError ? String(s.lastError).split('\n')[0] : undefined })),
  });
}

serve().catch((error: unknown) => {
  console.error('bench server failed to start', error);
  process.exit(1);
});
