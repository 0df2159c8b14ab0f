import path from 'node:path';
import { Command } from 'commander';
import { buildLakehouse } from '../lakehouse/build-lakehouse.ts';
import { ensureSampleData } from '../lakehouse/sample-generation.ts';
import { DEFAULT_SQL_DIR } from '../lakehouse/sql-layer-steps.ts';
import { printIngestReport } from './ingest-command.ts';
import { addLakehouseOptions, parseNumber, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { asLakehouseBusy } from './open-cli-lakehouse.ts';
import { createProgressReporter, type ProgressReporter } from './progress-reporter.ts';
import { refuseOptionsThroughServer, runningServerFor, type RunningServerClient } from './running-server-client.ts';

interface BuildCliOptions extends LakehouseCliOptions {
  scale: number;
  seed: number;
  sqlDir: string;
}

/**
 * `build`: the whole batch pipeline (generate when the landing folder is empty or a generation did not finish, ingest, transform,
 * check). While `npm start` holds the lakehouse, generation runs here and the other steps in the
 * server through its pipeline jobs API.
 */
export function buildCommand(): Command {
  return addLakehouseOptions(new Command('build'))
    .description('generate (if the landing folder is empty) → ingest → transform → check')
    .option('--scale <n>', 'sample size when generating', parseNumber('--scale'), 0.05)
    .option('--seed <n>', 'random seed when generating', parseNumber('--seed'), 42)
    .option('--sql-dir <dir>', 'folder with silver/ and gold/ SQL files', DEFAULT_SQL_DIR)
    .action(async (options: BuildCliOptions) => {
      const paths = pathsFromOptions(options);
      const progress = createProgressReporter();
      const started = performance.now();
      try {
        const server = runningServerFor(paths.dir, paths.duckdbPath);
        if (server) {
          refuseOptionsThroughServer(server, [options.landing && '--landing', typeof options.rds === 'string' && '--rds',
            path.resolve(options.sqlDir) !== DEFAULT_SQL_DIR && '--sql-dir'].filter((o): o is string => !!o));
          await buildThroughServer(server, options, progress);
        } else {
          const report = await buildLakehouse({
            paths, rds: paths.rdsEnabled, scale: options.scale, seed: options.seed,
            sqlDir: options.sqlDir, onProgress: (e) => progress.update(e.step, e.detail, e.done, e.total),
          }).catch((error: unknown) => { throw asLakehouseBusy(error, paths.duckdbPath) ?? error; });
          progress.stop();
          if (report.ingested) printIngestReport(report.ingested);
        }
        console.log(`Lakehouse built in ${((performance.now() - started) / 1000).toFixed(1)} s: ${paths.duckdbPath}`);
      } finally {
        progress.stop();
      }
    });
}

async function buildThroughServer(server: RunningServerClient, options: BuildCliOptions, progress: ProgressReporter): Promise<void> {
  const paths = pathsFromOptions(options);
  console.error(`The lakehouse is held by ${server.description}: ingesting and transforming through its jobs API.`);
  await ensureSampleData(paths, {
    scale: options.scale, seed: options.seed, rdsUrl: paths.rdsEnabled ? paths.rdsUrl : null,
    onProgress: (e) => progress.update('generate', e.step, e.done, e.total),
  });
  const ingested = await server.runPipelineJob({ command: 'ingest', rds: paths.rdsEnabled }, (d, done, total) => progress.update('ingest', d, done, total));
  await server.runPipelineJob({ command: 'transform', check: true }, (d, done, total) => progress.update('transform', d, done, total));
  progress.stop();
  if ('ingest' in ingested) printIngestReport(ingested.ingest);
}
