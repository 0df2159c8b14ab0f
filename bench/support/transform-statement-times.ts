/**
 * Per-statement timings of the transformation SQL (notebooks/sql silver + gold) over one fixed
 * bronze: a full build (empty silver and gold) then one new day, each statement's wall and process
 * CPU time, and a fingerprint of every silver/gold table so two SQL folders can be checked to give
 * the same rows. For comparing versions of the SQL back to back (bench/README's before/after).
 *
 *   npx tsx bench/support/transform-statement-times.ts prepare --scale 1 --dir /tmp/tst-s1
 *   npx tsx bench/support/transform-statement-times.ts run --dir /tmp/tst-s1 [--sql notebooks/sql] [--top 12] [--per-layer true] [--reopen true]
 *
 * `prepare` generates the sample data, ingests it into <dir>/full.duckdb, generates one more day
 * and ingests it into a copy, <dir>/next.duckdb. `run` copies full.duckdb, runs every statement in
 * one transaction as the runner does (or one per layer with --per-layer true, as the bench's full
 * build and build-lakehouse do), timed, then appends the bronze rows of next.duckdb that are
 * newer than full.duckdb's (by `_ingested_at`) and runs again (timed; with --reopen true on the
 * database opened afresh, as a daily job and the bench's incremental run do). Not part of any test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_PERIOD_END, generateSampleData } from '../../server/src/lakehouse/datagen/generate-sample-data.ts';
import { addDays } from '../../server/src/lakehouse/datagen/sample-calendar.ts';
import { runIngestion } from '../../server/src/lakehouse/ingest/run-ingestion.ts';
import { openRdsClient } from '../../server/src/lakehouse/rds/open-rds-client.ts';
import { DEFAULT_SQL_DIR } from '../../server/src/lakehouse/sql-layer-steps.ts';
import { splitSqlFile } from '../../server/src/lakehouse/transform/split-sql-file.ts';

const [command = 'run', ...rest] = process.argv.slice(2);
const args = new Map<string, string>();
for (let i = 0; i < rest.length; i += 2) args.set(rest[i]!.replace(/^--/, ''), rest[i + 1] ?? '');
const dir = path.resolve(args.get('dir') ?? '/tmp/transform-statement-times');
const fullFile = path.join(dir, 'full.duckdb');
const nextFile = path.join(dir, 'next.duckdb');

if (command === 'prepare') await prepare(Number(args.get('scale') ?? 1), Number(args.get('seed') ?? 42));
else await run(path.resolve(args.get('sql') ?? DEFAULT_SQL_DIR), Number(args.get('top') ?? 12), args.get('per-layer') === 'true', args.get('reopen') === 'true');

async function prepare(scale: number, seed: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const landingDir = path.join(dir, 'landing');
  const rdsUrl = `pglite:${path.join(dir, 'rds')}`;
  await generateSampleData({ landingDir, scale, seed, rdsUrl });
  await ingestInto(fullFile, landingDir, rdsUrl);
  const nextDay = addDays(DEFAULT_PERIOD_END, 1);
  await generateSampleData({ landingDir, scale, seed, from: nextDay, to: nextDay, rdsUrl });
  fs.copyFileSync(fullFile, nextFile);
  await ingestInto(nextFile, landingDir, rdsUrl);
  console.log(`bronze ready in ${dir}`);
}

async function ingestInto(file: string, landingDir: string, rdsUrl: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const rds = await openRdsClient(rdsUrl);
  try {
    await runIngestion(connection, { landingDir, rdsUrl: null, rdsClient: rds });
  } finally {
    await rds.close();
    connection.closeSync();
    instance.closeSync();
  }
}

interface Timing { label: string; wall: number; cpu: number }

async function run(sqlDir: string, top: number, perLayer: boolean, reopen: boolean): Promise<void> {
  const work = path.join(dir, `work-${process.pid}.duckdb`);
  fs.copyFileSync(fullFile, work);
  let instance = await DuckDBInstance.create(work);
  let connection = await instance.connect();
  try {
    const full = await runAll(connection, sqlDir, perLayer);
    const afterFull = await fingerprints(connection);
    await appendNewBronze(connection);
    if (reopen) {
      // as a daily job does: the lakehouse opened afresh for the new day (cold catalog and caches)
      connection.closeSync();
      instance.closeSync();
      instance = await DuckDBInstance.create(work);
      connection = await instance.connect();
    }
    const incremental = await runAll(connection, sqlDir);
    print('full build', full, top);
    print('incremental (one new day)', incremental, top);
    console.log('\nfingerprints after the full build (rows, sum of row hashes):');
    for (const line of afterFull) console.log(`  ${line}`);
    console.log('\nfingerprints after the new day (rows, sum of row hashes):');
    for (const line of await fingerprints(connection)) console.log(`  ${line}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
    fs.rmSync(work, { force: true });
    fs.rmSync(`${work}.wal`, { force: true });
  }
}

/** One transaction for both layers (the pipeline's `transform`), or one per layer (`perLayer`: the bench's full build, build-lakehouse). */
async function runAll(connection: DuckDBConnection, sqlDir: string, perLayer = false): Promise<Timing[]> {
  const timings: Timing[] = [];
  await connection.run('BEGIN TRANSACTION');
  for (const layer of ['silver', 'gold']) {
    if (perLayer && layer === 'gold') await connection.run('COMMIT; BEGIN TRANSACTION');
    const folder = path.join(sqlDir, layer);
    for (const name of fs.readdirSync(folder).filter((n) => n.endsWith('.sql')).sort()) {
      for (const statement of splitSqlFile(fs.readFileSync(path.join(folder, name), 'utf8'))) {
        const cpu = process.cpuUsage();
        const started = performance.now();
        await connection.run(statement.sql);
        const used = process.cpuUsage(cpu);
        const head = statement.sql.replace(/\s+/g, ' ').replace(/^(--[^\n]*)?/, '').slice(0, 60);
        timings.push({ label: `${layer}/${name}:${statement.line} ${head}`, wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 });
      }
    }
  }
  await connection.run('COMMIT');
  return timings;
}

