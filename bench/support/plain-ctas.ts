import path from 'node:path';
import type { LandingSource } from '../../server/src/lakehouse/datagen/landing-layout.ts';

/**
 * The ingestion benchmarks' baseline for one source: DuckDB reading the same landing files into a
 * table with the contract's column types, skipping what does not parse (`ignore_errors`), with no
 * quarantine, lineage, checksums or ingest log. With `lineage`, the same plus the three columns every
 * bronze row carries (`_ingested_at`, `_source`, `_batch_id`), constants but for the file's name.
 */
export function plainCtasSql(source: LandingSource, landingDir: string, options: { lineage?: boolean } = {}): string {
  const glob = path.join(landingDir, source.folder, '*', '*');
  const columns = `{${source.columns.map(([n, t]) => `'${n}': '${t}'`).join(', ')}}`;
  const named = options.lineage ? ', filename = true' : '';
  const reader = source.format === 'csv' ? `read_csv('${glob}.csv', header = true, columns = ${columns}, ignore_errors = true${named})`
    : source.format === 'json' ? `read_json('${glob}.json', columns = ${columns}, ignore_errors = true${named})` : `read_parquet('${glob}.parquet'${named})`;
  const select = options.lineage
    ? `SELECT * EXCLUDE (filename), TIMESTAMP '2026-01-01 00:00:00' AS _ingested_at, substr(filename, ${landingDir.length + 2}) AS _source, 'b0' AS _batch_id`
    : 'SELECT *';
  return `CREATE TABLE ${source.table} AS ${select} FROM ${reader}`;
}
