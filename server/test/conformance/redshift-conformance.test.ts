/**
 * Redshift dialect conformance: the gold query suite (gold fixture, repository model), Cube's
 * corpus cases and the golden queries, compiled with the Redshift dialect and executed through
 * the Redshift driver (`pg` over TCP + TLS + SCRAM) by a real Postgres server standing in for
 * Redshift where the two agree; every answer equals DuckDB's engine answer value by value (numbers
 * to 6 decimals, approximate distinct counts within 10 %). Where Redshift and Postgres differ the
 * bridge is in support/redshift-stand-in.ts and each difference is pinned by a test below
 * (server/src/sql/README.md, "Redshift").
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { RedshiftDriver } from '../../src/drivers/redshift-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createRedshiftDialect } from '../../src/sql/dialects/redshift/redshift-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { LoadResult, RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import type { QueryResult } from '../../src/drivers/driver-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { loadModel } from '../../src/model/compile-model.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import { listRollups, type RunSourceQuery } from '../../src/preagg/refresh-rollups.ts';
import { createSourceQueryRunner } from '../../src/preagg/source-query-runner.ts';
import { modelForRollupBuild, rollupBuildQuery } from '../../src/preagg/rollup-build-query.ts';
import { partitionRange } from '../../src/preagg/refresh-schedule.ts';
import { isStandardGranularity } from '../../src/preagg/granularity-math.ts';
import { UserError } from '../../src/errors/user-error.ts';
import { loadGoldDatabase, loadGoldModel } from '../engine/gold-fixture.ts';
import { CASES, ctx as goldCtx, normalize, NOW as GOLD_NOW, rows } from '../engine/gold-cases.ts';
import { loadCorpusCases, loadCorpusDatabase, loadCorpusModel } from '../fixtures/cube-corpus.ts';
import { GOLDEN_QUERIES } from '../sql/golden-queries.ts';
import { bridged, bridgeUse, startStandInPostgres, TEXT_BRIDGES, type StandInPostgres } from './support/redshift-stand-in.ts';
import { copyDuckDbTables } from './support/copy-duckdb-tables.ts';
import { addStreamingGold } from './streaming-gold-rows.ts';
import { startStack } from '../support/stack.ts';

const corpusCtx: RequestContext = { securityContext: {}, requestId: 'redshift-conformance', api: 'internal' };
const GOLDEN_NOW = new Date('2024-05-15T12:00:00Z');

let server: StandInPostgres;
let goldDuck: DuckDBInstance;
let corpusDuck: DuckDBInstance;
const drivers: { close(): Promise<void> }[] = [];
const engines = {} as Record<'goldDuck' | 'goldRedshift' | 'corpusDuck' | 'corpusRedshift' | 'goldenDuck' | 'goldenRedshift', SemanticEngine>;
const counts = { gold: 0, measures: 0, rollupBuilds: 0, corpus: 0, golden: 0, corpusErrors: 0, tiedOrder: 0 };
const builds = {} as Record<'duck' | 'redshift', RunSourceQuery>;

function redshiftDriver(overrides: Partial<ConstructorParameters<typeof RedshiftDriver>[0]> = {}): RedshiftDriver {
  const driver = new RedshiftDriver({
    host: server.host, port: server.port, database: server.database, user: server.user, password: server.password,
    // The stand-in's certificate is self-signed; a test below shows verification is on by default.
    ssl: { rejectUnauthorized: false },
    ...overrides,
  });
  drivers.push(driver);
  return driver;
}

beforeAll(async () => {
  server = await startStandInPostgres();
  goldDuck = await loadGoldDatabase();
  await addStreamingGold(goldDuck);
  corpusDuck = await loadCorpusDatabase();
  const goldDriver = DuckDbDriver.fromInstance(goldDuck);
  const corpusDriver = DuckDbDriver.fromInstance(corpusDuck);
  drivers.push(goldDriver, corpusDriver);
  const admin = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
  await admin.connect();
  try {
    await copyDuckDbTables(goldDriver, admin, ['gold']);
    await copyDuckDbTables(corpusDriver, admin, ['main']);
  } finally {
    await admin.end();
  }
  const source = bridged(redshiftDriver());
  const goldModel = await loadGoldModel();
  const corpusModel = await loadCorpusModel();
  builds.duck = createSourceQueryRunner({ driver: goldDriver, dialect: createDuckDbDialect(), compileBuild: compileBuildQuery, now: () => GOLD_NOW });
  builds.redshift = createSourceQueryRunner({ driver: source, dialect: createRedshiftDialect(), compileBuild: compileBuildQuery, now: () => GOLD_NOW });
  engines.goldDuck = createEngine({ model: goldModel, driver: goldDriver, dialect: createDuckDbDialect(), now: () => GOLD_NOW });
  engines.goldRedshift = createEngine({ model: goldModel, driver: source, dialect: createRedshiftDialect(), now: () => GOLD_NOW });
  engines.corpusDuck = createEngine({ model: corpusModel, driver: corpusDriver, dialect: createDuckDbDialect() });
  engines.corpusRedshift = createEngine({ model: corpusModel, driver: source, dialect: createRedshiftDialect() });
  engines.goldenDuck = createEngine({ model: corpusModel, driver: corpusDriver, dialect: createDuckDbDialect(), now: () => GOLDEN_NOW });
  engines.goldenRedshift = createEngine({ model: corpusModel, driver: source, dialect: createRedshiftDialect(), now: () => GOLDEN_NOW });
});

afterAll(async () => {
  console.info(
    `Redshift conformance on Postgres: gold cases equal ${counts.gold}/${CASES.length}, model measure queries equal ${counts.measures}/${measureCases.length},` +
      ` rollup build queries equal ${counts.rollupBuilds}, corpus cases equal ${counts.corpus}` +
      ` (+${counts.corpusErrors} refused by both), golden queries equal ${counts.golden}/${Object.keys(GOLDEN_QUERIES).length}` +
      ` (${counts.tiedOrder} of them equal up to the order of tied rows);` +
      ` text bridges used: ${[...bridgeUse].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`,
  );
  for (const d of drivers.splice(0)) await d.close().catch(() => undefined);
  goldDuck?.closeSync();
  corpusDuck?.closeSync();
  server?.stop();
});

const sorted = (list: Record<string, unknown>[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const APPROX = /countApprox|rollingCountApprox|_aprox$/;

/**
 * DuckDB's HyperLogLog is the estimate here (the stand-in counts exactly): on the fixtures' small
 * sets it is off by up to 2 or 20 %, the tolerance the corpus README gives for approximate counts.
 */
