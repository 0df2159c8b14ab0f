/**
 * Engine cost per request, without the database: normalize → plan → SQL AST → SQL text, for a
 * dashboard-like query mix over the repository's gold model and Cube's corpus model.
 * Prints per-stage mean and p50/p95 per request, the share of each stage (measured side by side
 * in the same run) and peak memory. Target (issue 3): engine cost ≤ 0.3 ms per request.
 *
 *   npx tsx bench/engine-bench.ts [iterations]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compileModel, readModelFiles } from '../server/src/model/compile-model.ts';
import type { SemanticModel } from '../server/src/model/model-types.ts';
import type { CubeQuery } from '../server/src/query/query-types.ts';
import { normalizeQuery } from '../server/src/query/normalize-query.ts';
import { buildPlan } from '../server/src/planner/build-plan.ts';
import { renderPlan } from '../server/src/planner/render-plan.ts';
import { MemberSql } from '../server/src/planner/member-sql.ts';
import { createDuckDbDialect } from '../server/src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createDatabricksDialect } from '../server/src/sql/dialects/databricks/databricks-dialect.ts';
import { createEngine } from '../server/src/engine/create-engine.ts';
import type { Driver } from '../server/src/drivers/driver-types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ITERATIONS = Number(process.argv[2] ?? 3000);
const NOW = new Date('2024-06-15T12:00:00Z');

const GOLD_MIX: CubeQuery[] = [
  { measures: ['vendas.vendas_liquidas', 'vendas.pedidos', 'vendas.ticket_medio'], timeDimensions: [{ dimension: 'vendas.data_venda', granularity: 'day', dateRange: 'last 30 days' }] },
  { measures: ['vendas.vendas_liquidas'], dimensions: ['vendas.canal_nome', 'vendas.loja_regiao'], filters: [{ member: 'vendas.status_pedido', operator: 'notEquals', values: ['test'] }], order: { 'vendas.vendas_liquidas': 'desc' }, limit: 50 },
  { measures: ['fato_vendas.unidades', 'fato_vendas.clientes_distintos'], dimensions: ['dim_produto.categoria'], segments: ['fato_vendas.online'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'month', dateRange: 'this year' }], timezone: 'America/Sao_Paulo' },
  { measures: ['fato_vendas.pedidos_novos_clientes', 'fato_vendas.pedidos_recorrentes'], filters: [{ or: [{ member: 'dim_canal.canal_id', operator: 'equals', values: ['site', 'app'] }, { member: 'dim_loja.regiao', operator: 'contains', values: ['deste'] }] }, { member: 'fato_vendas.vendas_liquidas', operator: 'gt', values: ['100'] }], dimensions: ['dim_cliente.estado'] },
];
const CORPUS_MIX: CubeQuery[] = [
  { measures: ['BigECommerce.rollingCountBy2Month', 'BigECommerce.totalSales'], timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }] },
  { dimensions: ['Customers.customerName'], measures: ['Customers.count', 'ECommerce.totalQuantity'], order: { 'Customers.customerName': 'asc' } },
];

interface StageTimes { normalize: number[]; plan: number[]; sql: number[]; total: number[] }

function run(model: SemanticModel, mix: readonly CubeQuery[], times: StageTimes, dialectIndex: number): void {
  const dialect = dialectIndex % 2 === 0 ? duckdb : databricks;
  for (const query of mix) {
    const t0 = performance.now();
    const normalized = normalizeQuery(model, query, { now: NOW });
    const t1 = performance.now();
    const plan = buildPlan(model, normalized);
    const t2 = performance.now();
    const rendered = renderPlan(plan, new MemberSql(model), false);
    dialect.compile(rendered.query);
    const t3 = performance.now();
    times.normalize.push(t1 - t0);
    times.plan.push(t2 - t1);
    times.sql.push(t3 - t2);
    times.total.push(t3 - t0);
  }
}

const duckdb = createDuckDbDialect();
const databricks = createDatabricksDialect();

function stats(values: number[]): { mean: number; p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: sorted[Math.floor(sorted.length / 2)]!, p95: sorted[Math.floor(sorted.length * 0.95)]! };
}

async function main(): Promise<void> {
  const gold = compileModel(await readModelFiles(path.join(ROOT, 'model')));
  const corpusDir = path.resolve(ROOT, 'server/test/fixtures/cube-corpus/model');
  const corpus = compileModel([{ path: 'ecommerce.yml', content: await readFile(path.join(corpusDir, 'ecommerce.yml'), 'utf8') }]);
  const times: Record<string, StageTimes> = {
    gold: { normalize: [], plan: [], sql: [], total: [] },
    corpus: { normalize: [], plan: [], sql: [], total: [] },
  };
  let peakRss = 0;
  for (let i = 0; i < 200; i++) {
    run(gold, GOLD_MIX, { normalize: [], plan: [], sql: [], total: [] }, i);
    run(corpus, CORPUS_MIX, { normalize: [], plan: [], sql: [], total: [] }, i);
  }
  // Interleave both models iteration by iteration so machine noise hits both sides alike.
  for (let i = 0; i < ITERATIONS; i++) {
    run(gold, GOLD_MIX, times.gold!, i);
    run(corpus, CORPUS_MIX, times.corpus!, i);
    if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const fmt = (n: number) => `${(n * 1000).toFixed(1)} µs`;
  console.log(`engine cost per request (normalize + plan + SQL), ${ITERATIONS} iterations per query, DuckDB/Databricks dialects alternating`);
  for (const [name, t] of Object.entries(times)) {
    const total = stats(t.total);
    const stage = (k: keyof StageTimes) => stats(t[k]).mean / total.mean;
    console.log(
      `  ${name.padEnd(7)} total mean ${fmt(total.mean)}  p50 ${fmt(total.p50)}  p95 ${fmt(total.p95)}  | normalize ${fmt(stats(t.normalize).mean)} (${(stage('normalize') * 100).toFixed(0)}%)` +
        `  plan ${fmt(stats(t.plan).mean)} (${(stage('plan') * 100).toFixed(0)}%)  SQL ${fmt(stats(t.sql).mean)} (${(stage('sql') * 100).toFixed(0)}%)  target ≤ 300 µs: ${total.p50 <= 0.3 ? 'met' : 'NOT met'}`,
    );
  }
  console.log(`  corpus/gold mean ratio (same run): ${(stats(times.corpus!.total).mean / stats(times.gold!.total).mean).toFixed(2)}×`);
  await benchEngine(gold, fmt);
  console.log(`  peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB, heap used ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MiB`);
}

/** Whole engine path of `/v1/sql` (rewrite hook + cache lookup + compile), cached vs uncached, interleaved. */
async function benchEngine(model: SemanticModel, fmt: (n: number) => string): Promise<void> {
  const driver: Driver = { name: 'none', query: async () => ({ columns: [], data: [], rowCount: 0 }), testConnection: async () => {}, close: async () => {} };
  const common = { model, driver, dialect: duckdb, now: () => NOW, queryRewrite: (q: CubeQuery) => q };
  const cached = createEngine(common);
  const uncached = createEngine({ ...common, compileCacheSize: 0 });
  const ctx = { securityContext: { groups: ['internal'], tenant: 't1' }, requestId: 'bench', api: 'internal' as const };
  const warm: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    for (const q of GOLD_MIX) {
      let t = performance.now();
      await cached.sql(q, ctx);
      warm.push(performance.now() - t);
      t = performance.now();
      await uncached.sql(q, ctx);
      cold.push(performance.now() - t);
    }
  }
  const w = stats(warm);
  const c = stats(cold);
  console.log(`engine.sql() per request (queryRewrite + cache lookup [+ compile]), gold mix, interleaved:`);
  console.log(`  cached   mean ${fmt(w.mean)}  p50 ${fmt(w.p50)}  p95 ${fmt(w.p95)}`);
  console.log(`  uncached mean ${fmt(c.mean)}  p50 ${fmt(c.p50)}  p95 ${fmt(c.p95)}   uncached/cached p50 ratio ${(c.p50 / w.p50).toFixed(1)}×`);
}

await main();
