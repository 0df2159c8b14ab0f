/**
 * REST overhead benchmark (issue 3). On a warm server over the local lakehouse:
 *  1. latency of a dashboard query mix through POST /cubejs-api/v1/load, divided by the same
 *     generated SQL (from /v1/sql) run directly through @duckdb/node-api and serialized to JSON,
 *     interleaved pair by pair (targets: ≤ 1.10× when raw ≥ 20 ms; ≤ 1 ms added at p50 under 1 000 rows);
 *  2. request throughput with a generated model of 200 cubes divided by throughput with 5 (target ≥ 0.9);
 *  3. peak memory (RSS) of this process.
 * Usage: npx tsx bench/rest-bench.ts [--scale 1] [--dir <lakehouse dir>] [--rounds 30] [--only latency|throughput] [--small 1]
 * (`--small 1`: only the queries of under 1 000 rows that answer in a few ms, where the ≤ 1 ms target applies)
 */
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../server/src/config/load-config.ts';
import { buildStack } from '../server/src/main.ts';
import { createServer } from '../server/src/server.ts';
import { createLogger } from '../server/src/observability/create-logger.ts';
import type { SemanticEngine } from '../server/src/engine/engine-types.ts';
import type { CubeQuery } from '../server/src/query/query-types.ts';
import { CONTINUE_WAIT_BODY, postCubeQuery, untilAnswered } from './support/until-answered.ts';
import { DEV_SECURITY_CONTEXT } from '../server/src/security/dev-security-context.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const scale = Number(args.get('scale') ?? 1);
const rounds = Number(args.get('rounds') ?? 30);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

