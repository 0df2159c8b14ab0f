/**
 * Pre-aggregation benchmark (issue 4), through the REST API on one express stack:
 * - dashboard mix, raw gold vs rollups, interleaved pair by pair (renewQuery, so neither side is
 *   a cache hit): latency ratio per query and overall;
 * - p50/p95 REST latency of rollup-served queries;
 * - throughput at 8/32/64 clients (autocannon) for cache hits and for rollup hits, each divided by
 *   a hello-world route on the same express stack in the same run; p99/p50 at 32; errors;
 * - peak RSS of the server process.
 * Every request is sent from a child process (this file with `--load-client`): the latency
 * timings and autocannon run there, so the client's work (parsing responses, timers) does not
 * share the server's event loop. Hello-world, cache hits and rollup hits are measured alike.
 * Usage: npx tsx bench/preagg-bench.ts [--scale 1] [--dir data/bench-scale-1] [--pairs 20] [--seconds 5] [--rounds 3]
 * The lakehouse is built once into --dir (about 1–4 min at scale 1) and reused.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
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
import { untilAnswered } from './support/until-answered.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const scale = Number(args.get('scale') ?? 1);
const dir = path.resolve(args.get('dir') ?? path.join(REPO, `data/bench-scale-${scale}`));
const pairs = Number(args.get('pairs') ?? 20);
const seconds = Number(args.get('seconds') ?? 5);
const rounds = Number(args.get('rounds') ?? 3);

let peakRss = 0;
const sampler = args.has('load-client') ? undefined : setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

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

/** Requests the child sends, and what it answers. */
type ClientRequest =
  | { readonly op: 'sequence'; readonly base: string; readonly paths: readonly string[] }
  | { readonly op: 'cannon'; readonly base: string; readonly paths: readonly string[]; readonly connections: number; readonly seconds: number };
interface Timed {
  readonly ms: number;
  readonly status: number;
  readonly usedPreAggregations?: string;
  readonly error?: string;
}
interface CannonFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Requests completed in the run (for CPU time per request). */
  readonly total: number;
  /** Server process CPU time (user + system) during the run, µs; filled in by the parent. */
  cpuMicros?: number;
}

/** The load-generating child: sequential timed GETs over one keep-alive socket, or an autocannon run. */
async function loadClient(): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (url: string) =>
    new Promise<Timed>((resolve, reject) => {
      const t0 = performance.now();
      http.get(url, { agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const ms = performance.now() - t0;
          const body = JSON.parse(text) as { usedPreAggregations?: Record<string, unknown>; error?: string };
          resolve({ ms, status: res.statusCode ?? 0, usedPreAggregations: Object.keys(body.usedPreAggregations ?? {})[0], error: body.error });
        });
      }).on('error', reject);
    });
  process.on('message', (message: ClientRequest & { id: number }) => {
    void (async () => {
      if (message.op === 'sequence') {
        const results: Timed[] = [];
        for (const path of message.paths) {
          // A raw query outliving the continue-wait time (scale 10) is polled again.
          results.push(await untilAnswered(() => get(`${message.base}${path}`), (t) => t.status === 200 && t.error === 'Continue wait'));
        }
        process.send!({ id: message.id, results });
      } else {
        const r = await autocannon({ url: message.base, connections: message.connections, duration: message.seconds, requests: message.paths.map((path) => ({ method: 'GET', path })) });
        const figures: CannonFigures = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + r.timeouts, total: r.requests.total };
        process.send!({ id: message.id, figures });
      }
    })().catch((error: unknown) => process.send!({ id: message.id, failure: String(error) }));
  });
  process.on('disconnect', () => {
    agent.destroy();
    process.exit(0);
  });
}

