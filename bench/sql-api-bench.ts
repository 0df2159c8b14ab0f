/**
 * SQL API benchmark (issue 6), self-contained: an `orders` table in DuckDB (default 300 000 rows),
 * the real engine, the REST server and the SQL API server in this process.
 *  1. latency of the same semantic queries through the SQL API (pg client, extended protocol)
 *     divided by REST (POST /cubejs-api/v1/load), interleaved pair by pair (target ≤ 1.15×);
 *  2. SQL planning time (parse + classify + plan) of a query with a 1 000-item IN list (target ≤ 0.5 ms);
 *  3. rows/s of a 50 000-row result over the wire divided by the same through REST (target ≥ 1.5×),
 *     the sides in rotating order each repetition, twice: with an engine that runs the source
 *     query every time, and with the engine as main.ts wires it (the orchestrator's result cache,
 *     warm after the first repetition), where only the API layers differ. The SQL API is read by
 *     node-postgres with its default type parsers (timestamps become Date objects) and, as a
 *     second figure, with every value kept as the text Postgres sends (what a JSON client gets);
 *  4. peak memory (RSS) of this process.
 * Usage: npx tsx bench/sql-api-bench.ts [--rows 300000] [--rounds 30] [--reps 9] [--only throughput]
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadModule } from 'libpg-query';
import { loadConfig } from '../server/src/config/load-config.ts';
import { createServer } from '../server/src/server.ts';
import { createLogger } from '../server/src/observability/create-logger.ts';
import { DuckDbDriver } from '../server/src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../server/src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../server/src/engine/create-engine.ts';
import type { SemanticEngine } from '../server/src/engine/engine-types.ts';
import { QueryOrchestrator } from '../server/src/reuse/query-orchestrator.ts';
import { loadModel } from '../server/src/model/compile-model.ts';
import { startSqlServer } from '../server/src/api/sql/start-sql-server.ts';
import { buildModelTables } from '../server/src/api/sql/catalog/model-tables.ts';
import { classifyStatement, splitStatements } from '../server/src/api/sql/translate/classify-statement.ts';
import { planModelQuery } from '../server/src/api/sql/translate/plan-model-query.ts';
import type { CubeQuery } from '../server/src/query/query-types.ts';
import { ORDERS_MODEL } from '../server/test/sql-api/support/orders-fixture.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const rows = Number(args.get('rows') ?? 300_000);
const rounds = Number(args.get('rounds') ?? 30);
const reps = Number(args.get('reps') ?? 9);
const only = args.get('only');

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
sampler.unref();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sql-api-bench-'));
  await mkdir(path.join(dir, 'model', 'cubes'), { recursive: true });
  await writeFile(path.join(dir, 'model', 'cubes', 'orders.yml'), ORDERS_MODEL);
  const model = await loadModel(path.join(dir, 'model'));
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`CREATE TABLE main.orders AS SELECT i + 1 AS id, ['paid','shipped','cancelled'][i % 3 + 1] AS status,
    ['Recife','Salvador','Sao Paulo','Porto Alegre','Manaus'][i % 5 + 1] AS city,
    TIMESTAMP '2024-01-01' + to_hours(i % 8760) AS created_at, round((i * 37 % 1000) * 1.25, 2)::DOUBLE AS amount, 'c' || (i % 997) AS customer
    FROM range(${rows}) t(i)`);
  c.closeSync();
  const driver = DuckDbDriver.fromInstance(instance);
  const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', CUBEJS_SCHEMA_PATH: path.join(dir, 'model') }, cwd: dir });
  const closers: (() => Promise<unknown>)[] = [];
  /** One engine with its REST server, SQL API server and two pg clients (default parsers, text). */
  const serve = async (engine: SemanticEngine) => {
    const rest = createServer({ config: { ...config, playground: false }, engine, driver, logger: createLogger({ level: 'silent' }) });
    const { url } = await rest.listen(0, '127.0.0.1');
    const sql = await startSqlServer({ port: 0, host: '127.0.0.1', engine, model, checkSqlAuth: () => ({ password: 'bench', securityContext: {} }) });
    const options = { host: '127.0.0.1', port: sql.port, user: 'bench', password: 'bench', database: 'db' };
    const client = new pg.Client(options);
    const textClient = new pg.Client({ ...options, types: { getTypeParser: () => (value: string) => value } });
    await client.connect();
    await textClient.connect();
    closers.push(() => client.end(), () => textClient.end(), () => sql.close(), () => rest.close());
    return { url, client, textClient, engine };
  };
  const direct = await serve(createEngine({ model, driver, dialect: createDuckDbDialect() }));
  const orchestrator = new QueryOrchestrator({ queue: { concurrency: 4, executionTimeoutMs: 600_000 }, cache: { maxEntries: 10_000, ttlMs: 24 * 3_600_000 } });
  const cached = only === 'throughput' || !only ? await serve(createEngine({ model, driver, dialect: createDuckDbDialect(), orchestrator })) : direct;
  return {
    model,
    ...direct,
    direct,
    cached,
    close: async () => {
      for (const close of closers) await close();
      await driver.close();
    },
  };
}

