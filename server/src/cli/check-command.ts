import { Command } from 'commander';
import { checkLayers } from '../lakehouse/pipeline-jobs.ts';
import { checkGeneratedRdsLanded } from '../lakehouse/sample-generation.ts';
import { SQL_LAYER_STEPS } from '../lakehouse/sql-layer-steps.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { openCliLakehouse } from './open-cli-lakehouse.ts';
import { runningServerFor } from './running-server-client.ts';

interface CheckCliOptions extends LakehouseCliOptions {
  layers: string[];
}

/**
 * `check`: runs the data-quality checks of each layer; a failed check exits non-zero with its
 * report. While `npm start` holds the lakehouse, the checks run in the server through its jobs API.
 */
export function checkCommand(): Command {
  return addLakehouseOptions(new Command('check'))
    .description('run data-quality checks (not null, unique keys, referential integrity, accepted values)')
    .option('--layers <list>', 'layers to check', parseList, ['silver', 'gold'])
    .action(async (options: CheckCliOptions) => {
      const paths = pathsFromOptions(options);
      const layers = checkLayers(options.layers);
      const server = runningServerFor(paths.dir, paths.duckdbPath);
      if (server) {
        console.error(`The lakehouse is held by ${server.description}: checking through its jobs API.`);
        await server.runPipelineJob({ command: 'check', layers });
        for (const layer of layers) console.log(`${layer}: all checks passed`);
        return;
      }
      const steps = SQL_LAYER_STEPS;
      const connection = await openCliLakehouse(paths.duckdbPath);
      try {
        if (paths.rdsEnabled) await checkGeneratedRdsLanded(connection, paths);
        for (const layer of layers) {
          await steps.runQualityChecks(connection, layer);
          console.log(`${layer}: all checks passed`);
        }
      } finally {
        connection.closeSync();
      }
    });
}
