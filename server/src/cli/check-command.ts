import { Command } from 'commander';
import { openLakehouse } from '../lakehouse/open-lakehouse.ts';
import { loadSqlLayerSteps, type SqlLayer } from '../lakehouse/sql-layer-steps.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';

interface CheckCliOptions extends LakehouseCliOptions {
  layers: SqlLayer[];
}

/** `check`: runs the data-quality checks of each layer; a failed check exits non-zero with its report. */
export function checkCommand(): Command {
  return addLakehouseOptions(new Command('check'))
    .description('run data-quality checks (not null, unique keys, referential integrity, accepted values)')
    .option('--layers <list>', 'layers to check', parseList, ['silver', 'gold'])
    .action(async (options: CheckCliOptions) => {
      const paths = pathsFromOptions(options);
      const steps = await loadSqlLayerSteps();
      const connection = await openLakehouse(paths.duckdbPath);
      try {
        for (const layer of options.layers) {
          await steps.runQualityChecks(connection, layer);
          console.log(`${layer}: all checks passed`);
        }
      } finally {
        connection.closeSync();
      }
    });
}