async function rest(url: string, query: CubeQuery): Promise<number> {
  const res = await fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: unknown[]; error?: string };
  if (!body.data) throw new Error(`REST: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data.length;
}

/** The same semantic question asked both ways. */
const PAIRS: { sql: string; rest: CubeQuery }[] = [
  { sql: 'select status, measure(total_amount) as t from orders group by 1 order by 1', rest: { measures: ['orders.total_amount'], dimensions: ['orders.status'], order: [['orders.status', 'asc']] } },
  {
    sql: `select date_trunc('month', created_at) as m, measure(count) as n from orders where city = 'Recife' group by 1 order by 1`,
    rest: { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }], filters: [{ member: 'orders.city', operator: 'equals', values: ['Recife'] }], order: [['orders.created_at', 'asc']] },
  },
  {
    sql: 'select city, status, measure(customers) as c, measure(avg_amount) as a from orders group by 1, 2 order by 3 desc limit 10',
    rest: { measures: ['orders.customers', 'orders.avg_amount'], dimensions: ['orders.city', 'orders.status'], order: [['orders.customers', 'desc']], limit: 10 },
  },
];

async function latency(s: Awaited<ReturnType<typeof setup>>) {
  const ratios: number[] = [];
  const sqlTimes: number[] = [];
  const restTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const p of PAIRS) {
      const order = r % 2 === 0;
      const runSql = async () => {
        const t = performance.now();
        await s.client.query({ text: p.sql });
        return performance.now() - t;
      };
      const runRest = async () => {
        const t = performance.now();
        await rest(s.url, p.rest);
        return performance.now() - t;
      };
      const a = order ? await runSql() : await runRest();
      const b = order ? await runRest() : await runSql();
      const [sqlMs, restMs] = order ? [a, b] : [b, a];
      if (r > 1) {
        sqlTimes.push(sqlMs);
        restTimes.push(restMs);
        ratios.push(sqlMs / restMs);
      }
    }
  }
  return { sqlMs: median(sqlTimes), restMs: median(restTimes), ratio: median(ratios) };
}

function planning(model: Awaited<ReturnType<typeof setup>>['model']) {
  const tables = buildModelTables(model);
  const find = (_: string | undefined, name: string) => [...tables.values()].find((t) => t.name.toLowerCase() === name.toLowerCase());
  const values = Array.from({ length: 1000 }, (_, i) => `'c${i}'`).join(', ');
  const sql = `select status, measure(count) from orders where customer_in_list_placeholder group by 1`.replace('customer_in_list_placeholder', `city in (${values})`);
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    const [split] = splitStatements(sql);
    const st = classifyStatement(split!, (s, n) => find(s, n) !== undefined);
    if (st.kind !== 'model') throw new Error('not a model query');
    const plan = planModelQuery(st.select, [], find, { maxScanRows: 50_000, lists: st.lists });
    if (!plan.fast) throw new Error('expected the fast path');
    if (i >= 50) times.push(performance.now() - t);
  }
  return median(times);
}

type Side = Awaited<ReturnType<typeof setup>>['direct'];

/** The 50,000-row question asked through each path, in rotating order; medians of rows/s. */
async function throughput(side: Side) {
  const sql = 'select status, city, created_at, amount from orders limit 50000';
  const query: CubeQuery = { dimensions: ['orders.status', 'orders.city', 'orders.created_at', 'orders.amount'], ungrouped: true, limit: 50000 };
  const paths: Record<string, () => Promise<number>> = {
    sql: async () => (await side.client.query(sql)).rows.length,
    sqlText: async () => (await side.textClient.query(sql)).rows.length,
    rest: () => rest(side.url, query),
    engine: async () => (await side.engine.load(query, { securityContext: {}, requestId: 'bench', api: 'internal' })).results[0]!.rowCount,
  };
  const names = Object.keys(paths);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!;
      const t = performance.now();
      const n = await paths[name]!();
      const ms = performance.now() - t;
      if (n !== 50000) throw new Error(`${name}: expected 50000 rows, got ${n}`);
      if (r > 0) rates[name]!.push(50000 / (ms / 1000));
    }
  }
  const m = (name: string) => median(rates[name]!);
  return { sql: m('sql'), sqlText: m('sqlText'), rest: m('rest'), engine: m('engine'), ratio: m('sql') / m('rest'), textRatio: m('sqlText') / m('rest') };
}

function printThroughput(title: string, tp: Awaited<ReturnType<typeof throughput>>) {
  const k = (x: number) => `${Math.round(x)}`;
  console.log(`50,000-row result, ${title}:`);
  console.log(`  SQL API ${k(tp.sql)} rows/s, REST ${k(tp.rest)} rows/s, ratio ${tp.ratio.toFixed(2)}× (target ≥ 1.5×)`);
  console.log(`  SQL API read as text (no Date objects) ${k(tp.sqlText)} rows/s, ratio ${tp.textRatio.toFixed(2)}×`);
  console.log(`  (engine.load alone, shared by both paths: ${k(tp.engine)} rows/s)`);
}

await loadModule();
const s = await setup();
try {
  console.log(`rows in orders: ${rows}, rounds: ${rounds}, throughput repetitions: ${reps}`);
  if (!only || only === 'latency') {
    const lat = await latency(s);
    console.log(`latency  SQL API ${lat.sqlMs.toFixed(2)} ms  REST ${lat.restMs.toFixed(2)} ms  median ratio SQL/REST ${lat.ratio.toFixed(3)}× (target ≤ 1.15×)`);
  }
  if (!only || only === 'planning') {
    const planMs = planning(s.model);
    console.log(`planning 1,000-item IN list: ${(planMs * 1000).toFixed(0)} µs per statement (target ≤ 500 µs)`);
  }
  if (!only || only === 'throughput') {
    printThroughput('source query every time (engine without result cache)', await throughput(s.direct));
    printThroughput('engine as main.ts wires it (result cache warm)', await throughput(s.cached));
  }
  console.log(`load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(`peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
} finally {
  await s.close();
}
