import crypto from 'node:crypto';
import fs from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError, isUserError } from '../../errors/user-error.ts';
import { LANDING_SOURCES, type LandingSource } from '../datagen/landing-layout.ts';
import { inTransaction } from '../open-lakehouse.ts';
import { openRdsClient } from '../rds/open-rds-client.ts';
import type { RdsClient } from '../rds/rds-client.ts';
import { ensureRdsTables, RDS_TABLES } from '../rds/rds-tables.ts';
import { batchRowsPerFile } from './batch-rows-per-file.ts';
import { withBulkLoadSettings } from './bulk-load-settings.ts';
import { appendIngestLog, ensureBronzeTables, type IngestLogEntry } from './bronze-tables.ts';
import { fetchRdsChanges, loadRdsExtract, type RdsExtract } from './extract-rds-tables.ts';
import type { BatchContext, IngestProgress, IngestReport, SourceIngestReport } from './ingest-types.ts';
import { findNewFiles, loggedFiles, type LandingFile } from './landing-files.ts';
import { loadCsvFiles } from './load-csv-files.ts';
import { loadJsonLinesFiles } from './load-json-lines-files.ts';
import { checkParquetFiles, loadParquetFiles } from './load-parquet-files.ts';

/** What one ingestion run reads. */
export interface IngestOptions {
  readonly landingDir: string;
  /** RDS connection string; null skips the database extracts. */
  readonly rdsUrl: string | null;
  /** An already open RDS client to use instead of connecting to `rdsUrl` (a long-running process keeps one). */
  readonly rdsClient?: RdsClient;
  /** Limit to some bronze tables (default: every landing source and RDS table). */
  readonly tables?: readonly string[];
  readonly onProgress?: (event: IngestProgress) => void;
}

interface PlannedSource { source: LandingSource; files: LandingFile[]; skipped: number; parquetRows?: Map<string, number> }

/**
 * Ingests new landing files and RDS changes into bronze as one batch in one DuckDB transaction:
 * every check that can fail on bad input (missing folder, wrong CSV header, corrupt Parquet,
 * unreachable database) runs before the transaction opens, and any failure after rolls it back,
 * so the lakehouse is either fully updated or left as it was.
 */
export async function runIngestion(connection: DuckDBConnection, options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  if (!fs.existsSync(options.landingDir) || !fs.statSync(options.landingDir).isDirectory()) {
    throw new UserError('PIPELINE_INPUT', `Landing folder ${options.landingDir} does not exist`, {
      hint: 'Generate sample data first (`npm run cli -- generate`) or point LAKEHOUSE_DIR at a lakehouse with a landing/ folder.' });
  }
  checkTables(options.tables);
  await ensureBronzeTables(connection);
  const wanted = (table: string) => !options.tables || options.tables.includes(table);
  const planned: PlannedSource[] = [];
  const logged = await loggedFiles(connection);
  for (const source of LANDING_SOURCES.filter((s) => wanted(s.table))) {
    const found = findNewFiles(options.landingDir, source, logged);
    const parquetRows = source.format === 'parquet' && found.files.length > 0 ? await checkParquetFiles(connection, source, found.files) : undefined;
    planned.push({ source, ...found, parquetRows });
  }
  const extracts = options.rdsClient || options.rdsUrl ? await fetchAllRds(connection, options.rdsClient ?? options.rdsUrl!, wanted) : [];
  const ctx: BatchContext = { batchId: newBatchId(), ingestedAt: new Date().toISOString().replace('T', ' ').replace('Z', ''), landingDir: options.landingDir };
  const total = planned.length + extracts.length;
  const sources = await withBulkLoadSettings(connection, () => inTransaction(connection, async () => {
    const reports: SourceIngestReport[] = [];
    for (const plan of planned) {
      options.onProgress?.({ source: plan.source.folder, done: reports.length, total });
      reports.push(await ingestFiles(connection, plan, ctx));
    }
    for (const extract of extracts) {
      options.onProgress?.({ source: `rds:${extract.table.name}`, done: reports.length, total });
      reports.push(await loadRdsExtract(connection, extract, ctx));
    }
    options.onProgress?.({ source: 'done', done: total, total });
    return reports;
  }));
  return { batchId: ctx.batchId, sources, seconds: (performance.now() - started) / 1000 };
}