function comparable(list: Record<string, unknown>[], approxKeys: readonly string[] = []): Record<string, unknown>[] {
  return normalize(list).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) =>
      [k, approxKeys.includes(k) && typeof v === 'number' ? expect.toSatisfy((x: number) => Math.abs(x - v) <= Math.max(2, 0.2 * v)) : v])),
  );
}

/** The members a query orders by explicitly (object or array form). */
function orderKeys(query: CubeQuery): string[] {
  const order = (query as { order?: Record<string, string> | [string, string][] }).order;
  if (!order) return [];
  return Array.isArray(order) ? order.map(([k]) => k) : Object.keys(order);
}

/**
 * Equal value by value and in the same order; when the query's order leaves ties (or no order),
 * rows may come in another order: then equal as multisets, and equal in the ordered members'
 * sequence. Returns whether the row order itself was equal.
 */
function expectSameAnswer(got: LoadResult, want: LoadResult, query: CubeQuery): 'ordered' | 'tied' {
  const wantRows = rows(want);
  const approx = Object.keys(wantRows[0] ?? {}).filter((k) => APPROX.test(k));
  const g = normalize(rows(got));
  const w = comparable(wantRows, approx);
  expect(g.length).toBe(w.length);
  try {
    expect(g).toEqual(w);
    return 'ordered';
  } catch {
    expect(sorted(g)).toEqual(sorted(normalize(wantRows)).map((r) => comparable([r], approx)[0]));
    const keys = orderKeys(query);
    const project = (list: Record<string, unknown>[]) => list.map((r) => keys.map((k) => r[k]));
    expect(project(g)).toEqual(project(normalize(wantRows)));
    return 'tied';
  }
}

async function both(duck: SemanticEngine, redshift: SemanticEngine, query: CubeQuery, context: RequestContext) {
  const [want, got] = await Promise.all([duck.load(query, context), redshift.load(query, context)]);
  return { want: want.results[0] as LoadResult, got: got.results[0] as LoadResult };
}

