/**
 * Assembles the pre-aggregation side of a server: the store (an embedded DuckDB file apart from
 * the source), the refresher that builds through the source driver, the rollup matcher the
 * engine calls, the jobs protocol and, when asked, the scheduled refresh worker.
 */
import type { Driver } from '../drivers/driver-types.ts';
import { DuckDbDriver } from '../drivers/duckdb-driver.ts';
import type { Dialect } from '../sql/dialect.ts';
import { createDuckDbDialect } from '../sql/dialects/duckdb/duckdb-dialect.ts';
import type { SemanticModel } from '../model/model-types.ts';
import type { Logger } from '../observability/create-logger.ts';
import type { QueryOrchestrator } from '../reuse/query-orchestrator.ts';
import type { CompileBuildQuery } from '../engine/engine-types.ts';
import { UserError } from '../errors/user-error.ts';
import { PreAggregationStore } from './preagg-store.ts';
import { RollupRefresher, type RollupStatus } from './refresh-rollups.ts';
import { RefreshWorker } from './refresh-worker.ts';
import { PreAggregationJobs } from './preagg-jobs.ts';
import { createRollupMatcher, type MatchPreAggregation } from './rollup-matcher.ts';
import { createSourceQueryRunner, createSourceSqlRunner } from './source-query-runner.ts';

export interface PreAggregationsOptions {
  /** The store's DuckDB file (':memory:' for tests that need no persistence). */
  readonly storePath: string;
  readonly stagingDir?: string;
  readonly sourceDriver: Driver;
  readonly sourceDialect: Dialect;
  /**
   * The engine's build compiler (`compileBuildQuery` of engine/compile-build-query.ts): builds plan
   * through the engine's stages, received here so preagg/ never imports the engine.
   */
  readonly compileBuild: CompileBuildQuery;
  readonly orchestrator?: QueryOrchestrator;
  readonly model: () => SemanticModel;
  /** Builds running at once (Cube's CUBEJS_SCHEDULED_REFRESH_CONCURRENCY). */
  readonly concurrency?: number;
  /** Start the scheduled refresh worker (background build of missing rollups, then a timer). */
  readonly scheduledRefresh?: boolean;
  readonly refreshIntervalMs?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/** The parts the engine, the jobs route and the CLI use. */
export interface PreAggregations {
  readonly store: PreAggregationStore;
  readonly refresher: RollupRefresher;
  readonly jobs: PreAggregationJobs;
  readonly matcher: MatchPreAggregation;
  readonly worker?: RefreshWorker;
  status(): RollupStatus[];
  close(): Promise<void>;
}

export async function openPreAggregations(options: PreAggregationsOptions): Promise<PreAggregations> {
  let driver: DuckDbDriver;
  try {
    driver = await DuckDbDriver.open(options.storePath);
  } catch (error) {
    throw new UserError('CONFIG_INVALID', `Cannot open the pre-aggregation store at ${options.storePath}: ${(error as Error).message}`, { cause: error });
  }
  const store = new PreAggregationStore(driver, { stagingDir: options.stagingDir });
  await store.init();
  const runner = { driver: options.sourceDriver, dialect: options.sourceDialect, compileBuild: options.compileBuild, orchestrator: options.orchestrator, now: options.now };
  const refresher = new RollupRefresher({
    store,
    runSourceQuery: createSourceQueryRunner(runner),
    runSourceSql: createSourceSqlRunner(runner),
    concurrency: options.concurrency ?? 2,
    now: options.now ? () => options.now!().getTime() : undefined,
  });
  const worker = options.scheduledRefresh
    ? new RefreshWorker({ refresher, model: options.model, intervalMs: options.refreshIntervalMs ?? 30_000, logger: options.logger })
    : undefined;
  worker?.start();
  return {
    store,
    refresher,
    jobs: new PreAggregationJobs(refresher, options.model, store),
    matcher: createRollupMatcher({ store, dialect: createDuckDbDialect(), runSourceQuery: createSourceQueryRunner({ ...runner, priority: 0 }) }),
    worker,
    status: () => refresher.status(options.model()),
    async close() {
      await worker?.stop();
      while (refresher.busy) await new Promise((resolve) => setTimeout(resolve, 20));
      await store.close();
    },
  };
}