/** The bronze rows next.duckdb holds beyond full.duckdb's: the new day's batch. */
async function appendNewBronze(connection: DuckDBConnection): Promise<void> {
  await connection.run(`ATTACH '${nextFile}' AS nxt (READ_ONLY)`);
  const tables = (await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_columns() WHERE database_name = 'nxt' AND schema_name = 'bronze' AND column_name = '_ingested_at'`,
  )).getRows().map((r) => String(r[0]));
  for (const table of tables) {
    await connection.run(`INSERT INTO bronze.${table} SELECT * FROM nxt.bronze.${table}
      WHERE _ingested_at > (SELECT coalesce(max(_ingested_at), TIMESTAMP '1900-01-01') FROM bronze.${table})`);
  }
  await connection.run('DETACH nxt');
}

async function fingerprints(connection: DuckDBConnection): Promise<string[]> {
  const tables = (await connection.runAndReadAll(
    `SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('silver', 'gold')
       AND table_name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1`,
  )).getRows().map((r) => String(r[0]));
  const lines: string[] = [];
  for (const table of tables) {
    const row = (await connection.runAndReadAll(`SELECT count(*), sum(hash(t)::HUGEINT) FROM ${table} t`)).getRows()[0]!;
    lines.push(`${table} ${row[0]} ${row[1]}`);
  }
  return lines;
}

function print(title: string, timings: Timing[], top: number): void {
  const wall = timings.reduce((a, t) => a + t.wall, 0);
  const cpu = timings.reduce((a, t) => a + t.cpu, 0);
  const silver = timings.filter((t) => t.label.startsWith('silver/'));
  console.log(`\n${title}: wall ${wall.toFixed(2)} s, CPU ${cpu.toFixed(2)} s (silver ${silver.reduce((a, t) => a + t.wall, 0).toFixed(2)} s wall)`);
  for (const t of [...timings].sort((a, b) => b.wall - a.wall).slice(0, top)) {
    console.log(`  ${t.wall.toFixed(3).padStart(8)} s  cpu ${t.cpu.toFixed(3).padStart(8)}  ${t.label}`);
  }
}
