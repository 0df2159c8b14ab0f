/**
 * The semantic layer over Spark (issue 15, item 6). Against a Spark Thrift Server with Delta
 * (started by bench/spark-bench.sh), reached through DatabricksDriver and the real
 * `@databricks/sql` (via the test bridge of server/test/drivers/spark-thrift-bridge.ts):
 *  1. the sample lakehouse at --scale (generator + ingestion + the TypeScript runner's gold on
 *     DuckDB, reused when --dir already holds it), its bronze loaded into Spark as Delta and gold
 *     built there by the notebooks' SQL through the driver (timed per layer);
 *  2. REST over Spark ÷ the same SQL (from /v1/sql) run directly by Spark through the same driver,
 *     pair by pair, cache bypassed (`renewQuery`): the semantic layer's overhead;
 *  3. the fato_vendas rollups built from Spark into the local store (timed), then raw ÷ rollup:
 *     the same REST queries answered by Spark before the build and by the store after;
 *  4. peak memory: RSS of this process (the server runs in it, as in rest-bench.ts) and of
 *     Spark's JVM (VmHWM of --spark-pid).
 * Usage: npx tsx bench/spark-bench.ts --target <https://…/cliservice> --spark-pid <pid> [--scale 10] [--dir <lakehouse>] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/src/config/load-config.ts';
import { DatabricksDriver } from '../server/src/drivers/databricks-driver.ts';
import { buildStack } from '../server/src/main.ts';
import { createLogger } from '../server/src/observability/create-logger.ts';
import { readPreAggregationSettings } from '../server/src/preagg/preagg-settings.ts';
import { listRollups } from '../server/src/preagg/refresh-rollups.ts';
import { createServer } from '../server/src/server.ts';
import { buildGoldOnSpark, exportBronze, loadBronzeIntoSpark } from '../server/test/drivers/spark-gold.ts';
import { SPARK_TOKEN, startSparkThriftBridge } from '../server/test/drivers/spark-thrift-bridge.ts';
import { postCubeQuery } from './support/until-answered.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const scale = Number(args.get('scale') ?? 10);
const rounds = Number(args.get('rounds') ?? 5);
const target = args.get('target') ?? process.env.SPARK_THRIFT_URL ?? '';
const sparkPid = args.get('spark-pid') ?? process.env.SPARK_THRIFT_PID;
if (!target) throw new Error('--target <Spark Thrift Server URL> (or SPARK_THRIFT_URL) is required');
const dir = path.resolve(args.get('dir') ?? path.join(os.tmpdir(), `spark-bench-scale-${scale}`));

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

/** Peak resident memory of a process (its VmHWM), in MiB; undefined when it cannot be read. */
function peakOf(pid: string | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function cli(args: string[]): void {
  execFileSync('npx', ['tsx', 'server/src/cli/index.ts', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A dashboard mix over fato_vendas; the first three match the model's rollups. */
const QUERIES: { name: string; query: Record<string, unknown> }[] = [
  { name: 'sales by channel, month (rollup por_canal_dia)', query: { measures: ['fato_vendas.vendas_brutas', 'fato_vendas.unidades', 'fato_vendas.count'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month' }] } },
  { name: 'new vs returning, month (rollup novos_recorrentes_mes)', query: { measures: ['fato_vendas.pedidos', 'fato_vendas.clientes_distintos', 'fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month' }] } },
  { name: 'campaigns, day, one quarter (rollup campanhas_dia)', query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.pedidos'], dimensions: ['dim_campanha.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: ['2025-01-01', '2025-03-31'] }] } },
  { name: 'net sales by category, state (no rollup)', query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.ticket_medio'], dimensions: ['dim_produto.categoria', 'dim_cliente.estado'], order: { 'fato_vendas.vendas_liquidas': 'desc' }, limit: 100 } },
];

async function main(): Promise<void> {
  console.log(`spark-bench: scale ${scale}, ${rounds} rounds, lakehouse ${dir}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${os.cpus().length} cores`);
  const duckdbPath = path.join(dir, 'lakehouse.duckdb');
  if (!existsSync(duckdbPath)) {
    await timed(`generate scale ${scale}`, async () => cli(['generate', '--scale', String(scale), '--seed', '7', '--lakehouse-dir', dir]));
    await timed('ingest (DuckDB)', async () => cli(['ingest', '--lakehouse-dir', dir]));
    await timed('silver + gold on DuckDB (TypeScript runner)', async () => cli(['transform', '--lakehouse-dir', dir]));
  }
  const bridge = await startSparkThriftBridge({ target });
  const direct = await DatabricksDriver.create({ url: bridge.url, token: SPARK_TOKEN, ca: bridge.ca });
  await mkdir(path.join(dir, 'spark-bronze'), { recursive: true });
  const files = await timed('bronze exported to Parquet', () => exportBronze(duckdbPath, path.join(dir, 'spark-bronze')));
  await timed('bronze loaded into Spark (Delta)', () => loadBronzeIntoSpark(direct, files));
  const silver = await timed('silver on Spark (notebooks SQL through the driver)', () => buildGoldOnSpark(direct, undefined, ['silver']));
  const gold = await timed('gold on Spark (notebooks SQL through the driver)', () => buildGoldOnSpark(direct, undefined, ['gold']));
  for (const t of [...silver, ...gold]) console.log(`  ${t.file}: ${t.seconds.toFixed(1)} s`);
  const facts = await direct.query('SELECT count(*) FROM gold.fato_vendas', []);
  console.log(`gold.fato_vendas on Spark: ${facts.data[0]![0]} rows`);

  const env = {
    CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', CUBEJS_DB_TYPE: 'databricks', CUBEJS_DB_DATABRICKS_URL: bridge.url, CUBEJS_DB_DATABRICKS_CA: bridge.ca.file,
    CUBEJS_DB_DATABRICKS_TOKEN: SPARK_TOKEN, CUBEJS_PG_SQL_PORT: 'false', CUBEJS_PRE_AGGREGATIONS_STORE_PATH: path.join(dir, 'spark-preagg.duckdb'), CUBEJS_REFRESH_WORKER: 'false',
  };
  const config = await loadConfig({ env, cwd: REPO });
  const stack = await buildStack(config, createLogger({ level: 'silent' }), readPreAggregationSettings(env, config));
  const server = createServer({ config: { ...config, playground: false }, engine: stack.engine, driver: stack.driver, logger: createLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  try {
    // 2. REST ÷ direct, and the raw latencies for step 3.
    const raw = new Map<string, number>();
    console.log('\nquery | rows | REST p50 ms | direct p50 ms | REST ÷ direct');
    for (const { name, query } of QUERIES) {
      const body = JSON.parse((await postCubeQuery(url, 'sql', query)).text) as { sql: { sql: [string, unknown[]] } };
      const [sql, params] = body.sql.sql;
      await postCubeQuery(url, 'load', { ...query, renewQuery: true });
      await direct.query(sql, params);
      const rest: number[] = [];
      const straight: number[] = [];
      let rows = 0;
      for (let i = 0; i < rounds; i++) {
        const runDirect = async () => {
          const started = performance.now();
          rows = (await direct.query(sql, params)).rowCount;
          straight.push(performance.now() - started);
        };
        const runRest = async () => rest.push((await postCubeQuery(url, 'load', { ...query, renewQuery: true })).ms);
        if (i % 2 === 0) { await runRest(); await runDirect(); } else { await runDirect(); await runRest(); }
      }
      raw.set(name, median(rest));
      console.log(`${name} | ${rows} | ${median(rest).toFixed(0)} | ${median(straight).toFixed(0)} | ${(median(rest) / median(straight)).toFixed(2)}×`);
    }

    // 3. Rollups from Spark into the local store, then raw ÷ rollup.
    const model = stack.engine.currentModel();
    const only = listRollups(model).filter((r) => r.cube.name === 'fato_vendas').map((r) => `${r.cube.name}.${r.rollup.name}`);
    const started = performance.now();
    const statuses = await stack.preAggregations!.refresher.refresh(model, { force: true, only });
    console.log(`\nrollups built from Spark: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const s of statuses) console.log(`  ${s.id}: ${s.state}, ${s.rowCount} rows in ${s.partitions} partitions, ${((s.lastDurationMs ?? 0) / 1000).toFixed(1)} s${s.lastError ? ` (${s.lastError})` : ''}`);
    console.log('query | raw (Spark) p50 ms | rollup p50 ms | raw ÷ rollup');
    for (const { name, query } of QUERIES.slice(0, 3)) {
      const used = JSON.parse((await postCubeQuery(url, 'load', { ...query, renewQuery: true })).text) as { usedPreAggregations?: Record<string, unknown> };
      const times: number[] = [];
      for (let i = 0; i < Math.max(rounds, 10); i++) times.push((await postCubeQuery(url, 'load', { ...query, renewQuery: true })).ms);
      const rollup = median(times);
      console.log(`${name} | ${raw.get(name)!.toFixed(0)} | ${rollup.toFixed(1)} | ${(raw.get(name)! / rollup).toFixed(0)}×${Object.keys(used.usedPreAggregations ?? {}).length ? '' : ' (NOT served from a rollup)'}`);
    }
  } finally {
    await server.close();
    await stack.close();
    await direct.close();
    await bridge.close();
  }
  const jvm = peakOf(sparkPid);
  console.log(`\npeak RSS: this process (server + bench client) ${(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20).toFixed(0)} MiB, Spark JVM ${jvm === undefined ? 'unknown' : `${jvm.toFixed(0)} MiB`}`);
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
