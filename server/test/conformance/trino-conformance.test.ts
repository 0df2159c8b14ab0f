/**
 * Trino dialect conformance on a real Trino 476 server (the engine behind Athena v3): every query
 * of the gold query suite, every pre-aggregation build of model/'s rollups (partition listing,
 * whole build, each partition) and every Cube corpus case is compiled by the real engine twice —
 * Trino dialect against Trino, DuckDB dialect against DuckDB — over the same rows (copied from
 * DuckDB into Trino's memory catalog, types mapped column by column), and the two answers must be
 * equal value by value. Trino is installed by scripts/install-trino.sh (CI runs it); without it the
 * suite fails when CI=true and skips elsewhere, saying what is missing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { Dialect } from '../../src/sql/dialect.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createTrinoDialect } from '../../src/sql/dialects/trino/trino-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { loadModel } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { listRollups, type RunSourceQuery } from '../../src/preagg/refresh-rollups.ts';
import { createSourceQueryRunner } from '../../src/preagg/source-query-runner.ts';
import { modelForRollupBuild, rollupBuildQuery } from '../../src/preagg/rollup-build-query.ts';
import { lambdaTailQuery, type LambdaBoundary } from '../../src/preagg/lambda-boundary.ts';
import { changeStampForBatch, modelWithQueryableStamp } from '../../src/preagg/lambda-rollup.ts';
import { partitionRange } from '../../src/preagg/refresh-schedule.ts';
import { isStandardGranularity } from '../../src/preagg/granularity-math.ts';
import { CASES, ctx as goldContext, NOW as GOLD_NOW } from '../engine/gold-cases.ts';
import { loadGoldDatabase, loadGoldModel } from '../engine/gold-fixture.ts';
import { loadCorpusCases, loadCorpusDatabase, loadCorpusModel } from '../fixtures/cube-corpus.ts';
import { findTrino, startTrino, type TrinoServer } from './trino-server.ts';
import { TrinoHttpDriver } from './trino-http-driver.ts';
import { copyTablesToTrino } from './copy-tables-to-trino.ts';
import { diffRows, rowsOf } from './conformance-rows.ts';
import { addStreamingGold } from './streaming-gold-rows.ts';

const MODEL_DIR = path.resolve(import.meta.dirname, '../../../model');
/** The corpus' relative date ranges resolve against this instant (as in the golden SQL suite). */
const CORPUS_NOW = new Date('2024-05-15T12:00:00Z');
const corpusContext: RequestContext = { securityContext: {}, requestId: 'trino-conformance', api: 'internal' };

const { install, missing } = findTrino();
const onCi = process.env.CI === 'true' || process.env.CI === '1';

/** One engine per side and data set. */
interface Side {
  readonly gold: SemanticEngine;
  readonly corpus: SemanticEngine;
  /** model/ as shipped over the gold fixture: what the rollup builds read. */
  readonly build: RunSourceQuery;
}

let trino: TrinoServer | undefined;
let duckGold: DuckDBInstance;
let duckCorpus: DuckDBInstance;
const drivers: Driver[] = [];
let sides: { duckdb: Side; trino: Side };
const equal = { gold: 0, requests: 0, measures: 0, rollup: 0, corpus: 0 };
let started = 0;
/** Corpus cases the engine refuses on DuckDB too (counted, not compared). */
const notAnswered: string[] = [];

function sideFor(dialect: Dialect, goldDriver: Driver, corpusDriver: Driver, models: { gold: SemanticModel; corpus: SemanticModel }): Side {
  return {
    gold: createEngine({ model: models.gold, driver: goldDriver, dialect, now: () => GOLD_NOW, compileCacheSize: 0 }),
    corpus: createEngine({ model: models.corpus, driver: corpusDriver, dialect, now: () => CORPUS_NOW, compileCacheSize: 0 }),
    build: createSourceQueryRunner({ driver: goldDriver, dialect, compileBuild: compileBuildQuery, now: () => GOLD_NOW }),
  };
}

