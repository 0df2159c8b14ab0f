/**
 * Pre-aggregation benchmark (issue 4), through the REST API on one express stack:
 * - dashboard mix, raw gold vs rollups, interleaved pair by pair (renewQuery, so neither side is
 *   a cache hit): latency ratio per query and overall;
 * - p50/p95 REST latency of rollup-served queries;
 * - throughput at 8/32/64 clients (autocannon) for cache hits and for rollup hits, each divided by
 *   a hello-world route on the same express stack in the same run; p99/p50 at 32; errors;
 * - peak RSS of the process (server and load generator share it).
 * Usage: npx tsx bench/preagg-bench.ts [--scale 1] [--dir data/bench-scale-1] [--pairs 20] [--seconds 5]
 * The lakehouse is built once into --dir (about 1–4 min at scale 1) and reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import express from 'express';
import { loadConfig } from '../server/src/config/load-config.ts';
import { buildStack } from '../server/src/main.ts';
import { createLogger } from '../server/src/observability/create-logger.ts';
import { createServer } from '../server/src/server.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const scale = Number(args.get('scale') ?? 1);
const dir = path.resolve(args.get('dir') ?? path.join(REPO, `data/bench-scale-${scale}`));
const pairs = Number(args.get('pairs') ?? 20);
const seconds = Number(args.get('seconds') ?? 5);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const month = (from: string, to: string) => ({ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: [from, to] });
const day = (from: string, to: string) => ({ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: [from, to] });
/** The dashboards: sales by channel by day, new vs returning by month, campaign metrics, KPIs. */
const DASHBOARD = [
  { name: 'vendas por canal por dia (90 d)', query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_canal.nome'], timeDimensions: [day('2026-06-01', '2026-08-29')] } },
  { name: 'vendas por canal por mês (2 anos)', query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.descontos'], dimensions: ['dim_canal.nome'], timeDimensions: [month('2024-10-01', '2026-09-30')] } },
  { name: 'novos x recorrentes por mês', query: { measures: ['fato_vendas.pedidos', 'fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.tipo_cliente'], timeDimensions: [month('2025-01-01', '2026-08-31')] } },
  { name: 'campanhas por dia (30 d)', query: { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_campanha.nome'], timeDimensions: [day('2026-08-01', '2026-08-30')] } },
  { name: 'KPIs do ano', query: { measures: ['fato_vendas.vendas_brutas', 'fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', dateRange: ['2025-01-01', '2025-12-31'] }] } },
];

async function main(): Promise<void> {
  const duckdbPath = path.join(dir, 'lakehouse.duckdb');
  if (!existsSync(duckdbPath)) {
    console.log(`building the lakehouse at scale ${scale} in ${dir} …`);
    execFileSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'server/src/cli/index.ts'), 'build', '--scale', String(scale), '--lakehouse-dir', dir], { stdio: 'inherit', cwd: REPO });
  }
  const env = { CUBEJS_SCHEMA_PATH: path.join(REPO, 'model'), CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath, CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent' };
  const config = await loadConfig({ cwd: dir, env });
  const logger = createLogger({ level: 'silent' });
  const settings = { refreshWorker: false, buildConcurrency: 2, refreshIntervalMs: 60_000, queryConcurrency: 4 };
  const withRollups = await buildStack(config, logger, { ...settings, storePath: path.join(dir, 'preagg.duckdb') });
  const rawOnly = await buildStack(config, logger, { ...settings, storePath: undefined });
  const started = performance.now();
  const statuses = await withRollups.preAggregations!.refresher.refresh(withRollups.engine.currentModel());
  console.log(`rollups ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${withRollups.preAggregations!.status().map((s) => `${s.id} ${s.rowCount} rows/${s.partitions} partitions`).join(', ')}`);
  if (statuses.some((s) => s.state === 'failed')) throw new Error(`build failed: ${JSON.stringify(statuses)}`);

  // One express stack: /hello next to both semantic apps, so every throughput figure shares it.
  const app = express();
  app.get('/hello', (_req, res) => void res.json({ hello: 'world' }));
  app.use('/raw', createServer({ config, engine: rawOnly.engine, driver: rawOnly.driver, logger }).app);
  app.use(createServer({ config, engine: withRollups.engine, driver: withRollups.driver, logger, preAggregations: withRollups.preAggregations }).app);
  const listening = http.createServer(app);
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const get = (prefix: string, query: object) =>
    new Promise<{ ms: number; body: { usedPreAggregations?: Record<string, unknown>; error?: string } }>((resolve, reject) => {
      const t0 = performance.now();
      http.get(`${base}${prefix}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, { agent }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ ms: performance.now() - t0, body: JSON.parse(text) }));
      }).on('error', reject);
    });

  console.log(`\n## dashboard mix, raw gold vs rollup (${pairs} interleaved pairs per query, renewQuery)`);
  const rollupLatencies: number[] = [];
  let totalRaw = 0;
  let totalRollup = 0;
  for (const { name, query } of DASHBOARD) {
    const renewed = { ...query, renewQuery: true };
    const warm = await get('', renewed);
    if (!warm.body.usedPreAggregations || Object.keys(warm.body.usedPreAggregations).length === 0) throw new Error(`${name} is not served by a rollup: ${JSON.stringify(warm.body).slice(0, 300)}`);
    await get('/raw', renewed);
    const raw: number[] = [];
    const rolled: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? ['/raw', ''] : ['', '/raw'];
      for (const prefix of order) (prefix ? raw : rolled).push((await get(prefix, renewed)).ms);
    }
    rollupLatencies.push(...rolled);
    totalRaw += median(raw);
    totalRollup += median(rolled);
    console.log(`${name.padEnd(36)} raw p50 ${median(raw).toFixed(1).padStart(7)} ms | rollup p50 ${median(rolled).toFixed(2).padStart(6)} ms | ratio ${(median(raw) / median(rolled)).toFixed(1)}× (${Object.keys(warm.body.usedPreAggregations)[0]})`);
  }
  console.log(`mix (sum of medians): raw ÷ rollup = ${(totalRaw / totalRollup).toFixed(1)}×`);
  console.log(`rollup-served REST latency: p50 ${pct(rollupLatencies, 50).toFixed(2)} ms, p95 ${pct(rollupLatencies, 95).toFixed(2)} ms (n=${rollupLatencies.length})`);

  console.log(`\n## throughput (autocannon, ${seconds} s per run, keep-alive)`);
  const loadPath = (query: object) => `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`;
  // The same 16 small dashboard queries (10–11 days by channel) for both: cache hits as sent, rollup
  // hits with renewQuery (skips the cache); distinct date ranges keep coalescing from merging them.
  const small = Array.from({ length: 16 }, (_, i) => ({ ...DASHBOARD[0]!.query, timeDimensions: [day(`2026-0${1 + (i % 8)}-01`, `2026-0${1 + (i % 8)}-${10 + Math.floor(i / 8)}`)] }));
  const cacheHit = small.map((query) => ({ path: loadPath(query) }));
  for (const query of small) await get('', query);
  const rollupHit = small.map((query) => ({ path: loadPath({ ...query, renewQuery: true }) }));
  let errors = 0;
  for (const connections of [8, 32, 64]) {
    const hello = await cannon(`${base}/hello`, [{ path: '/hello' }], connections);
    const cached = await cannon(base, cacheHit, connections);
    const rolled = await cannon(base, rollupHit, connections);
    errors += [hello, cached, rolled].reduce((n, r) => n + r.errors + r.non2xx + r.timeouts, 0);
    const line = (label: string, r: autocannon.Result) => `${label} ${r.requests.average.toFixed(0).padStart(6)} req/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms)`;
    console.log(`${String(connections).padStart(2)} clients: ${line('hello', hello)} | ${line('cache hit', cached)} = ${(cached.requests.average / hello.requests.average).toFixed(2)}× hello | ${line('rollup hit', rolled)} = ${(rolled.requests.average / hello.requests.average).toFixed(2)}× hello`);
    if (connections === 32) console.log(`   p99/p50 at 32: cache hit ${(cached.latency.p99 / Math.max(cached.latency.p50, 1)).toFixed(1)}, rollup hit ${(rolled.latency.p99 / Math.max(rolled.latency.p50, 1)).toFixed(1)}`);
  }
  console.log(`errors (non-2xx, socket errors, timeouts): ${errors}`);
  console.log(`peak RSS: ${(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MiB (server and load generator in one process; scale ${scale})`);

  clearInterval(sampler);
  agent.destroy();
  listening.closeAllConnections();
  await new Promise<void>((resolve) => listening.close(() => resolve()));
  await rawOnly.close();
  await withRollups.close();
}

function cannon(url: string, requests: { path: string }[], connections: number): Promise<autocannon.Result> {
  return autocannon({ url: url.replace(/\/hello$/, ''), connections, duration: seconds, requests: requests.map((r) => ({ method: 'GET', path: r.path })) });
}

function median(values: number[]): number {
  return pct(values, 50);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

await main();
