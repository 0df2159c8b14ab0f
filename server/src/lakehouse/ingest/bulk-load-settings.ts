import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs a batch's loads and commit with two DuckDB settings suited to appending to bronze, then puts
 * both back as they were (also on failure):
 *
 * - `preserve_insertion_order = false` (this connection only): bronze rows have no order anyone
 *   reads — every silver step orders its duplicates by columns, lines carry their numbers — so the
 *   INSERTs may write each thread's rows as they come instead of re-sequencing them (≈ 30 % of the
 *   load at scale 1).
 * - `max_vacuum_tasks = 0` while the batch runs (a global setting: DuckDB has no per-session one):
 *   parallel insertion leaves one partly filled row group per thread, and the commit's checkpoint
 *   would merge them by rewriting the table's row groups (≈ 0.5 s of a 3 s ingestion at scale 1,
 *   more than the INSERTs saved). Bronze is append-only, so vacuum has no deleted rows to reclaim;
 *   a few part-filled row groups per batch cost scans next to nothing.
 */
export async function withBulkLoadSettings<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  const before = (await connection.runAndReadAll(
    "SELECT current_setting('preserve_insertion_order')::BOOLEAN, current_setting('max_vacuum_tasks')::BIGINT")).getRows()[0]!;
  await connection.run('SET SESSION preserve_insertion_order = false');
  await connection.run('SET GLOBAL max_vacuum_tasks = 0');
  try {
    return await work();
  } finally {
    await connection.run(`SET SESSION preserve_insertion_order = ${before[0] ? 'true' : 'false'}`);
    await connection.run(`SET GLOBAL max_vacuum_tasks = ${Number(before[1])}`);
  }
}