/** Talks to the child: one request at a time. */
function startClient(): { ask<T>(request: ClientRequest): Promise<T>; stop(): void; child: ChildProcess } {
  const child = fork(import.meta.filename, ['--load-client', '1'], { execArgv: process.execArgv, stdio: 'inherit' });
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: { id: number; failure?: string; results?: unknown; figures?: unknown }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.failure) waiter?.reject(new Error(message.failure));
    else waiter?.resolve(message.results ?? message.figures);
  });
  return {
    child,
    ask: <T>(request: ClientRequest) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...request, id });
      }),
    stop: () => child.disconnect(),
  };
}

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
  // The dashboards read fato_vendas only; the campaign lambda (issue 5) needs the streaming gold
  // table, absent from a lakehouse built by `cli build` alone: reported, not fatal.
  const failed = statuses.filter((s) => s.state === 'failed');
  if (failed.some((s) => s.cube === 'fato_vendas')) throw new Error(`build failed: ${JSON.stringify(failed)}`);
  for (const s of failed) console.log(`(not used by the dashboards, not built: ${s.id}: ${String(s.lastError).split('\n')[0]})`);

  // One express stack: /hello next to both semantic apps, so every throughput figure shares it.
  const app = express();
  app.get('/hello', (_req, res) => void res.json({ hello: 'world' }));
  app.use('/raw', createServer({ config, engine: rawOnly.engine, driver: rawOnly.driver, logger }).app);
  app.use(createServer({ config, engine: withRollups.engine, driver: withRollups.driver, logger, preAggregations: withRollups.preAggregations }).app);
  const listening = http.createServer(app);
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const client = startClient();
  const loadPath = (prefix: string, query: object) => `${prefix}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`;
  const sequence = (paths: string[]) => client.ask<Timed[]>({ op: 'sequence', base, paths });
  const get = async (prefix: string, query: object) => (await sequence([loadPath(prefix, query)]))[0]!;

  console.log(`\n## dashboard mix, raw gold vs rollup (${pairs} interleaved pairs per query, renewQuery)`);
  const rollupLatencies: number[] = [];
  let totalRaw = 0;
  let totalRollup = 0;
  for (const { name, query } of DASHBOARD) {
    const renewed = { ...query, renewQuery: true };
    const warm = await get('', renewed);
    if (!warm.usedPreAggregations) throw new Error(`${name} is not served by a rollup: ${JSON.stringify(warm)}`);
    const rawWarm = await get('/raw', renewed);
    if (rawWarm.usedPreAggregations) throw new Error(`${name}: the raw side used ${rawWarm.usedPreAggregations}`);
    const prefixes: string[] = [];
    for (let i = 0; i < pairs; i++) prefixes.push(...(i % 2 === 0 ? ['/raw', ''] : ['', '/raw']));
    const timed = await sequence(prefixes.map((prefix) => loadPath(prefix, renewed)));
    const raw: number[] = [];
    const rolled: number[] = [];
    timed.forEach((t, i) => {
      if (t.status !== 200 || t.error) throw new Error(`${name}: ${t.status} ${t.error ?? ''}`);
      (prefixes[i] ? raw : rolled).push(t.ms);
    });
    rollupLatencies.push(...rolled);
    totalRaw += median(raw);
    totalRollup += median(rolled);
    console.log(`${name.padEnd(36)} raw p50 ${median(raw).toFixed(1).padStart(7)} ms | rollup p50 ${median(rolled).toFixed(2).padStart(6)} ms | ratio ${(median(raw) / median(rolled)).toFixed(1)}× (${warm.usedPreAggregations})`);
  }
  console.log(`mix (sum of medians): raw ÷ rollup = ${(totalRaw / totalRollup).toFixed(1)}×`);
  console.log(`rollup-served REST latency: p50 ${pct(rollupLatencies, 50).toFixed(2)} ms, p95 ${pct(rollupLatencies, 95).toFixed(2)} ms (n=${rollupLatencies.length})`);

  console.log(`\n## throughput (autocannon in a child process, ${seconds} s per run, ${rounds} rounds in rotating order, medians; keep-alive)`);
  // The same 16 small dashboard queries (10–11 days by channel) for both: cache hits as sent, rollup
  // hits with renewQuery (skips the cache); distinct date ranges keep coalescing from merging them.
  const small = Array.from({ length: 16 }, (_, i) => ({ ...DASHBOARD[0]!.query, timeDimensions: [day(`2026-0${1 + (i % 8)}-01`, `2026-0${1 + (i % 8)}-${10 + Math.floor(i / 8)}`)] }));
  const cacheHit = small.map((query) => loadPath('', query));
  await sequence(cacheHit);
  const rollupHit = small.map((query) => loadPath('', { ...query, renewQuery: true }));
  const checked = await sequence([...cacheHit, ...rollupHit]);
  if (checked.some((t) => t.status !== 200 || t.usedPreAggregations !== 'fato_vendas.por_canal_dia')) throw new Error(`throughput queries not served by por_canal_dia: ${JSON.stringify(checked.find((t) => t.usedPreAggregations !== 'fato_vendas.por_canal_dia'))}`);
  // The server's CPU time (user + system) per request: less sensitive to the other load on a
  // shared machine than req/s (the load client is another process, so it is not counted).
  const cannon = async (paths: string[], connections: number) => {
    const before = process.cpuUsage();
    const figures = await client.ask<CannonFigures>({ op: 'cannon', base, paths, connections, seconds });
    const used = process.cpuUsage(before);
    figures.cpuMicros = used.user + used.system;
    return figures;
  };
  // The machine is shared: each client count runs `rounds` rounds of the three kinds in rotating
  // order, and the figures are medians over rounds (ratios: median of the per-round ratios).
  // hello is a route of the outer app only; /livez is the server's own trivial route, behind the
  // same mounted app and middlewares (request id, metrics, body parser) as /load.
  const kinds: [string, string[]][] = [['hello', ['/hello']], ['livez', ['/livez']], ['cache', cacheHit], ['rollup', rollupHit]];
  let errors = 0;
  for (const connections of [8, 32, 64]) {
    const runs = new Map<string, CannonFigures[]>(kinds.map(([kind]) => [kind, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < kinds.length; k++) {
        const [kind, paths] = kinds[(k + round) % kinds.length]!;
        const figures = await cannon(paths, connections);
        errors += figures.errors;
        runs.get(kind)!.push(figures);
      }
    }
    const med = (kind: string, pick: (r: CannonFigures) => number) => median(runs.get(kind)!.map(pick));
    const ratio = (kind: string) => median(runs.get(kind)!.map((r, i) => r.rps / runs.get('hello')![i]!.rps));
    const cpu = (kind: string) => med(kind, (r) => r.cpuMicros! / Math.max(r.total, 1));
    const line = (label: string, kind: string) => `${label} ${med(kind, (r) => r.rps).toFixed(0).padStart(6)} req/s (p50 ${med(kind, (r) => r.p50)} ms, p99 ${med(kind, (r) => r.p99)} ms, ${cpu(kind).toFixed(0)} µs CPU/req)`;
    console.log(`${String(connections).padStart(2)} clients: ${line('hello', 'hello')} | ${line('cache hit', 'cache')} = ${ratio('cache').toFixed(2)}× hello | ${line('rollup hit', 'rollup')} = ${ratio('rollup').toFixed(2)}× hello`);
    if (connections === 32) {
      const tail = (kind: string) => median(runs.get(kind)!.map((r) => r.p99 / Math.max(r.p50, 1))).toFixed(1);
      console.log(`   p99/p50 at 32 (median over rounds): hello ${tail('hello')}, cache hit ${tail('cache')}, rollup hit ${tail('rollup')}`);
      console.log(`   server CPU per request at 32: cache hit ÷ hello = ${(cpu('cache') / cpu('hello')).toFixed(2)}× (hello-world's req/s ratio target ≥ 0.8× means ≤ 1.25× its CPU)`);
      console.log(`   /livez (the server's trivial route, same mounted app): ${line('livez', 'livez')}; cache hit ÷ livez = ${median(runs.get('cache')!.map((r, i) => r.rps / runs.get('livez')![i]!.rps)).toFixed(2)}× req/s, ${(cpu('cache') / cpu('livez')).toFixed(2)}× CPU`);
    }
  }
  console.log(`errors (non-2xx, socket errors, timeouts): ${errors}`);
  console.log(`peak RSS of the server process: ${(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MiB (scale ${scale}; the load generator runs in its own process)`);

  clearInterval(sampler);
  client.stop();
  listening.closeAllConnections();
  await new Promise<void>((resolve) => listening.close(() => resolve()));
  await rawOnly.close();
  await withRollups.close();
}

function median(values: number[]): number {
  return pct(values, 50);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

if (args.has('load-client')) await loadClient();
else await main();
