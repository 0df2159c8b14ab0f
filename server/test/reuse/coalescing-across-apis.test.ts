/**
 * Coalescing for every API (reuse/): N identical requests arriving together run one query on the
 * source — over GraphQL (joined in the "Continue wait" registry REST shares), over the SQL API
 * (N real `pg` clients on the Postgres wire, joined in the data source's queue) and across the
 * APIs — and every caller gets the same rows as hand-written SQL on the DuckDB file. Executions
 * are counted by the real DuckDB driver's own calls (a wrapper that counts and holds each query
 * 300 ms, so all requests are in flight together). GraphQL answers "Continue wait" as REST does.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Driver } from '../../src/drivers/driver-types.ts';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { loadModel } from '../../src/model/compile-model.ts';
import { createLogger } from '../../src/observability/create-logger.ts';
import { QueryOrchestrator } from '../../src/reuse/query-orchestrator.ts';
import { createServer, type SemanticServer } from '../../src/server.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { startConfiguredSqlApi } from '../../src/api/sql/start-configured-sql-api.ts';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';
import { corpusDatabase, queryDuckDb } from '../support/stack.ts';

const N = 6;
const HOLD_MS = 300;

let duckdbPath: string;
let real: DuckDbDriver;
let engine: SemanticEngine;
let server: SemanticServer;
let impatient: SemanticServer;
let url: string;
let impatientUrl: string;
let sqlServer: SqlServer;
/** Statements the DuckDB driver was asked to run. */
let executions = 0;

beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  real = await DuckDbDriver.open(duckdbPath);
  const counting: Driver = {
    name: real.name,
    async query(sql, params, options) {
      executions++;
      await new Promise((r) => setTimeout(r, HOLD_MS));
      return real.query(sql, params, options);
    },
    testConnection: () => real.testConnection(),
    close: async () => undefined,
  };
  const model = await loadModel(CORPUS_MODEL_DIR);
  const orchestrator = new QueryOrchestrator({ queue: { concurrency: 4, executionTimeoutMs: 30_000 }, cache: { maxEntries: 100, ttlMs: 600_000 } });
  engine = createEngine({ model, driver: counting, dialect: createDuckDbDialect(), orchestrator });
  const configFor = async (env: Record<string, string>) =>
    loadConfig({
      cwd: await mkdtemp(path.join(os.tmpdir(), 'coalescing-')),
      env: { CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR, CUBEJS_DB_DUCKDB_DATABASE_PATH: duckdbPath, CUBEJS_DEV_MODE: 'true', CUBEJS_LOG_LEVEL: 'silent', ...env },
    });
  const logger = createLogger({ level: 'silent' });
  server = createServer({ config: { ...(await configFor({})), playground: false }, engine, driver: counting, logger });
  url = (await server.listen(0, '127.0.0.1')).url;
  // The same engine behind a server that answers "Continue wait" after 50 ms.
  impatient = createServer({ config: { ...(await configFor({ CUBEJS_CONTINUE_WAIT_TIMEOUT: '0.05' })), playground: false }, engine, driver: counting, logger });
  impatientUrl = (await impatient.listen(0, '127.0.0.1')).url;
  sqlServer = (await startConfiguredSqlApi({ port: 0, host: '127.0.0.1', devMode: true, engine, getModel: () => engine.currentModel() })).server!;
});

afterAll(async () => {
  await sqlServer?.close();
  await server?.close();
  await impatient?.close();
  await real?.close();
});