describe('gold query suite: Redshift dialect on Postgres equals DuckDB', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { want, got } = await both(engines.goldDuck, engines.goldRedshift, c.query, goldCtx);
    expect(want.rowCount).toBeGreaterThan(0);
    if (expectSameAnswer(got, want, c.query) === 'tied') counts.tiedOrder += 1;
    expect(got.columns.map((col) => col.name)).toEqual(want.columns.map((col) => col.name));
    counts.gold += 1;
  });
});

/** Cubes whose gold table the fixture leaves empty (the event stream's facts). */
const EMPTY_IN_FIXTURE = new Set(['eventos']);

/**
 * Every public measure of every cube of the gold model (model/ plus the test extras), by month of
 * the cube's first public time dimension: one query per cube for its plain measures, one per
 * multi-stage measure (a rolling window gets the fixture's span as its date range).
 */
function modelMeasureQueries(model: SemanticModel): { name: string; query: CubeQuery }[] {
  const out: { name: string; query: CubeQuery }[] = [];
  for (const cube of Object.values(model.cubes)) {
    const time = Object.values(cube.dimensions).find((d) => d.type === 'time' && d.public);
    const measures = Object.values(cube.measures).filter((m) => m.public);
    if (EMPTY_IN_FIXTURE.has(cube.name) || !time || measures.length === 0) continue;
    const td = { dimension: time.path, granularity: 'month', ...(measures.some((m) => m.rollingWindow) ? { dateRange: ['2023-12-01', '2025-01-31'] as [string, string] } : {}) };
    const plain = measures.filter((m) => !m.multiStage).map((m) => m.path);
    if (plain.length > 0) out.push({ name: `${cube.name}: ${plain.length} measures by month`, query: { measures: plain, timeDimensions: [td], order: [[time.path, 'asc']] } });
    for (const m of measures.filter((x) => x.multiStage)) out.push({ name: `${cube.name}: ${m.path} by month`, query: { measures: [m.path], timeDimensions: [td], order: [[time.path, 'asc']] } });
  }
  return out;
}

const measureCases = modelMeasureQueries(await loadGoldModel());

describe('every measure of the gold model: Redshift dialect on Postgres equals DuckDB', () => {
  it('has a query per cube', () => expect(measureCases.length).toBeGreaterThan(5));

  it.each(measureCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { want, got } = await both(engines.goldDuck, engines.goldRedshift, c.query, goldCtx);
    expect(want.rowCount).toBeGreaterThan(0);
    if (expectSameAnswer(got, want, c.query) === 'tied') counts.tiedOrder += 1;
    counts.measures += 1;
  });
});

const shipped = await loadModel(path.resolve(import.meta.dirname, '../../../model'));

/**
 * model/'s rollups as the refresh builds them (preagg/refresh-rollups.ts): the partition listing,
 * the whole build and each partition DuckDB lists, from model/ as shipped.
 */
function rollupBuildCases(): { name: string; queries: () => Promise<{ model: SemanticModel; query: CubeQuery }[]> }[] {
  const out: { name: string; queries: () => Promise<{ model: SemanticModel; query: CubeQuery }[]> }[] = [];
  for (const { cube, rollup } of listRollups(shipped)) {
    const id = `${cube.name}.${rollup.name}`;
    const model = modelForRollupBuild(shipped, cube, rollup);
    out.push({ name: `${id}: whole build`, queries: async () => [{ model, query: rollupBuildQuery(cube, rollup) }] });
    const granularity = rollup.partitionGranularity;
    const td = rollup.timeDimensions[0];
    if (!granularity || !isStandardGranularity(granularity) || !td) continue;
    const listing: CubeQuery = { timeDimensions: [{ dimension: td.dimension, granularity }], timezone: rollup.refreshKey?.timezone ?? 'UTC', order: [] };
    out.push({ name: `${id}: partition listing`, queries: async () => [{ model: shipped, query: listing }] });
    out.push({
      name: `${id}: every partition`,
      queries: async () => {
        const listed = await builds.duck(shipped, listing);
        const keys = (listed.data[0] ?? []).filter((v) => v !== null).map((v) => String(v).slice(0, 19));
        expect(keys.length).toBeGreaterThan(0);
        return keys.map((key) => ({ model, query: rollupBuildQuery(cube, rollup, partitionRange(key, granularity)) }));
      },
    });
  }
  return out;
}