interface Started {
  url: string;
  engine: SemanticEngine;
  close(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', ...env }, cwd: REPO });
  const stack = await buildStack(config, createLogger({ level: 'silent' }));
  const server = createServer({ config: { ...config, playground: false }, engine: stack.engine, driver: stack.driver, logger: createLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  return { url, engine: stack.engine, close: async () => { await server.close(); await stack.close(); } };
}

/**
 * An HTTP client on its own thread (keep-alive, like a dashboard's client), timing from the
 * request to the last byte of the answer. In-process `fetch` runs its own parsing on the server's
 * event loop and so charges the client's work to REST; this column measures the server as a
 * separate client sees it. Both columns are printed.
 */
function threadClient(): { load(url: string, query: unknown): Promise<number>; livez(url: string): Promise<number>; close(): Promise<number> } {
  const worker = new Worker(
    `const http = require('node:http');
     const { parentPort } = require('node:worker_threads');
     const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
     parentPort.on('message', ({ id, url, body }) => {
       const started = performance.now();
       const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
       const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (res) => {
         const chunks = [];
         res.on('data', (c) => chunks.push(c));
         res.on('end', () => parentPort.postMessage({ id, ms: performance.now() - started, status: res.statusCode, text: Buffer.concat(chunks).toString('utf8', 0, 300) }));
       });
       req.on('error', (e) => parentPort.postMessage({ id, error: String(e) }));
       req.end(body);
     });`,
    { eval: true },
  );
  const pending = new Map<number, (m: { ms?: number; status?: number; text?: string; error?: string }) => void>();
  worker.on('message', (m: { id: number }) => pending.get(m.id)?.(m as never));
  let next = 0;
  return {
    load: async (url, query) => {
      // Polls again on Continue wait (scale 10).
      const m = await untilAnswered(
        () =>
          new Promise<{ ms: number; status?: number; text?: string; error?: string }>((resolve) => {
            const id = next++;
            pending.set(id, (answer) => {
              pending.delete(id);
              resolve({ ...answer, ms: answer.ms ?? 0 });
            });
            worker.postMessage({ id, url: `${url}/cubejs-api/v1/load`, body: JSON.stringify({ query }) });
          }),
        (a) => !a.error && a.status === 200 && a.text === CONTINUE_WAIT_BODY,
      );
      if (m.error || m.status !== 200 || m.text!.startsWith('{"error"')) throw new Error(`load ${m.status}: ${m.error ?? m.text}`);
      return m.ms;
    },
    // The HTTP floor: the server's trivial route, same client, same socket.
    livez: (url) => new Promise<number>((resolve, reject) => {
      const id = next++;
      pending.set(id, (answer) => {
        pending.delete(id);
        if (answer.error || answer.status !== 200) reject(new Error(`livez ${answer.status}: ${answer.error ?? answer.text}`));
        else resolve(answer.ms!);
      });
      worker.postMessage({ id, url: `${url}/livez` });
    }),
    close: () => worker.terminate(),
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** A dashboard mix built from /meta so it follows the model's member names. */
async function dashboardQueries(url: string): Promise<{ name: string; query: Record<string, unknown> }[]> {
  const meta = JSON.parse((await (await fetch(`${url}/cubejs-api/v1/meta`)).text())) as {
    cubes: { name: string; type?: string; measures: { name: string; type: string }[]; dimensions: { name: string; type: string }[] }[];
  };
  const fact = meta.cubes.find((c) => c.name === 'fato_vendas') ?? meta.cubes.find((c) => c.measures.length > 0)!;
  const measures = fact.measures.filter((m) => m.type === 'number').map((m) => m.name);
  const time = fact.dimensions.find((d) => d.type === 'time')!.name;
  const strings = meta.cubes.filter((c) => c.type !== 'view' && c.name !== fact.name).flatMap((c) => c.dimensions.filter((d) => d.type === 'string').map((d) => d.name));
  const pick = (re: RegExp, fallback: string) => strings.find((s) => re.test(s)) ?? fallback;
  const category = pick(/categoria/, strings[0]!);
  const channel = pick(/dim_canal\.nome|canal/, strings[1]!);
  const state = pick(/estado/, strings[2]!);
  const product = pick(/dim_produto\.nome/, strings[3]!);
  return [
    // Small and fast: where the ≤ 1 ms added-at-p50 target applies.
    { name: 'channel list (small)', query: { dimensions: [channel] } },
    { name: 'state list (small)', query: { dimensions: [state], limit: 30 } },
    { name: 'kpis', query: { measures: measures.slice(0, 4) } },
    { name: 'monthly trend', query: { measures: measures.slice(0, 2), timeDimensions: [{ dimension: time, granularity: 'month' }] } },
    { name: 'daily series', query: { measures: [measures[0]], timeDimensions: [{ dimension: time, granularity: 'day' }] } },
    { name: 'top 10 categories', query: { measures: [measures[0]], dimensions: [category], order: { [measures[0]!]: 'desc' }, limit: 10 } },
    { name: 'channel x state', query: { measures: measures.slice(0, 2), dimensions: [channel, state] } },
    { name: 'products by month (large)', query: { measures: [measures[0]], dimensions: [product], timeDimensions: [{ dimension: time, granularity: 'month' }], limit: 20000 } },
  ];
}

async function latencyBench(url: string, engine: SemanticEngine, duckdbPath: string): Promise<void> {
  const instance = await DuckDBInstance.fromCache(duckdbPath);
  const connection = await instance.connect();
  const direct = async (sql: string, params: unknown[]): Promise<{ ms: number; rows: number }> => {
    const started = performance.now();
    // As the driver does: a values array, even empty, makes node-api prepare the statement.
    const reader = params.length === 0 ? await connection.runAndReadAll(sql) : await connection.runAndReadAll(sql, params as never);
    const text = JSON.stringify(reader.getRowObjectsJson());
    void text.length;
    return { ms: performance.now() - started, rows: reader.currentRowCount };
  };
  console.log(`\nREST /load vs the same SQL through @duckdb/node-api + JSON (${rounds} interleaved pairs per query)`);
  console.log('query                      rows   raw p50 ms  engine p50 ms  rest p50 ms  added p50 ms  ratio   target       | thread-client rest p50  added  ratio  target | HTTP floor (thread client)');
  const client = threadClient();
  // What REST gives a request without a token in dev mode: the same context, so the same cache entries.
  const ctx = { securityContext: DEV_SECURITY_CONTEXT, requestId: 'bench', api: 'internal' as const };
  const viaEngine = async (query: CubeQuery): Promise<number> => {
    const started = performance.now();
    await engine.load(query, ctx);
    return performance.now() - started;
  };
  const mix = await dashboardQueries(url);
  for (const { name, query } of args.has('small') ? mix.filter((q) => q.name.endsWith('(small)')) : mix) {
    const sqlBody = JSON.parse((await postCubeQuery(url, 'sql', query)).text) as { sql: { sql: [string, unknown[]] } };
    const [sql, params] = sqlBody.sql.sql;
    // renewQuery asks the engine to skip its result cache, so both sides do the same work.
    const restQuery = { ...query, renewQuery: true };
    for (let i = 0; i < 3; i++) { await postCubeQuery(url, 'load', restQuery); await direct(sql, params); }
    const raw: number[] = [];
    const rest: number[] = [];
    const threaded: number[] = [];
    const floor: number[] = [];
    const inProcess: number[] = [];
    let rows = 0;
    for (let i = 0; i < rounds; i++) {
      // Alternate which side goes first so drift and GC hit both equally.
      if (i % 2 === 0) { rest.push((await postCubeQuery(url, 'load', restQuery)).ms); const d = await direct(sql, params); raw.push(d.ms); rows = d.rows; }
      else { const d = await direct(sql, params); raw.push(d.ms); rows = d.rows; rest.push((await postCubeQuery(url, 'load', restQuery)).ms); }
      inProcess.push(await viaEngine(restQuery as CubeQuery));
      threaded.push(await client.load(url, restQuery));
      floor.push(await client.livez(url));
    }
    const rawP50 = quantile(raw, 0.5);
    const restP50 = quantile(rest, 0.5);
    const ratio = restP50 / rawP50;
    const targetOf = (p50: number) => (rawP50 >= 20 ? `ratio ≤ 1.10: ${p50 / rawP50 <= 1.1 ? 'met' : 'MISSED'}` : rows < 1000 ? `added ≤ 1 ms: ${p50 - rawP50 <= 1 ? 'met' : 'MISSED'}` : 'n/a');
    const threadP50 = quantile(threaded, 0.5);
    console.log(
      `${name.padEnd(26)} ${String(rows).padStart(5)} ${rawP50.toFixed(2).padStart(11)} ${quantile(inProcess, 0.5).toFixed(2).padStart(14)} ${restP50.toFixed(2).padStart(12)} ${(restP50 - rawP50).toFixed(2).padStart(13)} ${ratio.toFixed(2).padStart(6)}   ${targetOf(restP50).padEnd(20)} | ` +
        `${threadP50.toFixed(2).padStart(22)} ${(threadP50 - rawP50).toFixed(2).padStart(6)} ${(threadP50 / rawP50).toFixed(2).padStart(6)}  ${targetOf(threadP50)}` +
        ` | GET /livez p50 ${quantile(floor, 0.5).toFixed(2)} ms`,
    );
  }
  await client.close();
  connection.closeSync();
}

/** A model of `n` cubes over one small table, so only the model's size differs between runs. */
async function generatedModel(root: string, n: number): Promise<{ modelDir: string }> {
  const modelDir = path.join(root, `model-${n}`);
  await mkdir(modelDir, { recursive: true });
  const cubes = Array.from({ length: n }, (_, i) => [
    `  - name: cube_${i}`,
    '    sql_table: bench_events',
    '    dimensions:',
    '      - { name: id, sql: id, type: number, primary_key: true }',
    '      - { name: category, sql: category, type: string }',
    '      - { name: created_at, sql: created_at, type: time }',
    '    measures:',
    '      - { name: count, type: count }',
    '      - { name: amount, sql: amount, type: sum }',
  ].join('\n'));
  await writeFile(path.join(modelDir, 'cubes.yml'), `cubes:\n${cubes.join('\n')}\n`);
  return { modelDir };
}

async function throughputBench(root: string): Promise<void> {
  const duckdbPath = path.join(root, 'bench-events.duckdb');
  const instance = await DuckDBInstance.create(duckdbPath);
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE bench_events AS SELECT i AS id, 'c' || (i % 20) AS category,
    TIMESTAMP '2024-01-01' + to_days(i % 365) AS created_at, (i % 97)::DOUBLE AS amount FROM range(20000) t(i)`);
  connection.closeSync();
  instance.closeSync();
  const query = encodeURIComponent(JSON.stringify({ measures: ['cube_0.count', 'cube_0.amount'], dimensions: ['cube_0.category'] }));
  const results: Record<number, number[]> = { 5: [], 200: [] };
  const servers: Record<number, Started> = {};
  for (const n of [5, 200]) {
    const { modelDir } = await generatedModel(root, n);
    servers[n] = await startServer({ CUBEJS_SCHEMA_PATH: modelDir, CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath });
  }
  // Warm-up (JIT, DuckDB caches) on both servers before anything is recorded.
  for (const n of [5, 200]) await autocannon({ url: `${servers[n]!.url}/cubejs-api/v1/load?query=${query}`, connections: 10, duration: 3 });
  console.log('\nThroughput: autocannon, 10 connections, 5 s per run, runs alternating 5 / 200 cubes (after a 3 s warm-up each)');
  for (let round = 0; round < 3; round++) {
    for (const n of [5, 200]) {
      const result = await autocannon({ url: `${servers[n]!.url}/cubejs-api/v1/load?query=${query}`, connections: 10, duration: 5 });
      if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers with ${n} cubes`);
      results[n]!.push(result.requests.average);
      console.log(`  round ${round + 1}, ${String(n).padStart(3)} cubes: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms`);
    }
  }
  for (const n of [5, 200]) await servers[n]!.close();
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const ratio = mean(results[200]!) / mean(results[5]!);
  console.log(`  throughput(200 cubes) / throughput(5 cubes) = ${ratio.toFixed(3)}  (target ≥ 0.9: ${ratio >= 0.9 ? 'met' : 'MISSED'})`);
}

async function ensureLakehouse(): Promise<string> {
  const dir = args.get('dir') ?? (await mkdtemp(path.join(os.tmpdir(), `rest-bench-scale${scale}-`)));
  const duckdbPath = path.join(dir, 'lakehouse.duckdb');
  if (!existsSync(duckdbPath)) {
    console.log(`building the lakehouse at scale ${scale} in ${dir} …`);
    execFileSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'server/src/cli/index.ts'), 'build', '--scale', String(scale), '--lakehouse-dir', dir], { stdio: 'inherit', cwd: REPO });
  }
  return duckdbPath;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'rest-bench-'));
const only = args.get('only');
if (only !== 'throughput') {
  const duckdbPath = await ensureLakehouse();
  const server = await startServer({ CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath });
  await latencyBench(server.url, server.engine, duckdbPath);
  await server.close();
}
if (only !== 'latency') await throughputBench(root);
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(`\npeak RSS: ${(Math.max(peakRss, maxRss) / 1048576).toFixed(0)} MiB (scale ${scale})`);
