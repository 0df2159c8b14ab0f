/**
 * SQL API benchmark (issue 6), self-contained: an `orders` table in DuckDB (default 300 000 rows),
 * the real engine, the REST server and the SQL API server in this process.
 *  1. latency of the same semantic queries through the SQL API (pg client, extended protocol)
 *     divided by REST (POST /cubejs-api/v1/load), interleaved pair by pair (target ≤ 1.15×);
 *  2. SQL planning time (parse + classify + plan) of a query with a 1 000-item IN list (target ≤ 0.5 ms);
 *  3. rows/s of a 50 000-row result over the wire divided by the same through REST (target ≥ 1.5×);
 *  4. peak memory (RSS) of this process.
 * Usage: npx tsx bench/sql-api-bench.ts [--rows 300000] [--rounds 30]
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
import { loadModel } from '../server/src/model/compile-model.ts';
import { startSqlServer } from '../server/src/api/sql/start-sql-server.ts';
import { buildModelTables } from '../server/src/api/sql/catalog/model-tables.ts';
import { classifyStatement, splitStatements } from '../server/src/api/sql/translate/classify-statement.ts';
import { planModelQuery } from '../server/src/api/sql/translate/plan-model-query.ts';
import type { CubeQuery } from '../server/src/query/query-types.ts';
import { ORDERS_MODEL } from '../server/test/sql-api/support/test-fixture.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const rows = Number(args.get('rows') ?? 300_000);
const rounds = Number(args.get('rounds') ?? 30);

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
  const engine = createEngine({ model, driver, dialect: createDuckDbDialect() });
  const config = await loadConfig({ env: { CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', CUBEJS_SCHEMA_PATH: path.join(dir, 'model') }, cwd: dir });
  const rest = createServer({ config: { ...config, playground: false }, engine, driver, logger: createLogger({ level: 'silent' }) });
  const { url } = await rest.listen(0, '127.0.0.1');
  const sql = await startSqlServer({ port: 0, host: '127.0.0.1', engine, model, checkSqlAuth: () => ({ password: 'bench', securityContext: {} }) });
  const client = new pg.Client({ host: '127.0.0.1', port: sql.port, user: 'bench', password: 'bench', database: 'db' });
  await client.connect();
  return { model, url, client, engine, close: async () => { await client.end(); await sql.close(); await rest.close(); await driver.close(); } };
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
    const plan = planModelQuery(st.text, st.select, [], find, { maxScanRows: 50_000, lists: st.lists });
    if (!plan.fast) throw new Error('expected the fast path');
    if (i >= 50) times.push(performance.now() - t);
  }
  return median(times);
}

async function throughput(s: Awaited<ReturnType<typeof setup>>) {
  const sql = 'select status, city, created_at, amount from orders limit 50000';
  const query: CubeQuery = { dimensions: ['orders.status', 'orders.city', 'orders.created_at', 'orders.amount'], ungrouped: true, limit: 50000 };
  const sqlRates: number[] = [];
  const restRates: number[] = [];
  const engineRates: number[] = [];
  for (let r = 0; r < 6; r++) {
    let t = performance.now();
    const res = await s.client.query(sql);
    const sqlMs = performance.now() - t;
    t = performance.now();
    const n = await rest(s.url, query);
    const restMs = performance.now() - t;
    if (res.rows.length !== 50000 || n !== 50000) throw new Error(`expected 50000 rows, got ${res.rows.length} / ${n}`);
    t = performance.now();
    await s.engine.load(query, { securityContext: {}, requestId: 'bench', api: 'internal' });
    const engineMs = performance.now() - t;
    if (r > 0) {
      engineRates.push(50000 / (engineMs / 1000));
      sqlRates.push(50000 / (sqlMs / 1000));
      restRates.push(50000 / (restMs / 1000));
    }
  }
  return { sqlRowsPerSec: median(sqlRates), restRowsPerSec: median(restRates), engineRowsPerSec: median(engineRates), ratio: median(sqlRates) / median(restRates) };
}

await loadModule();
const s = await setup();
try {
  const lat = await latency(s);
  const planMs = planning(s.model);
  const tp = await throughput(s);
  console.log(`rows in orders: ${rows}, rounds: ${rounds}`);
  console.log(`latency  SQL API ${lat.sqlMs.toFixed(2)} ms  REST ${lat.restMs.toFixed(2)} ms  median ratio SQL/REST ${lat.ratio.toFixed(3)}× (target ≤ 1.15×)`);
  console.log(`planning 1,000-item IN list: ${(planMs * 1000).toFixed(0)} µs per statement (target ≤ 500 µs)`);
  console.log(`50,000-row result: SQL API ${Math.round(tp.sqlRowsPerSec)} rows/s, REST ${Math.round(tp.restRowsPerSec)} rows/s, ratio ${tp.ratio.toFixed(2)}× (target ≥ 1.5×)`);
  console.log(`  (engine.load alone, shared by both paths: ${Math.round(tp.engineRowsPerSec)} rows/s)`);
  console.log(`load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(`peak RSS ${(peakRss / 1e6).toFixed(0)} MB`);
} finally {
  await s.close();
}
