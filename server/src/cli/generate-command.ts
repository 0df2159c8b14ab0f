import { Command } from 'commander';
import { generateIntoLakehouse } from '../lakehouse/sample-generation.ts';
import { addLakehouseOptions, parseNumber, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { createProgressReporter } from './progress-reporter.ts';

interface GenerateCliOptions extends LakehouseCliOptions {
  scale: number;
  seed: number;
  periodEnd?: string;
  from?: string;
  to?: string;
}

/** `generate`: writes the sample sources to the landing folder and loads the RDS tables. */
export function generateCommand(): Command {
  return addLakehouseOptions(new Command('generate'))
    .description('generate deterministic sample e-commerce sources (landing files + RDS tables)')
    .option('--scale <n>', 'size: 1 ≈ 1,000,000 sale lines over two years', parseNumber('--scale'), 0.05)
    .option('--seed <n>', 'random seed', parseNumber('--seed'), 42)
    .option('--period-end <date>', 'last day of the two-year period (YYYY-MM-DD)')
    .option('--from <date>', 'only write days from this date (YYYY-MM-DD)')
    .option('--to <date>', 'only write days up to this date (YYYY-MM-DD)')
    .action(async (options: GenerateCliOptions) => {
      const paths = pathsFromOptions(options);
      const progress = createProgressReporter();
      try {
        const report = await generateIntoLakehouse(paths, {
          scale: options.scale, seed: options.seed, periodEnd: options.periodEnd,
          from: options.from, to: options.to, rdsUrl: paths.rdsEnabled ? paths.rdsUrl : null,
          onProgress: (e) => progress.update('generate', e.step, e.done, e.total),
        });
        progress.stop();
        console.log(`Generated ${report.params.from}..${report.params.to} (scale ${report.params.scale}, seed ${report.params.seed}) in ${report.seconds.toFixed(1)} s into ${paths.landingDir}`);
        for (const [table, rows] of Object.entries(report.rows)) console.log(`  ${table.padEnd(24)} ${rows}`);
      } finally {
        progress.stop();
      }
    });
}