async function fetchAllRds(connection: DuckDBConnection, rds: string | RdsClient, wanted: (t: string) => boolean): Promise<RdsExtract[]> {
  const client = typeof rds === 'string' ? await openRdsClient(rds) : rds;
  try {
    // A fresh embedded database (sources never generated into it) simply has nothing to extract yet;
    // a real RDS is never altered by ingestion.
    if (client.description.startsWith('pglite:')) await ensureRdsTables(client);
    return (await fetchRdsChanges(connection, client)).filter((e) => wanted(e.table.name));
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError('SOURCE_ERROR', `Extracting from the RDS source ${client.description} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    if (typeof rds === 'string') await client.close();
  }
}

/** `--tables` names bronze tables; an unknown one would silently ingest nothing, so it is refused. */
function checkTables(tables: readonly string[] | undefined): void {
  const known = [...LANDING_SOURCES.map((s) => s.table), ...RDS_TABLES.map((t) => t.name)];
  const unknown = (tables ?? []).filter((t) => !known.includes(t));
  if (unknown.length > 0) throw new UserError('PIPELINE_INPUT', `Unknown bronze table(s) ${unknown.join(', ')}; tables are ${known.join(', ')}`);
}

function newBatchId(): string {
  return `b${new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}-${crypto.randomBytes(3).toString('hex')}`;
}

/** Loads one source's new files and logs each with its counts; refuses to commit counts that do not reconcile. */
async function ingestFiles(connection: DuckDBConnection, plan: PlannedSource, ctx: BatchContext): Promise<SourceIngestReport> {
  const { source, files } = plan;
  if (files.length === 0) return { table: source.table, files: 0, skippedFiles: plan.skipped, read: 0, accepted: 0, quarantined: 0, watermark: null };
  let acceptedPerFile: ReadonlyMap<string, number>;
  try {
    if (source.format === 'csv') acceptedPerFile = await loadCsvFiles(connection, source, files, ctx);
    else if (source.format === 'json') acceptedPerFile = await loadJsonLinesFiles(connection, source, files, ctx);
    else acceptedPerFile = await loadParquetFiles(connection, source, files, ctx, plan.parquetRows ?? new Map());
  } catch (error) {
    throw changedFileError(files, error) ?? error;
  }
  const quarantinedPerFile = await batchRowsPerFile(connection, 'quarantine', ctx);
  const report = { table: source.table, files: files.length, skippedFiles: plan.skipped, read: 0, accepted: 0, quarantined: 0, watermark: null };
  const log: IngestLogEntry[] = [];
  for (const file of files) {
    const read = file.lineCount ?? plan.parquetRows?.get(file.absolutePath) ?? 0;
    const accepted = acceptedPerFile.get(file.relativePath) ?? 0;
    const quarantined = quarantinedPerFile.get(file.relativePath) ?? 0;
    if (read !== accepted + quarantined) {
      // Every record lands or is quarantined, so a gap means the file changed (or vanished) during the batch.
      throw new UserError('PIPELINE_INPUT', `Reconciliation failed for ${file.relativePath}: read ${read}, accepted ${accepted}, quarantined ${quarantined}; the file changed during the batch`, {
        location: { file: file.relativePath, line: 0 }, hint: 'Nothing was ingested; run the ingestion again once the landing folder is stable.' });
    }
    report.read += read; report.accepted += accepted; report.quarantined += quarantined;
    log.push({ table: source.table, path: file.relativePath, size: file.size, mtimeMs: file.mtimeMs, checksum: file.checksum, watermark: null, read, accepted, quarantined });
  }
  await appendIngestLog(connection, ctx, log);
  return report;
}

/**
 * A loader's failure explained by a file that vanished or was rewritten since it was planned (a
 * foreseeable race with whoever writes the landing folder), or null when every file is as planned.
 */
function changedFileError(files: readonly LandingFile[], cause: unknown): UserError | null {
  for (const file of files) {
    const now = fs.statSync(file.absolutePath, { throwIfNoEntry: false });
    if (now && now.size === file.size && Math.trunc(now.mtimeMs) === file.mtimeMs) continue;
    return new UserError('PIPELINE_INPUT', `${file.relativePath} changed during the batch: ${now ? 'its size or modification time differ' : 'it no longer exists'}`, {
      location: { file: file.relativePath, line: 0 }, hint: 'Nothing was ingested; run the ingestion again once the landing folder is stable.', cause });
  }
  return null;
}
