import { Command } from 'commander';
import { runIngestion } from '../lakehouse/ingest/run-ingestion.ts';
import type { IngestReport } from '../lakehouse/ingest/ingest-types.ts';
import { addLakehouseOptions, parseList, pathsFromOptions, type LakehouseCliOptions } from './lakehouse-options.ts';
import { openCliLakehouse } from './open-cli-lakehouse.ts';
import { createProgressReporter } from './progress-reporter.ts';
import { refuseOptionsThroughServer, runningServerFor } from './running-server-client.ts';

interface IngestCliOptions extends LakehouseCliOptions {
  tables?: string[];
}

/**
 * `ingest`: loads new landing files and RDS changes into bronze as one batch. While `npm start`
 * holds the lakehouse, the batch runs in the server through its pipeline jobs API.
 */
export function ingestCommand(): Command {
  return addLakehouseOptions(new Command('ingest'))
    .description('ingest new landing files and RDS changes (by updated_at watermark) into bronze')
    .option('--tables <list>', 'only these bronze tables (comma-separated)', parseList)
    .action(async (options: IngestCliOptions) => {
      const paths = pathsFromOptions(options);
      const progress = createProgressReporter();
      try {
        const server = runningServerFor(paths.dir, paths.duckdbPath);
        if (server) {
          refuseOptionsThroughServer(server, [options.landing && '--landing', typeof options.rds === 'string' && '--rds'].filter((o): o is string => !!o));
          console.error(`The lakehouse is held by ${server.description}: ingesting through its jobs API.`);
          const result = await server.runPipelineJob({ command: 'ingest', tables: options.tables, rds: paths.rdsEnabled },
            (detail, done, total) => progress.update('ingest', detail, done, total));
          progress.stop();
          if ('ingest' in result) printIngestReport(result.ingest);
          return;
        }
        const connection = await openCliLakehouse(paths.duckdbPath);
        try {
          const report = await runIngestion(connection, {
            landingDir: paths.landingDir, rdsUrl: paths.rdsEnabled ? paths.rdsUrl : null, tables: options.tables,
            onProgress: (e) => progress.update('ingest', e.source, e.done, e.total),
          });
          progress.stop();
          printIngestReport(report);
        } finally {
          connection.closeSync();
        }
      } finally {
        progress.stop();
      }
    });
}

/** One line per source: files, records read = accepted + quarantined, watermark. */
export function printIngestReport(report: IngestReport): void {
  console.log(`Batch ${report.batchId} in ${report.seconds.toFixed(1)} s`);
  console.log(`  ${'table'.padEnd(18)} ${'files'.padStart(6)} ${'skipped'.padStart(8)} ${'read'.padStart(9)} ${'accepted'.padStart(9)} ${'quarant.'.padStart(9)}  watermark`);
  for (const s of report.sources) {
    console.log(`  ${s.table.padEnd(18)} ${String(s.files).padStart(6)} ${String(s.skippedFiles).padStart(8)} ${String(s.read).padStart(9)} ${String(s.accepted).padStart(9)} ${String(s.quarantined).padStart(9)}  ${s.watermark ?? ''}`);
  }
}