async function graphql(base: string, query: string): Promise<{ status: number; body: { data?: { cube: Record<string, Record<string, unknown>>[] } | null; errors?: { message: string; extensions?: { code?: string } }[] } }> {
  const res = await fetch(`${base}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as never };
}

async function sqlApi(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: sqlServer.port, user: 'anyone', password: 'any', database: 'db' });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

describe('coalescing of identical requests, every API', () => {
  it(`GraphQL: ${N} identical requests at once run one query, and all get the rows hand SQL gives`, async () => {
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(quantity) AS q FROM ecommerce GROUP BY city ORDER BY city');
    const before = executions;
    const answers = await Promise.all(Array.from({ length: N }, () => graphql(url, '{ cube(orderBy: { eCommerce: { city: asc } }) { eCommerce { city totalQuantity } } }')));
    expect(executions - before).toBe(1);
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data!.cube.map((r) => [r.eCommerce!.city, Number(r.eCommerce!.totalQuantity)])).toEqual(expected.map((r) => [r.city, Number(r.q)]));
    }
  });

  it(`SQL API: ${N} pg clients sending the same statement at once run one query, and all get the rows hand SQL gives`, async () => {
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(profit) AS p FROM ecommerce GROUP BY city ORDER BY city');
    const before = executions;
    const answers = await Promise.all(Array.from({ length: N }, () => sqlApi('SELECT city, MEASURE("totalProfit") AS p FROM "ECommerce" GROUP BY 1 ORDER BY 1')));
    expect(executions - before).toBe(1);
    for (const rows of answers) expect(rows.map((r) => [r.city, Number(r.p)])).toEqual(expected.map((r) => [r.city, Number(r.p)]));
  });

  it('across APIs: the same question over REST, GraphQL and the SQL API at once runs one query', async () => {
    // The SQL API asks without a row limit (so up to CUBEJS_DB_QUERY_LIMIT, 50000); REST and
    // GraphQL ask for the same limit here, so all three are the same query.
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(sales) AS s FROM ecommerce GROUP BY city ORDER BY city');
    const rows = (pairs: unknown[][]) => pairs.map(([city, value]) => [city, Number(Number(value).toFixed(4))]);
    const want = rows(expected.map((r) => [r.city, r.s]));
    const before = executions;
    const [rest, gql, sql] = await Promise.all([
      fetch(`${url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: { measures: ['ECommerce.totalSales'], dimensions: ['ECommerce.city'], order: { 'ECommerce.city': 'asc' }, limit: 50_000 } }) }).then((r) => r.json() as Promise<{ data: Record<string, unknown>[] }>),
      graphql(url, '{ cube(limit: 50000, orderBy: { eCommerce: { city: asc } }) { eCommerce { city totalSales } } }'),
      sqlApi('SELECT city, MEASURE("totalSales") AS s FROM "ECommerce" GROUP BY 1 ORDER BY 1'),
    ]);
    expect(rows(rest.data.map((r) => [r['ECommerce.city'], r['ECommerce.totalSales']]))).toEqual(want);
    expect(rows(gql.body.data!.cube.map((r) => [r.eCommerce!.city, r.eCommerce!.totalSales]))).toEqual(want);
    expect(rows(sql.map((r) => [r.city, r.s]))).toEqual(want);
    expect(executions - before).toBe(1);
  });

  it('GraphQL answers "Continue wait" (status 200) while the query runs; the repeated request picks up the same run', async () => {
    const query = '{ cube(orderBy: { eCommerce: { city: asc } }) { eCommerce { city totalProfit } } }';
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, sum(profit) AS p FROM ecommerce GROUP BY city ORDER BY city');
    const before = executions;
    const first = await graphql(impatientUrl, query);
    expect(first.status).toBe(200);
    expect(first.body.data).toBeNull();
    expect(first.body.errors).toMatchObject([{ message: 'Continue wait', extensions: { code: 'CONTINUE_WAIT' } }]);
    let answer = first;
    for (let i = 0; i < 50 && answer.body.errors?.[0]?.message === 'Continue wait'; i++) answer = await graphql(impatientUrl, query);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.cube.map((r) => [r.eCommerce!.city, Number(r.eCommerce!.totalProfit)])).toEqual(expected.map((r) => [r.city, Number(r.p)]));
    expect(executions - before).toBe(1);
  });
});
