/**
 * Server CPU time per request for the two REST speed lines of issue 13, steady even on a shared
 * machine (the load client is a child process, so only the server's work is counted):
 * - throughput shape (bench/preagg-bench.ts): hello-world, `/livez` and the 16 small cache-hit
 *   GETs on one express stack (the semantic app mounted under an outer app with `/hello`), with
 *   autocannon at `--connections` (default 32): µs of server CPU per request and req/s; `graphql`
 *   is the first of those queries as a repeated GraphQL POST;
 *   `--layout standalone`: the server's own handler on node's HTTP server, as `npm start` runs it,
 *   with `/hello` answered by plain node ahead of it and `/livez` by the server's express routes;
 * - latency shape (bench/rest-bench.ts `--small 1`): sequential keep-alive POSTs of the small
 *   queries with `renewQuery`, GET `/livez` on the same socket, and the same SQL through
 *   @duckdb/node-api + JSON.stringify in-process: µs of CPU per request and p50 wall time of each.
 * Usage: npx tsx bench/support/rest-cpu-per-request.ts [--dir data/bench-scale-1] [--seconds 5]
 *   [--connections 32] [--rounds 3] [--requests 2000] [--only throughput|latency] [--kinds hello,livez,cache,graphql]
 *   [--layout mounted|standalone]
 *   [--sides duckdb,engine,rest,livez,rest-get]
 * Run under `node --cpu-prof` (NODE_OPTIONS) to see where the server's time goes.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import express from 'express';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../server/src/config/load-config.ts';
import { buildStack } from '../../server/src/main.ts';
import { createLogger } from '../../server/src/observability/create-logger.ts';
import { createServer } from '../../server/src/server.ts';
import { DEV_SECURITY_CONTEXT } from '../../server/src/security/dev-security-context.ts';
import type { CubeQuery } from '../../server/src/query/query-types.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1] ?? ''] : ['', ''])));
const dir = path.resolve(args.get('dir') ?? path.join(REPO, 'data/bench-scale-1'));
const seconds = Number(args.get('seconds') ?? 5);
const connections = Number(args.get('connections') ?? 32);
const rounds = Number(args.get('rounds') ?? 3);
const requests = Number(args.get('requests') ?? 2000);
const only = args.get('only');

type ClientOp =
  | { readonly op: 'cannon'; readonly base: string; readonly paths: readonly string[]; readonly body?: string }
  | { readonly op: 'sequence'; readonly url: string; readonly body?: string; readonly n: number };

/** The child: autocannon runs, or `n` sequential requests over one keep-alive socket (wall ms each). */
function runClient(): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const once = (url: string, body?: string) =>
    new Promise<{ ms: number; status: number }>((resolve, reject) => {
      const started = performance.now();
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
      req.end(body);
    });
  process.on('message', (m: ClientOp & { id: number }) => {
    void (async () => {
      if (m.op === 'cannon') {
        // A body makes every request a JSON POST (GraphQL); otherwise GETs.
        const request = (p: string) => (m.body === undefined ? { method: 'GET' as const, path: p } : { method: 'POST' as const, path: p, body: m.body, headers: { 'content-type': 'application/json' } });
        const r = await autocannon({ url: m.base, connections, duration: seconds, requests: m.paths.map(request) });
        process.send!({ id: m.id, value: { rps: r.requests.average, total: r.requests.total, errors: r.errors + r.non2xx + r.timeouts } });
      } else {
        const ms: number[] = [];
        for (let i = 0; i < m.n; i++) {
          const answer = await once(m.url, m.body);
          if (answer.status !== 200) throw new Error(`${m.url}: HTTP ${answer.status}`);
          ms.push(answer.ms);
        }
        process.send!({ id: m.id, value: { ms } });
      }
    })().catch((error: unknown) => process.send!({ id: m.id, failure: String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
}

function startClient(): { ask<T>(op: ClientOp): Promise<T>; stop(): void } {
  const child = fork(import.meta.filename, ['--client', '1', ...process.argv.slice(2)], { execArgv: process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), stdio: 'inherit' });
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (m: { id: number; value?: unknown; failure?: string }) => {
    const waiter = pending.get(m.id)!;
    pending.delete(m.id);
    if (m.failure) waiter.reject(new Error(m.failure));
    else waiter.resolve(m.value);
  });
  return {
    ask: <T>(op: ClientOp) => new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ ...op, id });
    }),
    stop: () => child.disconnect(),
  };
}

