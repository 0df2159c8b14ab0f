import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LANDING_SOURCES, fileExtension, type LandingSource } from './landing-layout.ts';

/**
 * Writes the generator's `out_<table>` tables as landing files, one per day partition, with DuckDB
 * `COPY … PARTITION_BY (dt)`. DuckDB names partition files itself, so they are written to a
 * scratch folder and renamed to `<prefix>_YYYYMMDD.<ext>`; a file appears complete or not at all.
 * Returns the number of files written per source.
 */
export async function writeLandingFiles(
  connection: DuckDBConnection, landingDir: string, range: { from: string; to: string },
  onSource?: (source: LandingSource) => void,
): Promise<Record<string, number>> {
  const scratch = path.join(landingDir, `.generating-${process.pid}`);
  fs.rmSync(scratch, { recursive: true, force: true });
  const counts: Record<string, number> = {};
  try {
    for (const source of LANDING_SOURCES) {
      onSource?.(source);
      const target = path.join(scratch, source.folder);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (source.format === 'parquet') await copyPartitioned(connection, target, source, range);
      else await writeTextFiles(connection, target, source, range);
      counts[source.table] = moveIntoPlace(target, path.join(landingDir, source.folder), source);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return counts;
}

function moveIntoPlace(scratchFolder: string, landingFolder: string, source: LandingSource): number {
  if (!fs.existsSync(scratchFolder)) return 0;
  let moved = 0;
  for (const partition of fs.readdirSync(scratchFolder)) {
    const day = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(partition)?.[1];
    if (!day) continue;
    const files = fs.readdirSync(path.join(scratchFolder, partition));
    if (files.length !== 1) throw new Error(`Expected one file per partition in ${scratchFolder}/${partition}, found ${files.length}`);
    const destination = path.join(landingFolder, partition);
    fs.mkdirSync(destination, { recursive: true });
    const name = `${source.prefix}_${day.replaceAll('-', '')}.${fileExtension(source.format)}`;
    fs.renameSync(path.join(scratchFolder, partition, files[0]!), path.join(destination, name));
    moved++;
  }
  return moved;
}

const selectForRange = (source: LandingSource, range: { from: string; to: string }, columns: string) =>
  `SELECT ${columns}, strftime(dt, '%Y-%m-%d') AS dt FROM out_${source.table}
   WHERE dt BETWEEN DATE '${range.from}' AND DATE '${range.to}'`;

/**
 * Parquet is written by DuckDB itself, one file per day partition. With several threads the
 * partitioned writer may split a partition into several files in varying order, so this one
 * statement runs single-threaded: one file per day, byte-identical for a seed.
 */
async function copyPartitioned(connection: DuckDBConnection, target: string, source: LandingSource, range: { from: string; to: string }) {
  const columns = source.columns.map(([name]) => name).join(', ');
  const threads = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]![0];
  await connection.run('SET threads = 1');
  // Past its open-file limit (100 by default) the writer closes a partition and later starts a second
  // file for it; two years of days need ~730 open partitions, which larger scales reach.
  await connection.run('SET partitioned_write_max_open_files = 100000');
  try {
    await connection.run(`COPY (${selectForRange(source, range, columns)} ORDER BY ALL)
      TO '${target.replaceAll("'", "''")}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`);
  } finally {
    await connection.run(`SET threads = ${Number(threads)}`);
  }
}

/** RFC 4180 quoting: only fields holding a comma, quote or line break are quoted. */
const csvField = (column: string) =>
  `coalesce(CASE WHEN regexp_matches(CAST(${column} AS VARCHAR), '[",\r\n]') THEN '"' || replace(CAST(${column} AS VARCHAR), '"', '""') || '"' ELSE CAST(${column} AS VARCHAR) END, '')`;

/**
 * CSV and JSON lines are rendered in SQL, one body per day, and written here: DuckDB cannot
 * partition JSON output, and its partitioned CSV writer syncs every small file to disk, which
 * made generation several times slower.
 */
async function writeTextFiles(connection: DuckDBConnection, target: string, source: LandingSource, range: { from: string; to: string }) {
  const line = source.format === 'json'
    ? `CAST(to_json(struct_pack(${source.columns.map(([name]) => `${name} := ${name}`).join(', ')})) AS VARCHAR)`
    : source.columns.map(([name]) => csvField(name)).join(` || ',' || `);
  const header = source.format === 'csv' ? `${source.columns.map(([name]) => name).join(',')}\n` : '';
  const reader = await connection.runAndReadAll(`SELECT dt, string_agg(line, chr(10) ORDER BY line) || chr(10) AS body
    FROM (${selectForRange(source, range, `${line} AS line`)}) GROUP BY dt`);
  for (const [dt, body] of reader.getRows()) {
    const folder = path.join(target, `dt=${String(dt)}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `data_0.${source.format}`), header + String(body));
  }
}
