import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { generateSampleData, type GenerateReport } from '../../src/lakehouse/datagen/generate-sample-data.ts';
import { resolveLakehousePaths, type LakehousePaths } from '../../src/lakehouse/lakehouse-paths.ts';

/** A throwaway lakehouse under the OS temp dir, with its RDS in an embedded PGlite. */
export interface TempLakehouse {
  readonly paths: LakehousePaths;
  readonly generated: GenerateReport | null;
  remove(): void;
}

/** Creates a temp lakehouse; generates sample sources (small scale) unless `generate` is false. */
export async function makeTempLakehouse(options: { scale?: number; seed?: number; generate?: boolean; rds?: boolean } = {}): Promise<TempLakehouse> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-test-'));
  const paths = resolveLakehousePaths({ dir, duckdbPath: path.join(dir, 'lakehouse.duckdb'), rdsUrl: `pglite:${path.join(dir, 'rds')}` }, {});
  const generated = options.generate === false ? null : await generateSampleData({
    landingDir: paths.landingDir, scale: options.scale ?? 0.01, seed: options.seed ?? 7, rdsUrl: options.rds === false ? null : paths.rdsUrl,
  });
  return { paths, generated, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under a folder (relative paths, sorted). */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full); else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

/** Data lines of the text files of one landing folder, with their file and 1-based line number. */
export function readDataLines(landingDir: string, folder: string, hasHeader: boolean): { file: string; line: number; text: string }[] {
  const rows: { file: string; line: number; text: string }[] = [];
  for (const file of listFiles(path.join(landingDir, folder))) {
    const lines = fs.readFileSync(path.join(landingDir, folder, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '' || (hasHeader && i === 0)) return;
      rows.push({ file: `${folder}/${file}`, line: i + 1, text });
    });
  }
  return rows;
}

/**
 * A fingerprint of every table in the lakehouse schemas: row count and an order-independent hash of
 * the rows. Equal fingerprints before and after a failed run prove nothing was half-written.
 */
export async function fingerprint(connection: DuckDBConnection): Promise<Record<string, string>> {
  const tables = (await connection.runAndReadAll(
    "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('bronze', 'silver', 'gold') ORDER BY 1")).getRows();
  const result: Record<string, string> = {};
  for (const [name] of tables) {
    const row = (await connection.runAndReadAll(`SELECT count(*), coalesce(sum(hash(CAST(to_json(t) AS VARCHAR))), 0) FROM ${String(name)} t`)).getRows()[0]!;
    result[String(name)] = `${String(row[0])}:${String(row[1])}`;
  }
  return result;
}