describe("model/'s rollup build queries: Redshift dialect on Postgres equals DuckDB (rows as multisets)", () => {
  const cases = rollupBuildCases();
  it('has rollups to build', () => expect(cases.length).toBeGreaterThan(5));

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    let rowsSeen = 0;
    for (const { model, query } of await c.queries()) {
      const [want, got] = await Promise.all([builds.duck(model, query), builds.redshift(model, query)]);
      expect(got.columns.map((col) => col.name)).toEqual(want.columns.map((col) => col.name));
      const approx = want.columns.map((col) => col.name).filter((k) => APPROX.test(k));
      expect(sorted(normalize(rows(got)))).toEqual(sorted(normalize(rows(want))).map((r) => comparable([r], approx)[0]));
      rowsSeen += want.rowCount;
      counts.rollupBuilds += 1;
    }
    expect(rowsSeen).toBeGreaterThan(0);
  });
});

const { cases: corpusCases } = loadCorpusCases();
const runnable = corpusCases.filter((c) => (c.runsIn.baseline || c.runsIn.tesseract) && !c.expectsErrorMatching);

describe('Cube corpus cases: Redshift dialect on Postgres equals DuckDB', () => {
  it('has the corpus cases', () => expect(runnable.length).toBeGreaterThan(50));

  it.each(runnable.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const duck = await engines.corpusDuck.load(c.query, corpusCtx).then((r) => r.results[0] as LoadResult, (e: unknown) => e as Error);
    const redshift = await engines.corpusRedshift.load(c.query, corpusCtx).then((r) => r.results[0] as LoadResult, (e: unknown) => e as Error);
    if (duck instanceof Error) {
      // A query the engine refuses is refused the same way whatever the dialect.
      expect(redshift).toBeInstanceOf(Error);
      expect((redshift as Error).message).toBe(duck.message);
      counts.corpusErrors += 1;
      return;
    }
    if (redshift instanceof Error) throw redshift;
    if (expectSameAnswer(redshift, duck, c.query as CubeQuery) === 'tied') counts.tiedOrder += 1;
    counts.corpus += 1;
  });
});

describe('golden queries: Redshift dialect on Postgres equals DuckDB', () => {
  it.each(Object.entries(GOLDEN_QUERIES))('%s', async (_name, query) => {
    const { want, got } = await both(engines.goldenDuck, engines.goldenRedshift, query, corpusCtx);
    if (expectSameAnswer(got, want, query) === 'tied') counts.tiedOrder += 1;
    counts.golden += 1;
  });
});

