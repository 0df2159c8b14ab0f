import path from 'node:path';
import { Command } from 'commander';
import { checkLayers } from '../lakehouse/pipeline-jobs.ts';
import { DEFAULT_SQL_DIR, SQL_LAYER_STEPS, type SqlLayer } from '../lakehouse/sql-layer-steps.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { openCliLakehouse } from './open-cli-lakehouse.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { refuseOptionsThroughServer, runningServerFor } from './running-server-client.ts';

interface TransformCliOptions extends LakehouseCliOptions {
  layers: string[];
  sqlDir: string;
}

/**
 * `transform`: runs the silver and gold SQL files of notebooks/sql on the lakehouse. While
 * `npm start` holds the lakehouse, they run in the server through its pipeline jobs API.
 */
export function transformCommand(): Command {
  return addLakehouseOptions(new Command('transform'))
    .description('run the bronze → silver → gold SQL files (notebooks/sql)')
    .option('--layers <list>', 'layers to run, in order', parseList, ['silver', 'gold'])
    .option('--sql-dir <dir>', 'folder with silver/ and gold/ SQL files', DEFAULT_SQL_DIR)
    .action(async (options: TransformCliOptions) => {
      const paths = pathsFromOptions(options);
      const layers = checkLayers(options.layers);
      const progress = createProgressReporter();
      const started = performance.now();
      try {
        const server = runningServerFor(paths.dir, paths.duckdbPath);
        if (server) {
          refuseOptionsThroughServer(server, path.resolve(options.sqlDir) === DEFAULT_SQL_DIR ? [] : ['--sql-dir']);
          console.error(`The lakehouse is held by ${server.description}: transforming through its jobs API.`);
          await server.runPipelineJob({ command: 'transform', layers }, (detail, done, total) => progress.update('transform', detail, done, total));
        } else {
          await transformLocally(paths.duckdbPath, options.sqlDir, layers, (detail, done, total) => progress.update('transform', detail, done, total));
        }
        progress.stop();
        console.log(`Transformed ${layers.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        progress.stop();
      }
    });
}

async function transformLocally(duckdbPath: string, sqlDir: string, layers: SqlLayer[], onProgress: (file: string, done: number, total: number) => void): Promise<void> {
  const steps = SQL_LAYER_STEPS;
  const connection = await openCliLakehouse(duckdbPath);
  try {
    await steps.runTransformations(connection, { sqlDir, layers, onProgress: (e) => onProgress(e.file, e.done, e.total) });
  } finally {
    connection.closeSync();
  }
}