/** CPU time (user + system, µs) of this process while `run` runs. */
async function cpuOf<T>(run: () => Promise<T>): Promise<{ value: T; micros: number }> {
  const before = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(before);
  if (process.env.CPU_SPLIT) console.log(`  user ${used.user} system ${used.system}`);
  return { value, micros: used.user + used.system };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const day = (from: string, to: string) => ({ dimension: 'fato_vendas.data_venda', granularity: 'day', dateRange: [from, to] });

async function throughput(): Promise<void> {
  const env = { CUBEJS_SCHEMA_PATH: path.join(REPO, 'model'), CUBEJS_DB_DUCKDB_DATABASE_PATH: path.join(dir, 'lakehouse.duckdb'), CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent' };
  const config = await loadConfig({ cwd: dir, env });
  const logger = createLogger({ level: 'silent' });
  const stack = await buildStack(config, logger, { refreshWorker: false, buildConcurrency: 2, refreshIntervalMs: 60_000, queryConcurrency: 4, storePath: path.join(dir, 'preagg.duckdb') });
  await stack.preAggregations!.refresher.refresh(stack.engine.currentModel());
  const server = createServer({ config, engine: stack.engine, driver: stack.driver, logger, preAggregations: stack.preAggregations });
  let listening: http.Server;
  if (args.get('layout') === 'standalone') {
    // The server's own handler on node's HTTP server, as `npm start` runs it; /hello answered by
    // plain node ahead of it (the cheapest route that server can have).
    listening = http.createServer((req, res) => {
      if (req.url !== '/hello') return server.app(req, res);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end('{"hello":"world"}');
    });
  } else {
    // As preagg-bench: /hello on the outer app, the semantic server's app mounted under it.
    const app = express();
    app.get('/hello', (_req, res) => void res.json({ hello: 'world' }));
    app.use(server.app);
    listening = http.createServer(app);
  }
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const small = Array.from({ length: 16 }, (_, i) => ({ measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.unidades'], dimensions: ['dim_canal.nome'], timeDimensions: [day(`2026-0${1 + (i % 8)}-01`, `2026-0${1 + (i % 8)}-${10 + Math.floor(i / 8)}`)] }));
  const cacheHit = small.map((q) => `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(q))}`);
  const client = startClient();
  for (const p of cacheHit) await client.ask({ op: 'sequence', url: base + p, n: 2 });
  const body = await (await fetch(base + cacheHit[0]!)).text();
  const parts = Object.entries(JSON.parse(body) as Record<string, unknown>).map(([k, v]) => `${k} ${JSON.stringify(v)?.length ?? 0}`);
  console.log(`cache-hit answer: ${Buffer.byteLength(body)} bytes (${parts.join(', ')})`);
  if (args.has('show')) console.log(body);
  // GraphQL asking what the first cache-hit query asks (same measures, channel, days), repeated.
  const graphql = JSON.stringify({ query: `{ cube(where: { fato_vendas: { data_venda: { inDateRange: ["2026-01-01", "2026-01-10"] } } }) { fato_vendas { vendas_liquidas unidades data_venda { day } } dim_canal { nome } } }` });
  const allKinds: [string, string[], string?][] = [['hello', ['/hello']], ['livez', ['/livez']], ['cache', cacheHit], ['graphql', ['/cubejs-api/graphql'], graphql]];
  // `--kinds cache`: only those (e.g. under --cpu-prof); the ratio needs hello.
  const kinds = allKinds.filter(([kind]) => args.get('kinds')?.split(',').includes(kind) ?? true);
  const graphqlAnswer = (await (await fetch(`${base}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: graphql })).json()) as { data?: { cube: unknown[] }; errors?: unknown };
  if (graphqlAnswer.errors || !graphqlAnswer.data?.cube.length) throw new Error(`the GraphQL query failed: ${JSON.stringify(graphqlAnswer).slice(0, 300)}`);
  const runs = new Map<string, { rps: number; cpu: number }[]>(kinds.map(([k]) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < kinds.length; k++) {
      const [kind, paths, body] = kinds[(k + round) % kinds.length]!;
      const { value, micros } = await cpuOf(() => client.ask<{ rps: number; total: number; errors: number }>({ op: 'cannon', base, paths, body }));
      if (value.errors > 0) throw new Error(`${kind}: ${value.errors} errors`);
      runs.get(kind)!.push({ rps: value.rps, cpu: micros / value.total });
    }
  }
  const cpu = (kind: string) => median(runs.get(kind)!.map((r) => r.cpu));
  const ratio = (kind: string) => (runs.has('hello') ? median(runs.get(kind)!.map((r, i) => r.rps / runs.get('hello')![i]!.rps)) : NaN);
  for (const [kind] of kinds) console.log(`${kind.padEnd(6)} ${median(runs.get(kind)!.map((r) => r.rps)).toFixed(0).padStart(6)} req/s, ${cpu(kind).toFixed(0).padStart(4)} µs CPU/req`);
  if (runs.has('cache') && runs.has('hello')) console.log(`at ${connections} clients: cache hit ÷ hello ${ratio('cache').toFixed(2)}× req/s, ${(cpu('cache') / cpu('hello')).toFixed(2)}× CPU (target ≥ 0.8× req/s)`);
  if (runs.has('cache') && runs.has('livez')) console.log(`at ${connections} clients: cache hit ÷ /livez ${median(runs.get('cache')!.map((r, i) => r.rps / runs.get('livez')![i]!.rps)).toFixed(2)}× req/s, ${(cpu('cache') / cpu('livez')).toFixed(2)}× CPU`);
  client.stop();
  listening.closeAllConnections();
  await new Promise<void>((resolve) => listening.close(() => resolve()));
  await stack.close();
}

async function latency(): Promise<void> {
  const duckdbPath = path.join(dir, 'lakehouse.duckdb');
  // As rest-bench: a server of its own (no rollup store), dev mode, POSTed queries with renewQuery.
  const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath }, cwd: REPO });
  const stack = await buildStack(config, createLogger({ level: 'silent' }));
  const server = createServer({ config: { ...config, playground: false }, engine: stack.engine, driver: stack.driver, logger: createLogger({ level: 'silent' }) });
  const { url } = await server.listen(0, '127.0.0.1');
  const instance = await DuckDBInstance.fromCache(duckdbPath);
  const connection = await instance.connect();
  const client = startClient();
  const queries = [{ name: 'channel list', query: { dimensions: ['dim_canal.nome'] } }, { name: 'state list', query: { dimensions: ['dim_loja.estado'], limit: 30 } }];
  for (const { name, query } of queries) {
    const sqlAnswer = (await (await fetch(`${url}/cubejs-api/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json()) as { sql: { sql: [string, unknown[]] } };
    const [sql, params] = sqlAnswer.sql.sql;
    const body = JSON.stringify({ query: { ...query, renewQuery: true } });
    const direct = async () => {
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const started = performance.now();
        // As the driver does: a values array, even empty, makes node-api prepare the statement.
        const reader = params.length === 0 ? await connection.runAndReadAll(sql) : await connection.runAndReadAll(sql, params as never);
        void JSON.stringify(reader.getRowObjectsJson()).length;
        ms.push(performance.now() - started);
      }
      return { ms };
    };
    // The engine in-process, with the context REST gives a request without a token in dev mode.
    const ctx = { securityContext: DEV_SECURITY_CONTEXT, requestId: 'bench', api: 'internal' as const };
    const renewed = { ...query, renewQuery: true } as CubeQuery;
    const viaEngine = async () => {
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const started = performance.now();
        await stack.engine.load(renewed, ctx);
        ms.push(performance.now() - started);
      }
      return { ms };
    };
    const viaEngineWithSignal = async () => {
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const started = performance.now();
        await stack.engine.load(renewed, { ...ctx, signal: AbortSignal.timeout(120_000) });
        ms.push(performance.now() - started);
      }
      return { ms };
    };
    const sides: [string, () => Promise<{ ms: number[] }>][] = [
      ['engine-signal', viaEngineWithSignal],
      ['duckdb', direct],
      ['engine', viaEngine],
      ['rest', () => client.ask({ op: 'sequence', url: `${url}/cubejs-api/v1/load`, body, n: requests })],
      ['livez', () => client.ask({ op: 'sequence', url: `${url}/livez`, n: requests })],
      // The same request by GET (not part of the bench's figures: where a POST's extra time goes).
      ['rest-get', () => client.ask({ op: 'sequence', url: `${url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ ...query, renewQuery: true }))}`, n: requests })],
    ];
    // `--sides rest,livez`: only those (e.g. under --cpu-prof, to see one side alone).
    const chosen = args.get('sides')?.split(',') ?? ['duckdb', 'engine', 'rest', 'livez'];
    sides.splice(0, sides.length, ...sides.filter(([side]) => chosen.includes(side)));
    for (const [, run] of sides) await run();
    const figures = new Map<string, { cpu: number[]; p50: number[] }>(sides.map(([s]) => [s, { cpu: [], p50: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (const [side, run] of sides) {
        const { value, micros } = await cpuOf(run);
        figures.get(side)!.cpu.push(micros / requests);
        figures.get(side)!.p50.push(median(value.ms));
      }
    }
    const f = (side: string) => (figures.has(side) ? { cpu: median(figures.get(side)!.cpu), p50: median(figures.get(side)!.p50) } : { cpu: NaN, p50: NaN });
    const [d, e, r, l, g, es] = [f('duckdb'), f('engine'), f('rest'), f('livez'), f('rest-get'), f('engine-signal')];
    console.log(`${name.padEnd(14)} CPU/req: duckdb ${d.cpu.toFixed(0)} µs, engine ${e.cpu.toFixed(0)} µs, rest ${r.cpu.toFixed(0)} µs (added ${(r.cpu - d.cpu).toFixed(0)}), livez ${l.cpu.toFixed(0)} µs | p50: duckdb ${d.p50.toFixed(3)} ms, engine ${e.p50.toFixed(3)} ms, rest ${r.p50.toFixed(3)} ms (added ${(r.p50 - d.p50).toFixed(3)}), livez ${l.p50.toFixed(3)} ms${figures.has('rest-get') ? ` | GET: ${g.cpu.toFixed(0)} µs, p50 ${g.p50.toFixed(3)} ms` : ''}${figures.has('engine-signal') ? ` | engine with a timeout signal: ${es.cpu.toFixed(0)} µs, p50 ${es.p50.toFixed(3)} ms` : ''}`);
  }
  client.stop();
  connection.closeSync();
  await server.close();
  await stack.close();
}

if (args.has('client')) runClient();
else {
  if (only !== 'latency') await throughput();
  if (only !== 'throughput') await latency();
}