describe('Redshift vs Postgres vs DuckDB: differences pinned', () => {
  it('every text bridge was needed by the suites above (the dialect emits the Redshift forms)', () => {
    for (const bridge of TEXT_BRIDGES) expect(bridgeUse.get(bridge.name) ?? 0, bridge.name).toBeGreaterThan(0);
  });

  it('integer division truncates on Redshift/Postgres and not on DuckDB: model SQL must cast to divide exactly', async () => {
    const pgAnswer = await redshiftDriver().query('SELECT 7 / 2 AS q, 7 / CAST(2 AS DOUBLE PRECISION) AS exact', []);
    const duckAnswer = await DuckDbDriver.fromInstance(goldDuck).query('SELECT 7 / 2 AS q, 7 / CAST(2 AS DOUBLE) AS exact', []);
    expect([pgAnswer.data[0]![0], pgAnswer.data[1]![0]]).toEqual([3, 3.5]);
    expect([duckAnswer.data[0]![0], duckAnswer.data[1]![0]]).toEqual([3.5, 3.5]);
  });

  it('avg casts its argument to FLOAT8 (DOUBLE PRECISION) (Redshift AVG of an integer is a BIGINT, of a DECIMAL keeps its scale)', async () => {
    const query: CubeQuery = { measures: ['vendas_teste.preco_medio'] };
    const sql = (await engines.goldRedshift.sql(query, goldCtx))[0]!.sql[0];
    expect(sql).toMatch(/avg\(CAST\(.* AS FLOAT8\)\)/);
    const { want, got } = await both(engines.goldDuck, engines.goldRedshift, query, goldCtx);
    expect(normalize(rows(got))).toEqual(normalize(rows(want)));
  });

  it('local time is CONVERT_TIMEZONE from UTC, calendar steps are DATEADD, approximate counts APPROXIMATE COUNT(DISTINCT)', async () => {
    const sql = (await engines.goldRedshift.sql({
      measures: ['vendas_teste.pedidos_aprox', 'vendas_teste.unidades_7d'],
      timeDimensions: [{ dimension: 'vendas_teste.data_venda', granularity: 'week', dateRange: ['2024-03-04', '2024-03-31'] }],
      timezone: 'America/Sao_Paulo',
    }, goldCtx))[0]!.sql[0];
    expect(sql).toContain("CONVERT_TIMEZONE('UTC', 'America/Sao_Paulo', ");
    expect(sql).toMatch(/DATEADD\(day, -7, /);
    expect(sql).toContain('APPROXIMATE COUNT(DISTINCT ');
    expect(sql).not.toMatch(/\bVALUES\b|\bFILTER \(|DISTINCT FROM|`|\?/);
  });

  it('the driver asks for case-sensitive identifiers (Redshift folds quoted names otherwise); Postgres refuses the setting and keeps case anyway', async () => {
    const marker = `case_probe_${Date.now()}`;
    const result = await redshiftDriver().query(`SELECT 1 AS "MixedCase", '${marker}' AS marker`, []);
    expect(result.columns[0]!.name).toBe('MixedCase');
    const log = await readFile(server.logFile, 'utf8');
    expect(log).toContain('SET enable_case_sensitive_identifier TO true');
    expect(log).toMatch(/unrecognized configuration parameter "enable_case_sensitive_identifier"/);
    expect(log).toContain(marker);
  });
});

describe('Redshift driver at the wire', () => {
  it('binds parameters and returns the QueryResult contract (int8 and numeric as text, times as local ISO)', async () => {
    const result = await redshiftDriver().query(
      `SELECT CAST($1 AS BIGINT) AS big, CAST($2 AS DECIMAL(18,2)) AS dec, CAST($3 AS TIMESTAMP) AS ts, CAST($4 AS DATE) AS d,
              $5 = 'o''brien' AS same, 2.5::float8 AS f, 7 AS i, NULL::text AS n, count(*) AS c`,
      ['9007199254740993', '12.30', '2024-02-29 23:59:59.5', '2024-03-01', "o'brien"],
    );
    expect(result.columns.map((c) => c.type)).toEqual(['integer', 'decimal', 'time', 'date', 'boolean', 'number', 'integer', 'string', 'integer']);
    expect(result.data.map((c) => c[0])).toEqual(['9007199254740993', '12.30', '2024-02-29T23:59:59.500', '2024-03-01T00:00:00.000', true, 2.5, 7, null, '1']);
    const duck = await DuckDbDriver.fromInstance(goldDuck).query('SELECT count(*) AS c, CAST(7 AS INTEGER) AS i', []);
    expect([duck.data[0]![0], duck.data[1]![0]]).toEqual(['1', 7]);
  });

  it('TLS is on and the server certificate is verified unless told otherwise', async () => {
    const tls = await redshiftDriver().query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', []);
    expect(tls.data[0]![0]).toBe(true);
    const verifying = redshiftDriver({ ssl: true });
    const error = await verifying.query('SELECT 1', []).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('SOURCE_UNREACHABLE');
    expect((error as UserError).message).toMatch(/self[- ]signed/i);
  });

  it('a wrong password is SOURCE_UNREACHABLE naming the variables to check', async () => {
    const error = await redshiftDriver({ password: 'wrong' }).query('SELECT 1', []).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('SOURCE_UNREACHABLE');
    expect((error as UserError).hint).toContain('CUBEJS_DB_PASS');
  });

  it('a SQL error is SOURCE_ERROR with its SQLSTATE and the SQL', async () => {
    const error = await redshiftDriver().query('SELECT * FROM gold.no_such_table', []).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('SOURCE_ERROR');
    expect((error as UserError).message).toMatch(/SQLSTATE 42P01[\s\S]*SQL: SELECT \* FROM gold.no_such_table/);
  });

  it('an aborted signal cancels the running statement on the server', async () => {
    const driver = redshiftDriver({ maxPool: 1 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const error = await driver.query('SELECT pg_sleep(20)', [], { signal: controller.signal }).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('QUERY_CANCELLED');
    expect(Date.now() - started).toBeLessThan(5000);
    // The session is usable again (the pool has one).
    expect((await driver.query('SELECT 1 AS one', [])).data[0]![0]).toBe(1);
  });

  const collect = async (chunks: AsyncIterable<QueryResult>) => {
    const sizes: number[] = [];
    const values: unknown[] = [];
    let columns: QueryResult['columns'] = [];
    for await (const chunk of chunks) {
      sizes.push(chunk.rowCount);
      columns = chunk.columns;
      values.push(...(chunk.data[0] ?? []));
    }
    return { sizes, values, columns };
  };

  it('streams a large result in chunks read from a server-side portal, with bound parameters and the same values as query', async () => {
    const driver = redshiftDriver({ maxPool: 1 });
    const sql = 'SELECT g AS n, CAST(g AS TEXT) AS s FROM generate_series(1, $1::int) g ORDER BY g';
    const streamed = await collect(driver.stream(sql, [25_001]));
    expect(streamed.sizes).toEqual([10_000, 10_000, 5_001]);
    expect(streamed.columns).toEqual([{ name: 'n', type: 'integer' }, { name: 's', type: 'string' }]);
    expect(streamed.values).toEqual(Array.from({ length: 25_001 }, (_, i) => i + 1));
    // An empty result still gives its columns, once.
    const empty = await collect(driver.stream(sql, [0]));
    expect(empty.sizes).toEqual([0]);
    expect(empty.columns.map((c) => c.name)).toEqual(['n', 's']);
    expect((await driver.query('SELECT 1 AS one', [])).data[0]![0]).toBe(1);
  });

  it('leaving a stream early ends its statement on the server and the session serves the next query', async () => {
    const driver = redshiftDriver({ maxPool: 1 });
    for await (const chunk of driver.stream('SELECT g FROM generate_series(1, 3000000) g', [])) {
      expect(chunk.rowCount).toBe(10_000);
      break;
    }
    const admin = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await admin.connect();
    try {
      const running = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%generate_series(1, 3000000)%' AND state = 'active' AND pid <> pg_backend_pid()`);
      expect(running.rows[0].n).toBe(0);
    } finally {
      await admin.end();
    }
    expect((await driver.query('SELECT 2 AS two', [])).data[0]![0]).toBe(2);
  });

  it('a SQL error in a stream is SOURCE_ERROR with its SQLSTATE, and a cancelled stream QUERY_CANCELLED', async () => {
    const driver = redshiftDriver({ maxPool: 1 });
    const error = await collect(driver.stream('SELECT 1 / (g - 5) FROM generate_series(1, 10) g', [])).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('SOURCE_ERROR');
    expect((error as UserError).message).toMatch(/SQLSTATE 22012/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const cancelled = await collect(driver.stream('SELECT pg_sleep(20)', [], { signal: controller.signal })).catch((e: unknown) => e);
    expect((cancelled as UserError).code).toBe('QUERY_CANCELLED');
    expect((await driver.query('SELECT 3 AS three', [])).data[0]![0]).toBe(3);
  });
});

describe('CUBEJS_DB_TYPE=redshift end to end (environment → config → driver and dialect → engine)', () => {
  it('the stack main.ts builds from Cube\'s variables answers from the Redshift source like DuckDB', async () => {
    const stack = await startStack({
      data: 'gold',
      env: {
        CUBEJS_DB_TYPE: 'redshift', CUBEJS_DB_HOST: server.host, CUBEJS_DB_PORT: String(server.port), CUBEJS_DB_NAME: server.database,
        CUBEJS_DB_USER: server.user, CUBEJS_DB_PASS: server.password, CUBEJS_DB_SSL: 'true', CUBEJS_DB_SSL_REJECT_UNAUTHORIZED: 'false',
      },
    });
    try {
      expect(stack.driver.name).toBe('redshift');
      const query: CubeQuery = { measures: ['fato_vendas.vendas_liquidas', 'fato_vendas.pedidos'], dimensions: ['dim_canal.nome'], timeDimensions: [{ dimension: 'fato_vendas.data_venda', granularity: 'quarter', dateRange: ['2024-01-01', '2024-12-31'] }], order: { 'dim_canal.nome': 'asc' }, timezone: 'America/Sao_Paulo' };
      const got = (await stack.engine.load(query, goldCtx)).results[0] as LoadResult;
      const want = (await engines.goldDuck.load(query, goldCtx)).results[0] as LoadResult;
      expect(got.dbType).toBe('redshift');
      expect(got.rowCount).toBeGreaterThan(4);
      expectSameAnswer(got, want, query);
    } finally {
      await stack.close();
    }
  });
});
