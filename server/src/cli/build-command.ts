import { Command } from 'commander';
import { buildLakehouse } from '../lakehouse/build-lakehouse.ts';
import { DEFAULT_SQL_DIR } from '../lakehouse/sql-layer-steps.ts';
import { printIngestReport } from './ingest-command.ts';
import { addLakehouseOptions, parseNumber, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { createProgressReporter } from './progress-reporter.ts';

interface BuildCliOptions extends LakehouseCliOptions {
  scale: number;
  seed: number;
  sqlDir: string;
}

/** `build`: the whole batch pipeline (generate when the landing folder is empty, ingest, transform, check). */
export function buildCommand(): Command {
  return addLakehouseOptions(new Command('build'))
    .description('generate (if the landing folder is empty) → ingest → transform → check')
    .option('--scale <n>', 'sample size when generating', parseNumber('--scale'), 0.05)
    .option('--seed <n>', 'random seed when generating', parseNumber('--seed'), 42)
    .option('--sql-dir <dir>', 'folder with silver/ and gold/ SQL files', DEFAULT_SQL_DIR)
    .action(async (options: BuildCliOptions) => {
      const paths = pathsFromOptions(options);
      const progress = createProgressReporter();
      try {
        const report = await buildLakehouse({
          paths: { ...paths, rdsUrl: paths.rdsEnabled ? paths.rdsUrl : undefined }, scale: options.scale, seed: options.seed,
          sqlDir: options.sqlDir, onProgress: (e) => progress.update(e.step, e.detail, e.done, e.total),
        });
        progress.stop();
        if (report.ingested) printIngestReport(report.ingested);
        console.log(`Lakehouse built in ${report.seconds.toFixed(1)} s: ${report.paths.duckdbPath}`);
      } finally {
        progress.stop();
      }
    });
}
