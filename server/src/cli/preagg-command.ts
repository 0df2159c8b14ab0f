import path from 'node:path';
import { Command } from 'commander';
import { DuckDbDriver } from '../drivers/duckdb-driver.ts';
import { loadModel } from '../model/compile-model.ts';
import type { SemanticModel } from '../model/model-types.ts';
import { createDuckDbDialect } from '../sql/dialects/duckdb/duckdb-dialect.ts';
import { openPreAggregations, type PreAggregations } from '../preagg/open-pre-aggregations.ts';
import { compileBuildQuery } from '../engine/compile-build-query.ts';
import type { RollupStatus } from '../preagg/refresh-rollups.ts';
import { UserError } from '../errors/user-error.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { asLakehouseBusy } from './open-cli-lakehouse.ts';
import { refuseOptionsThroughServer, runningServerFor, type RunningServerClient } from './running-server-client.ts';

interface PreaggCliOptions extends LakehouseCliOptions {
  model?: string;
  store?: string;
  only?: string[];
  force?: boolean;
}

/**
 * `preagg build|status`: builds the model's rollups from the local lakehouse into the store
 * (`<lakehouse>/preagg.duckdb`), or lists their status. DuckDB lets one process write a file, so
 * while `npm start` holds the lakehouse both go through its pre-aggregation endpoints (Cube's jobs
 * API, which always rebuilds the selected rollups).
 */
export function preaggCommand(): Command {
  const command = new Command('preagg').description('build or list the pre-aggregation rollups (store: <lakehouse-dir>/preagg.duckdb)');
  command.addCommand(
    withOptions(new Command('build'))
      .description('build rollups whose refresh key changed (all of them with --force)')
      .option('--only <ids>', 'rollups to build, e.g. fato_vendas.por_canal_dia', parseList)
      .option('--force', 'rebuild every partition')
      .action(async (options: PreaggCliOptions) => {
        const server = serverFor(options);
        if (server) return buildThroughServer(server, options);
        await withPreAggregations(options, async (preaggs, model) => {
          const started = Date.now();
          const statuses = await preaggs.refresher.refresh(model, { force: options.force ?? false, only: options.only });
          printStatuses(statuses);
          console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
          failOnFailed(statuses.filter((s) => s.state === 'failed').map((s) => `${s.id}: ${s.lastError}`));
        });
      }),
  );
  command.addCommand(
    withOptions(new Command('status'))
      .description('list each rollup: state, last refresh, rows, partitions, last error')
      .action(async (options: PreaggCliOptions) => {
        const server = serverFor(options);
        if (server) return printStatuses(await server.preAggregationStatus());
        await withPreAggregations(options, async (preaggs) => printStatuses(preaggs.status()));
      }),
  );
  return command;
}

function withOptions(command: Command): Command {
  return addLakehouseOptions(command)
    .option('--model <dir>', 'model folder (env CUBEJS_SCHEMA_PATH, default model/)')
    .option('--store <file>', 'store file (env CUBEJS_PRE_AGGREGATIONS_STORE_PATH, default <lakehouse-dir>/preagg.duckdb)');
}

function serverFor(options: PreaggCliOptions): RunningServerClient | undefined {
  const paths = pathsFromOptions(options);
  const server = runningServerFor(paths.dir, paths.duckdbPath);
  if (server) {
    refuseOptionsThroughServer(server, [options.model && '--model', options.store && '--store'].filter((o): o is string => !!o));
    console.error(`The lakehouse is held by ${server.description}: using its pre-aggregation endpoints.`);
  }
  return server;
}

async function buildThroughServer(server: RunningServerClient, options: PreaggCliOptions): Promise<void> {
  const started = Date.now();
  const jobs = await server.buildPreAggregations(options.only);
  printStatuses((await server.preAggregationStatus()).filter((s) => jobs.some((j) => j.table === s.id)));
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  failOnFailed(jobs.filter((j) => j.status !== 'done').map((j) => `${j.table}: ${j.status}`));
}

function failOnFailed(failures: readonly string[]): void {
  if (failures.length > 0) throw new UserError('SOURCE_ERROR', `${failures.length} rollup build(s) failed: ${failures.join('; ')}`);
}

async function withPreAggregations(options: PreaggCliOptions, work: (preaggs: PreAggregations, model: SemanticModel) => Promise<void>): Promise<void> {
  const paths = pathsFromOptions(options);
  const modelDir = path.resolve(options.model ?? process.env.CUBEJS_SCHEMA_PATH ?? path.join(import.meta.dirname, '../../../model'));
  const model = await loadModel(modelDir);
  const source = await DuckDbDriver.open(paths.duckdbPath).catch((error: unknown) => { throw asLakehouseBusy(error, paths.duckdbPath) ?? error; });
  const storePath = options.store ?? process.env.CUBEJS_PRE_AGGREGATIONS_STORE_PATH ?? path.join(paths.dir, 'preagg.duckdb');
  let preaggs: PreAggregations;
  try {
    preaggs = await openPreAggregations({ storePath, sourceDriver: source, sourceDialect: createDuckDbDialect(), compileBuild: compileBuildQuery, model: () => model });
  } catch (error) {
    await source.close();
    throw asLakehouseBusy(error, storePath) ?? error;
  }
  try {
    await work(preaggs, model);
  } finally {
    await preaggs.close();
    await source.close();
  }
}

function printStatuses(statuses: readonly RollupStatus[]): void {
  const rows = statuses.map((s) => ({
    rollup: s.id,
    state: s.state,
    'last refresh': s.lastRefreshAt ?? '-',
    'duration ms': s.lastDurationMs ?? '-',
    rows: s.rowCount,
    partitions: s.partitions,
    'last error': s.lastError ?? '',
  }));
  console.table(rows);
}
