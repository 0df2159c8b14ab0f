import { Command } from 'commander';
import { openLakehouse } from '../lakehouse/open-lakehouse.ts';
import { DEFAULT_SQL_DIR, loadSqlLayerSteps, type SqlLayer } from '../lakehouse/sql-layer-steps.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { createProgressReporter } from './progress-reporter.ts';

interface TransformCliOptions extends LakehouseCliOptions {
  layers: SqlLayer[];
  sqlDir: string;
}

/** `transform`: runs the silver and gold SQL files of notebooks/sql on the lakehouse. */
export function transformCommand(): Command {
  return addLakehouseOptions(new Command('transform'))
    .description('run the bronze → silver → gold SQL files (notebooks/sql)')
    .option('--layers <list>', 'layers to run, in order', parseList, ['silver', 'gold'])
    .option('--sql-dir <dir>', 'folder with silver/ and gold/ SQL files', DEFAULT_SQL_DIR)
    .action(async (options: TransformCliOptions) => {
      const paths = pathsFromOptions(options);
      const steps = await loadSqlLayerSteps();
      const progress = createProgressReporter();
      const connection = await openLakehouse(paths.duckdbPath);
      try {
        const started = performance.now();
        await steps.runTransformations(connection, {
          sqlDir: options.sqlDir, layers: options.layers,
          onProgress: (e) => progress.update('transform', e.file, e.done, e.total),
        });
        progress.stop();
        console.log(`Transformed ${options.layers.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        progress.stop();
        connection.closeSync();
      }
    });
}
