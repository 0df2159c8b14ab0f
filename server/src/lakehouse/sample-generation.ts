import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { generateSampleData, type GenerateOptions, type GenerateReport } from './datagen/generate-sample-data.ts';
import type { LakehousePaths } from './lakehouse-paths.ts';
import { isProcessAlive } from './process-alive.ts';
import { acquireProcessLock } from './process-lock.ts';
import { DataQualityError } from './quality/run-quality-checks.ts';

/**
 * `<lakehouse-dir>/sample-generation.json`: whether the landing folder holds generated sample data,
 * and whether that generation finished. Generation writes landing files source by source and loads
 * RDS last, so a process stopped midway leaves part of the sources; the marker says `generating`
 * until the last step is done, and the next build generates again (same seed → same files, RDS rows
 * upserted). Without a marker, files in the landing folder are the user's own and are left alone.
 */
interface GenerationMarker {
  readonly state: 'generating' | 'complete';
  readonly landingDir: string;
  readonly pid: number;
  readonly seed: number;
  readonly scale: number;
  /** Rows the generator produced per output table (`rds_returns`, `out_orders` …), once complete. */
  readonly rows?: Record<string, number>;
  /** Whether the `rds_*` rows were loaded into the RDS (not with --no-rds). */
  readonly rdsLoaded?: boolean;
  readonly at: string;
}

const MARKER_FILE = 'sample-generation.json';

/** Generation options minus where things go (the lakehouse paths say that). */
export type SampleGenerationOptions = Omit<GenerateOptions, 'landingDir'>;

/**
 * Generates the sample sources into the lakehouse's landing folder and RDS, marking the landing
 * folder `generating` first and `complete` last, so an interrupted or failed run is redone. One
 * process at a time (`<lakehouse-dir>/generate.lock`): two generators writing the same files and
 * the same embedded RDS corrupt it; the second gets LAKEHOUSE_BUSY naming the first.
 */
export async function generateIntoLakehouse(paths: LakehousePaths, options: SampleGenerationOptions): Promise<GenerateReport> {
  const release = lockGeneration(paths);
  try {
    return await generateUnlocked(paths, options);
  } finally {
    release();
  }
}

/**
 * What a build runs: generates when `needsSampleGeneration` says so, deciding under the generation
 * lock (a generator that just finished is not redone). Undefined when nothing was generated.
 */
export async function ensureSampleData(paths: LakehousePaths, options: SampleGenerationOptions): Promise<GenerateReport | undefined> {
  const release = lockGeneration(paths);
  try {
    return needsSampleGeneration(paths) ? await generateUnlocked(paths, options) : undefined;
  } finally {
    release();
  }
}

function lockGeneration(paths: LakehousePaths): () => void {
  fs.mkdirSync(paths.dir, { recursive: true });
  return acquireProcessLock(path.join(paths.dir, 'generate.lock'), `Sample data generation into ${paths.dir}`);
}

async function generateUnlocked(paths: LakehousePaths, options: SampleGenerationOptions): Promise<GenerateReport> {
  removeDeadScratchFolders(paths.landingDir);
  const base = { landingDir: path.resolve(paths.landingDir), pid: process.pid, seed: options.seed ?? 42, scale: options.scale ?? 0.05 };
  writeMarker(paths.dir, { state: 'generating', ...base, at: new Date().toISOString() });
  const report = await generateSampleData({ ...options, landingDir: paths.landingDir });
  writeMarker(paths.dir, { state: 'complete', ...base, rows: report.rows, rdsLoaded: options.rdsUrl !== null, at: new Date().toISOString() });
  return report;
}

/**
 * Whether a build must generate sample sources: an earlier generation into this landing folder was
 * interrupted or failed, or nothing (no marker, no files) is there yet. Files without a marker are
 * real files a user landed: never overwritten.
 */
export function needsSampleGeneration(paths: LakehousePaths): boolean {
  const marker = readMarker(paths);
  if (marker) return marker.state !== 'complete';
  return !hasLandingFiles(paths.landingDir);
}

/** True when a generation into this landing folder started and did not finish. */
export function sampleGenerationInterrupted(paths: LakehousePaths): boolean {
  return readMarker(paths)?.state === 'generating';
}

/**
 * After ingestion: an RDS table the generator filled (rows > 0) must have reached bronze. An empty
 * one means the RDS load never happened or ingestion read another database; a DATA_QUALITY error
 * names the table rather than a lakehouse built without returns or cancellations.
 */
export async function checkGeneratedRdsLanded(connection: DuckDBConnection, paths: LakehousePaths): Promise<void> {
  const marker = readMarker(paths);
  if (marker?.state !== 'complete' || !marker.rows || !marker.rdsLoaded) return;
  const results = [];
  for (const [output, generated] of Object.entries(marker.rows)) {
    if (!output.startsWith('rds_') || !(generated > 0)) continue;
    const table = `bronze.${output.slice('rds_'.length)}`;
    const exists = (await connection.runAndReadAll(
      `SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'bronze' AND table_name = '${output.slice('rds_'.length)}'`)).getRows()[0]![0];
    const rows = Number(exists) > 0 ? Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0]![0]) : 0;
    if (rows === 0) {
      results.push({ table, check: 'holds the rows generated into RDS', failures: 1,
        samples: [`${table} is empty while the sample generator loaded ${generated} rows into RDS (${marker.landingDir})`] });
    }
  }
  if (results.length > 0) throw new DataQualityError({ layer: 'bronze', passed: false, results });
}

/** Scratch folders (`.generating-<pid>`) left in the landing folder by generators that are gone. */
function removeDeadScratchFolders(landingDir: string): void {
  if (!fs.existsSync(landingDir)) return;
  for (const entry of fs.readdirSync(landingDir)) {
    const pid = Number(/^\.generating-(\d+)$/.exec(entry)?.[1]);
    if (pid > 0 && !isProcessAlive(pid)) fs.rmSync(path.join(landingDir, entry), { recursive: true, force: true });
  }
}

function hasLandingFiles(landingDir: string): boolean {
  return fs.existsSync(landingDir) && fs.readdirSync(landingDir).some((entry) => !entry.startsWith('.'));
}

/** The marker of this landing folder; one written for another landing folder does not count. */
function readMarker(paths: LakehousePaths): GenerationMarker | undefined {
  let marker: GenerationMarker;
  try {
    marker = JSON.parse(fs.readFileSync(path.join(paths.dir, MARKER_FILE), 'utf8')) as GenerationMarker;
  } catch {
    return undefined;
  }
  return marker.landingDir === path.resolve(paths.landingDir) ? marker : undefined;
}

/** Atomically (temp file then rename): a reader sees the old marker or the new one. */
function writeMarker(dir: string, marker: GenerationMarker): void {
  const file = path.join(dir, MARKER_FILE);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(marker, null, 2)}\n`);
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
}
