/**
 * Batch lakehouse benchmark (issue 2). Prints, from one run at --scale (default 1):
 *  1. rows/s of each stage: generate, ingest per source, silver, gold; total gold build time;
 *  2. bronze ingestion of the landing files ÷ a plain DuckDB `CREATE TABLE AS SELECT * FROM
 *     read_csv/read_json/read_parquet` of the same files (target ≤ 1.2×), ÷ the same CTAS with
 *     the bronze lineage columns (what any load that keeps the contract's lineage costs), and ÷ the
 *     plain CTAS given the ingestion's bulk-load settings (ingest/bulk-load-settings.ts), so the
 *     part of the ratio the settings buy is visible; every side ends with a CHECKPOINT, so none
 *     leaves work in the WAL for later;
 *  3. the transformation runner ÷ DuckDB executing the same SQL files directly (target ≤ 1.10×);
 *  4. an incremental run after one new day of data ÷ the full build (target ≤ 0.05 at scale 1, ≤ 0.02
 *     at scale 10), in wall time
 *     and in process CPU time (steadier when other work shares the machine), with the silver and
 *     gold layers each ÷ their full run;
 *  5. peak memory: sampled RSS and resourceUsage().maxRSS.
 * Compared sides run alternately (A B B A), each on a fresh copy, and the best of each side counts.
 * Usage: npx tsx bench/lakehouse-bench.ts [--scale 1] [--seed 42] [--reps 2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_PERIOD_END, generateSampleData } from '../server/src/lakehouse/datagen/generate-sample-data.ts';
import { LANDING_SOURCES } from '../server/src/lakehouse/datagen/landing-layout.ts';
import { addDays } from '../server/src/lakehouse/datagen/sample-calendar.ts';
import { runIngestion } from '../server/src/lakehouse/ingest/run-ingestion.ts';
import { withBulkLoadSettings } from '../server/src/lakehouse/ingest/bulk-load-settings.ts';
import { openRdsClient } from '../server/src/lakehouse/rds/open-rds-client.ts';
import type { RdsClient } from '../server/src/lakehouse/rds/rds-client.ts';
import { DEFAULT_SQL_DIR, SQL_LAYER_STEPS, type SqlLayerSteps } from '../server/src/lakehouse/sql-layer-steps.ts';
import { plainCtasSql } from './support/plain-ctas.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const scale = Number(args.get('scale') ?? 1);
const seed = Number(args.get('seed') ?? 42);
const reps = Number(args.get('reps') ?? 2);

let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
const rows: [string, string, string][] = [];
const report = (stage: string, value: string, note = '') => { rows.push([stage, value, note]); console.error(`${stage}: ${value} ${note}`); };
const seconds = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const result = await work();
  return [(performance.now() - start) / 1000, result];
};
/** Process CPU seconds (Node and DuckDB's threads) of `work`: steadier than wall time on a shared machine. */
const cpuSeconds = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(start);
  return [(used.user + used.system) / 1e6, result];
};
const loadAverage = () => os.loadavg().map((n) => n.toFixed(1)).join(' / ');
const startLoad = loadAverage();
const perSecond = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-bench-'));
const landingDir = path.join(dir, 'landing');
const rdsUrl = `pglite:${path.join(dir, 'rds')}`;
try {
  const [genSeconds, generated] = await seconds(() => generateSampleData({ landingDir, scale, seed, rdsUrl }));
  const generatedRows = Object.values(generated.rows).reduce((a, b) => a + b, 0);
  report('generate (files + RDS)', `${genSeconds.toFixed(1)} s`, perSecond(generatedRows, genSeconds));

  // 2. Ingestion of the files vs plain CTAS, alternating, each into a fresh DuckDB file.
  const ingestTimes: number[] = [];
  const ctasTimes: number[] = [];
  const lineageTimes: number[] = [];
  const tunedCtasTimes: number[] = [];
  let perSource: Record<string, { seconds: number; rows: number }> = {};
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['ctas', 'lineage', 'tuned', 'ingest'] : ['ingest', 'tuned', 'lineage', 'ctas'];
    for (const side of order) {
      const file = path.join(dir, `cmp-${side}-${rep}.duckdb`);
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      if (side === 'ctas') ctasTimes.push((await seconds(() => plainCtas(connection)))[0]);
      else if (side === 'lineage') lineageTimes.push((await seconds(() => plainCtas(connection, { lineage: true })))[0]);
      else if (side === 'tuned') tunedCtasTimes.push((await seconds(() => withBulkLoadSettings(connection, () => plainCtas(connection))))[0]);
      else {
        const [s, timings] = await seconds(async () => {
          const t = await timedIngestion(connection, null);
          await connection.run('CHECKPOINT');
          return t;
        });
        ingestTimes.push(s);
        perSource = timings;
      }
      connection.closeSync();
      instance.closeSync();
      fs.rmSync(file, { force: true });
    }
  }
  for (const [table, t] of Object.entries(perSource)) report(`ingest ${table}`, `${t.seconds.toFixed(2)} s`, perSecond(t.rows, t.seconds));
  const ingestBest = Math.min(...ingestTimes);
  const ctasBest = Math.min(...ctasTimes);
  report('ingest files (all sources)', `${ingestBest.toFixed(2)} s`, `plain CTAS ${ctasBest.toFixed(2)} s`);
  report('ratio ingest ÷ plain CTAS', `${(ingestBest / ctasBest).toFixed(2)}×`, 'target ≤ 1.2×');
  // What the contract's three lineage columns alone cost a CTAS: the floor of any bronze load.
  const lineageBest = Math.min(...lineageTimes);
  report('plain CTAS + lineage columns', `${lineageBest.toFixed(2)} s`, `${(lineageBest / ctasBest).toFixed(2)}× plain CTAS; ingest ÷ it ${(ingestBest / lineageBest).toFixed(2)}×`);
  const tunedBest = Math.min(...tunedCtasTimes);
  report('plain CTAS, bulk-load settings', `${tunedBest.toFixed(2)} s`, `${(tunedBest / ctasBest).toFixed(2)}× plain CTAS; ingest ÷ it ${(ingestBest / tunedBest).toFixed(2)}×`);

  // The lakehouse the rest of the benchmark works on: files + RDS extract.
  const main = path.join(dir, 'lakehouse.duckdb');
  const instance = await DuckDBInstance.create(main);
  let connection = await instance.connect();
  // The RDS stays connected across runs, as in the long-running server (PGlite's start-up is not ingestion).
  const rdsClient = await openRdsClient(rdsUrl);
  const [fullIngestCpu, [fullIngest, rdsTimings]] = await cpuSeconds(() => seconds(() => timedIngestion(connection, rdsClient)));
  for (const table of ['order_status', 'returns']) {
    const t = rdsTimings[table];
    if (t) report(`ingest rds:${table}`, `${t.seconds.toFixed(2)} s`, perSecond(t.rows, t.seconds));
  }
  const steps: SqlLayerSteps = SQL_LAYER_STEPS;
  connection.closeSync();
  instance.closeSync();
  const runnerBest = await compareRunnerWithDirectSql(main, steps);
  const fullBuild = fullIngest + runnerBest.seconds;
  const fullBuildCpu = fullIngestCpu + runnerBest.cpu;
  const reopened = await DuckDBInstance.create(main);
  connection = await reopened.connect();
  report('total gold build (ingest + silver + gold)', `${fullBuild.toFixed(1)} s`, '');

  // 4. One more day of data, then ingest (+ transform) again.
  const nextDay = addDays(DEFAULT_PERIOD_END, 1);
  await rdsClient.close();
  await generateSampleData({ landingDir, scale, seed, from: nextDay, to: nextDay, rdsUrl });
  const rdsAgain = await openRdsClient(rdsUrl);
  const [ingestCpu, [incrementalIngest]] = await cpuSeconds(() => seconds(() => runIngestion(connection, { landingDir, rdsUrl: null, rdsClient: rdsAgain })));
  // Per layer from the runner's progress events (one transaction, as the pipeline runs it).
  let silverDoneAt = 0;
  const transformStart = performance.now();
  const [transformCpu, [incrementalTransform]] = await cpuSeconds(() => seconds(() => steps.runTransformations(connection, {
    sqlDir: DEFAULT_SQL_DIR, onProgress: (e) => { if (e.file.startsWith('silver/')) silverDoneAt = performance.now(); },
  })));
  const incrementalSilver = (silverDoneAt - transformStart) / 1000;
  await rdsAgain.close();
  const incremental = incrementalIngest + incrementalTransform;
  report('incremental ingest (one new day)', `${incrementalIngest.toFixed(2)} s`, `÷ full ingest = ${(incrementalIngest / fullIngest).toFixed(3)}`);
  report('incremental silver', `${incrementalSilver.toFixed(2)} s`, `÷ full silver = ${(incrementalSilver / runnerBest.silver).toFixed(3)}`);
  report('incremental gold', `${(incrementalTransform - incrementalSilver).toFixed(2)} s`,
    `÷ full gold = ${((incrementalTransform - incrementalSilver) / runnerBest.gold).toFixed(3)}`);
  report('incremental silver + gold', `${incrementalTransform.toFixed(2)} s`, `÷ full silver + gold = ${(incrementalTransform / (fullBuild - fullIngest)).toFixed(3)}`);
  report('incremental run (one new day)', `${incremental.toFixed(2)} s`, `÷ full build = ${(incremental / fullBuild).toFixed(3)} (target ≤ 0.05 at scale 1, ≤ 0.02 at scale 10)`);
  report('incremental ÷ full build, CPU time', `${(ingestCpu + transformCpu).toFixed(2)} s`,
    `÷ ${fullBuildCpu.toFixed(1)} s = ${((ingestCpu + transformCpu) / fullBuildCpu).toFixed(3)} (process CPU: Node + DuckDB threads)`);
  connection.closeSync();
} finally {
  clearInterval(sampler);
  fs.rmSync(dir, { recursive: true, force: true });
}
report('peak RSS (sampled)', `${(peakRss / 2 ** 20).toFixed(0)} MB`, `maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log(`\nLakehouse benchmark, scale ${scale}, seed ${seed}, ${os.cpus().length} cores, best of ${reps}; load average (1 / 5 / 15 min) at start ${startLoad}, at end ${loadAverage()}\n`);
const width = Math.max(...rows.map((r) => r[0].length));
for (const [stage, value, note] of rows) console.log(`${stage.padEnd(width)}  ${value.padStart(14)}  ${note}`);

/** Ingestion with per-source timings taken from its progress events. */
async function timedIngestion(connection: DuckDBConnection, rds: RdsClient | null) {
  const marks: { source: string; at: number }[] = [];
  const result = await runIngestion(connection, {
    landingDir, rdsUrl: null, rdsClient: rds ?? undefined, onProgress: (e) => marks.push({ source: e.source, at: performance.now() }),
  });
  const timings: Record<string, { seconds: number; rows: number }> = {};
  marks.slice(0, -1).forEach((mark, i) => {
    const table = result.sources[i]!.table;
    timings[table] = { seconds: (marks[i + 1]!.at - mark.at) / 1000, rows: result.sources[i]!.read };
  });
  return timings;
}

/**
 * The plain CTAS baseline (bench/support/plain-ctas.ts) of every landing source, one after the
 * other, then a CHECKPOINT: the ingestion's commit checkpoints (its WAL passes DuckDB's threshold),
 * so the baseline must not leave that work for the close.
 */
async function plainCtas(connection: DuckDBConnection, options: { lineage?: boolean } = {}) {
  for (const source of LANDING_SOURCES) await connection.run(plainCtasSql(source, landingDir, options));
  await connection.run('CHECKPOINT');
}

/**
 * Runs the transformation runner and the same SQL files executed directly by DuckDB, alternating,
 * each on a fresh copy of the bronze lakehouse; reports silver and gold rows/s and the ratio.
 * Leaves the runner's result in `main` and returns the runner's best wall and CPU time, with that
 * run's silver and gold times (the incremental layers are compared with them). Every side copies the
 * untouched bronze snapshot: with one rep the runner's result reaches `main` before the direct side
 * runs, which then only re-merged transformed tables (a meaningless 10.9×).
 */
async function compareRunnerWithDirectSql(main: string, steps: SqlLayerSteps): Promise<{ seconds: number; cpu: number; silver: number; gold: number }> {
  const files = ['silver', 'gold'].flatMap((layer) => {
    const folder = path.join(DEFAULT_SQL_DIR, layer);
    return fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.sql')).sort().map((f) => path.join(folder, f)) : [];
  });
  const runner: number[] = [];
  const runnerCpu: number[] = [];
  const runnerLayers: { silver: number; gold: number }[] = [];
  const direct: number[] = [];
  const layerTimes: Record<string, number> = {};
  const bronze = path.join(dir, 'transform-bronze.duckdb');
  fs.copyFileSync(main, bronze);
  for (let rep = 0; rep < reps; rep++) {
    for (const side of rep % 2 === 0 ? ['runner', 'direct'] : ['direct', 'runner']) {
      const copy = path.join(dir, `transform-${side}-${rep}.duckdb`);
      fs.copyFileSync(bronze, copy);
      const instance = await DuckDBInstance.create(copy);
      const connection = await instance.connect();
      if (side === 'runner') {
        const cpuStart = process.cpuUsage();
        const silver = (await seconds(() => steps.runTransformations(connection, { sqlDir: DEFAULT_SQL_DIR, layers: ['silver'] })))[0];
        const gold = (await seconds(() => steps.runTransformations(connection, { sqlDir: DEFAULT_SQL_DIR, layers: ['gold'] })))[0];
        const cpu = process.cpuUsage(cpuStart);
        runner.push(silver + gold);
        runnerCpu.push((cpu.user + cpu.system) / 1e6);
        Object.assign(layerTimes, { silver, gold });
        runnerLayers.push({ silver, gold });
      } else {
        direct.push((await seconds(async () => {
          for (const file of files) {
            const extracted = await connection.extractStatements(fs.readFileSync(file, 'utf8'));
            for (let i = 0; i < extracted.count; i++) await (await extracted.prepare(i)).run();
          }
        }))[0]);
      }
      if (side === 'runner' && rep === reps - 1) {
        const count = async (schema: string) => Number((await connection.runAndReadAll(
          `SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables() WHERE schema_name = '${schema}'`)).getRows()[0]![0]);
        report('silver', `${layerTimes.silver!.toFixed(2)} s`, perSecond(await count('silver'), layerTimes.silver!));
        report('gold', `${layerTimes.gold!.toFixed(2)} s`, perSecond(await count('gold'), layerTimes.gold!));
      }
      connection.closeSync();
      instance.closeSync();
      if (side === 'runner' && rep === reps - 1) fs.copyFileSync(copy, main);
      fs.rmSync(copy, { force: true });
    }
  }
  fs.rmSync(bronze, { force: true });
  report('ratio runner ÷ direct SQL', `${(Math.min(...runner) / Math.min(...direct)).toFixed(2)}×`, 'target ≤ 1.10×');
  const best = runnerLayers[runner.indexOf(Math.min(...runner))]!;
  return { seconds: Math.min(...runner), cpu: Math.min(...runnerCpu), ...best };
}