const shipped = await loadModel(MODEL_DIR);
const goldModel = await loadGoldModel();
const corpus = loadCorpusCases();
/** Cases Cube runs (either planner) with expected rows, errors excluded: the corpus suite's own selection. */
const corpusCases = corpus.cases.filter((c) => (c.runsIn.baseline || c.runsIn.tesseract) && !c.expectsErrorMatching);

/** Cubes of model/ whose gold table the fixture leaves empty (the event stream's facts). */
const NO_FIXTURE_ROWS = new Set(['eventos']);

/**
 * Every public measure of each cube of model/, by month of the cube's first time dimension over the
 * fixture's span: one query for the cube's plain measures, one per multi-stage measure.
 */
function modelMeasureCases(): { name: string; query: CubeQuery }[] {
  const out: { name: string; query: CubeQuery }[] = [];
  for (const cube of Object.values(shipped.cubes)) {
    if (NO_FIXTURE_ROWS.has(cube.name)) continue;
    const td = Object.values(cube.dimensions).find((d) => d.type === 'time' && d.public);
    const measures = Object.values(cube.measures).filter((m) => m.public);
    if (!td || measures.length === 0) continue;
    // Rolling windows need a date range; the other measures read every row.
    const range = measures.some((m) => m.rollingWindow) ? { dateRange: ['2023-12-01', '2025-01-31'] as [string, string] } : {};
    const timeDimensions = [{ dimension: td.path, granularity: 'month', ...range }];
    const plain = measures.filter((m) => !m.multiStage).map((m) => m.path);
    if (plain.length > 0) out.push({ name: `${cube.name}: ${plain.length} measures by ${td.path}.month`, query: { measures: plain, timeDimensions, order: [[td.path, 'asc']] } });
    for (const m of measures.filter((m) => m.multiStage)) out.push({ name: `${cube.name}: multi-stage ${m.path} by ${td.path}.month`, query: { measures: [m.path], timeDimensions, order: [[td.path, 'asc']] } });
  }
  return out;
}

/**
 * model/'s rollups built as preagg/refresh-rollups.ts builds them: the partition listing, the whole
 * build and one build per partition with data (DuckDB's listing; the listing case checks that
 * Trino lists the same partitions); for the batch of a lambda, also the change-stamp query and the
 * tail query the lambda runs on the source.
 */
function rollupCases(): { name: string; builds: () => Promise<{ model: SemanticModel; query: CubeQuery }[]> }[] {
  const out: { name: string; builds: () => Promise<{ model: SemanticModel; query: CubeQuery }[]> }[] = [];
  for (const { cube, rollup } of listRollups(shipped)) {
    const id = `${cube.name}.${rollup.name}`;
    const buildModel = modelForRollupBuild(shipped, cube, rollup);
    const granularity = rollup.partitionGranularity;
    const td = rollup.timeDimensions[0];
    out.push({ name: `${id}: whole build`, builds: async () => [{ model: buildModel, query: rollupBuildQuery(cube, rollup) }] });
    const stamp = changeStampForBatch(shipped, cube, rollup);
    if (stamp) {
      // The batch of a lambda: the latest change stamp (as a build records it) and the tail the lambda
      // reads from the source (buckets after the watermark, plus buckets rewritten after their stamp).
      const stampModel = modelWithQueryableStamp(shipped, cube, stamp);
      const tailModel = modelWithQueryableStamp(buildModel, buildModel.cubes[cube.name] ?? cube, stamp);
      const boundary: LambdaBoundary = {
        watermark: '2024-05-01T10:59:00.000',
        tailStart: '2024-05-01T11:00:00.000',
        changedSince: [{ from: '', stamp: '2024-05-01T09:30:00.000' }, { from: '2024-05-01T10:00:00.000', stamp: '2024-05-01T10:40:00.000' }],
      };
      out.push({ name: `${id}: latest change stamp`, builds: async () => [{ model: stampModel, query: { dimensions: [stamp], filters: [{ member: stamp, operator: 'set' }], order: [[stamp, 'desc']], limit: 1, timezone: 'UTC' } }] });
      out.push({ name: `${id}: lambda tail from the source`, builds: async () => [{ model: tailModel, query: lambdaTailQuery(cube, rollup, boundary, stamp) }] });
    }
    if (!granularity || !isStandardGranularity(granularity) || !td) continue;
    const listing: CubeQuery = { timeDimensions: [{ dimension: td.dimension, granularity }], timezone: rollup.refreshKey?.timezone ?? 'UTC', order: [] };
    out.push({ name: `${id}: partition listing`, builds: async () => [{ model: shipped, query: listing }] });
    out.push({
      name: `${id}: every partition`,
      builds: async () => {
        const listed = await sides.duckdb.build(shipped, listing);
        const keys = (listed.data[0] ?? []).filter((v) => v !== null).map((v) => String(v).slice(0, 19));
        if (keys.length === 0) throw new Error(`${id}: the source lists no partition`);
        return keys.map((key) => ({ model: buildModel, query: rollupBuildQuery(cube, rollup, partitionRange(key, granularity)) }));
      },
    });
  }
  return out;
}

if (!install && !onCi) console.warn(`Trino conformance skipped: ${missing}`);

if (!install && onCi) {
  describe('Trino conformance', () => {
    it('has a Trino server to run on (CI installs it with scripts/install-trino.sh)', () => {
      throw new Error(`Trino conformance cannot run: ${missing}`);
    });
  });
}

describe.skipIf(!install)('Trino conformance: the Trino dialect on a real Trino server equals DuckDB', () => {
  let trinoGold: TrinoHttpDriver;
  let trinoCorpus: TrinoHttpDriver;
  let duckGoldDriver: DuckDbDriver;
  let duckCorpusDriver: DuckDbDriver;

  beforeAll(async () => {
    started = Date.now();
    const starting = startTrino(install!, { heap: '2g' });
    starting.catch(() => undefined); // awaited below; the DuckDB side loads meanwhile
    duckGold = await loadGoldDatabase();
    await addStreamingGold(duckGold);
    duckCorpus = await loadCorpusDatabase();
    trino = await starting;
    trinoGold = new TrinoHttpDriver(trino.url, 'memory', 'gold');
    trinoCorpus = new TrinoHttpDriver(trino.url, 'memory', 'corpus');
    const goldConnection = await duckGold.connect();
    const corpusConnection = await duckCorpus.connect();
    await Promise.all([copyTablesToTrino(goldConnection, trinoGold, 'gold', 'gold'), copyTablesToTrino(corpusConnection, trinoCorpus, 'main', 'corpus')]);
    goldConnection.closeSync();
    corpusConnection.closeSync();
    duckGoldDriver = DuckDbDriver.fromInstance(duckGold);
    duckCorpusDriver = DuckDbDriver.fromInstance(duckCorpus);
    drivers.push(duckGoldDriver, duckCorpusDriver, trinoGold, trinoCorpus);
    const models = { gold: goldModel, corpus: await loadCorpusModel() };
    sides = {
      duckdb: sideFor(createDuckDbDialect(), duckGoldDriver, duckCorpusDriver, models),
      trino: sideFor(createTrinoDialect(), trinoGold, trinoCorpus, models),
    };
    console.info(`Trino ${trino.url} started in ${(trino.startupMillis / 1000).toFixed(1)} s; data copied after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    for (const d of drivers) await d.close();
    duckGold?.closeSync();
    duckCorpus?.closeSync();
    await trino?.stop();
    if (started) {
      console.info(`Trino conformance: ${equal.gold} gold (+${equal.requests} request features), ${equal.measures} model measure queries, ${equal.rollup} rollup builds, ${equal.corpus} corpus cases equal; ${notAnswered.length} corpus cases not answered on DuckDB either (${((Date.now() - started) / 1000).toFixed(1)} s with startup)`);
    }
  });

  describe.concurrent('gold query suite', () => {
    it.for(CASES.map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
      const [want, got] = await Promise.all([sides.duckdb.gold.load(c.query, goldContext), sides.trino.gold.load(c.query, goldContext)]);
      expect(got.results.length).toBe(want.results.length);
      for (const [i, result] of want.results.entries()) {
        expect(rowsOf(result).length).toBeGreaterThan(0);
        expect(diffRows(rowsOf(got.results[i]!), rowsOf(result), { ordered: !c.unordered, approx: c.approx })).toBeUndefined();
      }
      equal.gold += 1;
    });
  });

  describe.concurrent('request features beyond one plain result', () => {
    const cases: { name: string; query: CubeQuery; context: RequestContext }[] = [
      { name: 'compareDateRange: one result per range', context: goldContext,
        query: { measures: ['fato_vendas.count', 'fato_vendas.vendas_liquidas'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'week', compareDateRange: [['2024-01-01', '2024-01-31'], 'last quarter'] }] } },
      { name: 'total: the un-limited row count beside a limited page', context: goldContext,
        query: { measures: ['fato_vendas.vendas_brutas'], dimensions: ['fato_vendas.pedido_id'], order: [['fato_vendas.pedido_id', 'asc']], limit: 3, offset: 2, total: true } },
      { name: 'time zone with daylight saving (America/New_York, both 2024 transitions), by hour', context: goldContext,
        query: { measures: ['fato_vendas.count'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'hour', dateRange: ['2024-03-01', '2024-11-30'] }], timezone: 'America/New_York' } },
      { name: 'half-hour zone (Asia/Kolkata), by week, with a date-only range in local time', context: goldContext,
        query: { measures: ['fato_vendas.count', 'fato_vendas.vendas_brutas'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'week', dateRange: ['2024-02-01', '2024-06-30'] }], timezone: 'Asia/Kolkata' } },
      { name: 'a DATE column by quarter in a zone west of UTC (dim_cliente.data_cadastro)', context: goldContext,
        query: { measures: ['clientes_teste.count'], timeDimensions: [{ dimension: 'clientes_teste.data_cadastro', granularity: 'quarter' }], timezone: 'America/Los_Angeles' } },
      { name: 'row-level security: a store manager sees only the rows of the stores in the token (bound parameters)', context: { ...goldContext, securityContext: { groups: ['gerente_loja'], lojas: ['L001', 'L002'] } },
        query: { measures: ['fato_vendas.count', 'fato_vendas.vendas_liquidas'], dimensions: ['fato_vendas.origem'], order: [['fato_vendas.origem', 'asc']] } },
    ];
    it.for(cases.map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
      const [want, got] = await Promise.all([sides.duckdb.gold.load(c.query, c.context), sides.trino.gold.load(c.query, c.context)]);
      expect(got.results.length).toBe(want.results.length);
      for (const [i, result] of want.results.entries()) {
        expect(result.rowCount).toBeGreaterThan(0);
        expect(got.results[i]!.total).toBe(result.total);
        expect(diffRows(rowsOf(got.results[i]!), rowsOf(result), { ordered: true })).toBeUndefined();
      }
      equal.requests += 1;
    });
  });

  describe.concurrent('every measure of model/ by month over the gold fixture', () => {
    it.for(modelMeasureCases().map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
      const [want, got] = await Promise.all([sides.duckdb.gold.load(c.query, goldContext), sides.trino.gold.load(c.query, goldContext)]);
      const wanted = rowsOf(want.results[0]!);
      expect(wanted.length).toBeGreaterThan(0);
      expect(diffRows(rowsOf(got.results[0]!), wanted, { ordered: true })).toBeUndefined();
      equal.measures += 1;
    });
  });

  describe.concurrent("model/'s rollup builds", () => {
    it.for(rollupCases().map((c) => [c.name, c] as const))('%s', async ([, c], { expect }) => {
      const builds = await c.builds();
      let rows = 0;
      for (const { model, query } of builds) {
        const [want, got] = await Promise.all([sides.duckdb.build(model, query), sides.trino.build(model, query)]);
        expect(diffRows(rowsOf(got), rowsOf(want), { ordered: false })).toBeUndefined();
        rows += want.rowCount;
      }
      expect(rows).toBeGreaterThan(0);
      equal.rollup += builds.length;
    });
  });

  describe.concurrent('Cube corpus cases', () => {
    it.for(corpusCases.map((c) => [c.name, c] as const))('%s', async ([, c], { expect, skip }) => {
      const query = c.query as CubeQuery;
      // Cases the engine does not answer on DuckDB either (Tesseract-only features) have nothing to compare.
      const want = await sides.duckdb.corpus.load(query, corpusContext).catch((error: unknown) => {
        notAnswered.push(`${c.name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        return undefined;
      });
      if (!want) return skip();
      const got = await sides.trino.corpus.load(query, corpusContext);
      expect(got.results.length).toBe(want.results.length);
      for (const [i, result] of want.results.entries()) {
        const approx = result.columns.map((col) => col.name).filter((name) => /countApprox/i.test(name));
        expect(diffRows(rowsOf(got.results[i]!), rowsOf(result), { ordered: true, approx })).toBeUndefined();
      }
      equal.corpus += 1;
    });
  });

  // Engine semantics the suite found, pinned (server/src/sql/README.md, "Engine semantics").
  describe('engine semantics where Trino and DuckDB differ', () => {
    it('Trino divides integers as integers and DECIMALs at a fixed scale: the model casts ratios to DOUBLE', async () => {
      const sql = `SELECT CAST(445.00 AS DECIMAL(18,2)) / 18, 1.0 * 1 / 6, 7 / 2, CAST(1 AS DOUBLE) / 6`;
      const trinoSays = await trinoGold.query(sql, []);
      expect(trinoSays.data.map((c) => c[0])).toEqual(['24.72', '0.2', 3, 1 / 6]);
      const duckSays = await duckGoldDriver.query(sql, []);
      expect(duckSays.data.map((c) => Number(c[0]))).toEqual([445 / 18, 1 / 6, 3.5, 1 / 6]);
    });

    it("Trino's avg of a DECIMAL keeps the column's scale: the dialect averages it as DOUBLE", async () => {
      const raw = await trinoGold.query(`SELECT avg(preco_unitario), avg(CAST(preco_unitario AS DOUBLE)), sum(preco_unitario) / count(preco_unitario) FROM gold.fato_vendas WHERE produto_sk = 1`, []);
      const [rounded, exact, ratio] = raw.data.map((c) => c[0]);
      expect(rounded).toMatch(/^\d+\.\d{2}$/);
      expect(Number(exact)).not.toBe(Number(rounded));
      expect(Number(exact)).toBeCloseTo(Number(ratio), 1);
      const viaEngine = await sides.trino.gold.load({ measures: ['vendas_teste.preco_medio'], filters: [{ member: 'dim_produto.nome', operator: 'equals', values: ['Camiseta Azul'] }] }, goldContext);
      expect(Number(viaEngine.results[0]!.data[0]![0])).toBe(Number(exact));
    });

    it('count_distinct_approx is each engine\'s own estimate: Trino is exact on small sets, DuckDB\'s HyperLogLog can be off (compared within 20 %)', async () => {
      const sql = (f: string) => `SELECT count(DISTINCT order_id), ${f}(order_id) FROM bigecommerce WHERE order_date >= DATE '2020-11-01' AND order_date < DATE '2021-01-01'`;
      const t = await trinoCorpus.query(sql('approx_distinct'), []);
      const d = await duckCorpusDriver.query(sql('approx_count_distinct'), []);
      const exact = Number(t.data[0]![0]);
      expect(Number(d.data[0]![0])).toBe(exact);
      expect(Number(t.data[1]![0])).toBe(exact);
      const estimate = Number(d.data[1]![0]);
      expect(estimate).not.toBe(exact);
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(0.2 * exact);
    });
  });
});
