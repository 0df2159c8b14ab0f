/**
 * The REST API in-process over the real stack (model compiler, engine, DuckDB) on Cube's corpus
 * data: response shapes as Cube's gateway writes them, values checked against SQL written here.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';

let stack: Stack;
let duckdbPath: string;

beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

const countByCity = { measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], order: { 'ECommerce.city': 'asc' } };

describe('/cubejs-api/v1/load', () => {
  it("answers a GET with Cube's single-result shape and rows equal to hand-written SQL", async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    for (const key of ['query', 'data', 'annotation', 'lastRefreshTime', 'usedPreAggregations', 'dataSource', 'dbType', 'external', 'slowQuery', 'total']) {
      expect(res.body).toHaveProperty(key);
    }
    const expected = await queryDuckDb(duckdbPath, 'SELECT city, count(customer_id) AS n FROM ecommerce GROUP BY city ORDER BY city');
    expect(res.body.data.map((r: Record<string, unknown>) => [r['ECommerce.city'], Number(r['ECommerce.count'])])).toEqual(
      expected.map((r) => [r.city, Number(r.n)]),
    );
    expect(res.body.annotation.measures['ECommerce.count']).toMatchObject({ type: 'number' });
    expect(res.body.annotation.dimensions['ECommerce.city']).toMatchObject({ type: 'string' });
  });

  it('answers a HEAD as it answers the GET, headers without the body', async () => {
    // The length of the answer a GET would send: two answers differ by their dev-mode timings only,
    // which list more stages when a new second starts between them (the compile stages' key holds
    // "now" to the second), so a pair that straddles a second is taken again.
    let get!: request.Response;
    let head!: request.Response;
    for (let attempt = 0; attempt < 3; attempt++) {
      get = await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) });
      head = await request(stack.server.app).head('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) });
      if (Math.abs(Number(head.headers['content-length']) - Number(get.headers['content-length'])) < 20) break;
    }
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(Math.abs(Number(head.headers['content-length']) - Number(get.headers['content-length']))).toBeLessThan(20);
    expect(head.text ?? '').toBe('');
    expect((await request(stack.server.app).head('/cubejs-api/v1/load')).status).toBe(400);
  });

  it('answers a POST {query, queryType: multi} with results[], queryType and pivotQuery', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: countByCity, queryType: 'multi' });
    expect(res.status).toBe(200);
    expect(res.body.queryType).toBe('regularQuery');
    expect(res.body.results).toHaveLength(1);
    expect(res.body.pivotQuery).toMatchObject({ queryType: 'regularQuery', measures: ['ECommerce.count'] });
    expect(res.body.results[0].data.length).toBeGreaterThan(0);
  });

  it('returns the time dimension under both keys as a local ISO string', async () => {
    const query = {
      measures: ['ECommerce.totalQuantity'],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-03-31'] }],
    };
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query });
    expect(res.status).toBe(200);
    const expected = await queryDuckDb(
      duckdbPath,
      "SELECT strftime(date_trunc('month', order_date), '%Y-%m-%dT%H:%M:%S.000') AS m, sum(quantity) AS q FROM ecommerce WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-03-31' GROUP BY 1 ORDER BY 1",
    );
    expect(res.body.data).toEqual(
      expected.map((r) => ({ 'ECommerce.orderDate.month': r.m, 'ECommerce.orderDate': r.m, 'ECommerce.totalQuantity': expect.anything() })),
    );
    expect(res.body.data.map((r: Record<string, unknown>) => Number(r['ECommerce.totalQuantity']))).toEqual(expected.map((r) => Number(r.q)));
  });

  it('counts total rows when asked, independent of the limit', async () => {
    const query = { dimensions: ['Customers.customerId'], limit: 5, total: true };
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query });
    const [{ n }] = await queryDuckDb(duckdbPath, 'SELECT count(DISTINCT customer_id) AS n FROM customers');
    expect(res.body.data).toHaveLength(5);
    expect(Number(res.body.total)).toBe(Number(n));
  });

  it('writes the compact response format', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: { ...countByCity, responseFormat: 'compact' } });
    expect(res.status).toBe(200);
    expect(res.body.data.members).toEqual(['ECommerce.city', 'ECommerce.count']);
    expect(res.body.data.dataset.length).toBeGreaterThan(0);
  });
});

describe('/cubejs-api/v1/sql and /dry-run', () => {
  it('returns the SQL and parameters, which give the same rows when run directly', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/sql').query({ query: JSON.stringify(countByCity) });
    expect(res.status).toBe(200);
    const [sql, params] = res.body.sql.sql as [string, unknown[]];
    expect(typeof sql).toBe('string');
    expect(Array.isArray(params)).toBe(true);
    const direct = await stack.driver.query(sql, params);
    const load = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: countByCity });
    expect(direct.rowCount).toBe(load.body.data.length);
  });

  it('normalizes a query without running it', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/dry-run').send({ query: countByCity });
    expect(res.status).toBe(200);
    expect(res.body.queryType).toBe('regularQuery');
    expect(res.body.normalizedQueries).toHaveLength(1);
    expect(res.body.pivotQuery).toBeTruthy();
  });
});

describe('/cubejs-api/v1/meta', () => {
  it('lists the cubes and marks members with shown: false as not visible, as Cube does', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/meta');
    expect(res.status).toBe(200);
    const names = (res.body.cubes as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Customers', 'ECommerce', 'Products']));
    const ecommerce = (res.body.cubes as { name: string; measures: { name: string; isVisible: boolean; public: boolean }[] }[]).find((c) => c.name === 'ECommerce')!;
    expect(ecommerce.measures.find((m) => m.name === 'ECommerce.totalSales')).toMatchObject({ isVisible: true, public: true });
    expect(ecommerce.measures.find((m) => m.name === 'ECommerce.hiddenSum')).toMatchObject({ isVisible: false, public: false });
    const extended = await request(stack.server.app).get('/cubejs-api/v1/meta?extended');
    expect(extended.status).toBe(200);
    expect(extended.body.cubes.length).toBe(res.body.cubes.length);
  });

  it("adds members' SQL, cubes' tables, joins and pre-aggregations under ?extended, as the model file defines them", async () => {
    type Member = { name: string; sql?: string };
    type Cube = { name: string; measures: Member[]; dimensions: Member[]; sqlTable?: string; fileName?: string; joins?: unknown[]; preAggregations?: { name: string }[] };
    const plain = (await request(stack.server.app).get('/cubejs-api/v1/meta')).body.cubes as Cube[];
    const extended = (await request(stack.server.app).get('/cubejs-api/v1/meta').query({ extended: 'true' })).body.cubes as Cube[];
    const ecommerce = extended.find((c) => c.name === 'ECommerce')!;
    // Expected values are the lines of cube-corpus/model/ecommerce.yml; a bare column is shown
    // qualified with its cube, as the engine reads it.
    expect(ecommerce).toMatchObject({ sqlTable: 'ecommerce', fileName: 'ecommerce.yml' });
    expect(ecommerce.joins).toEqual([{ name: 'Customers', relationship: 'many_to_one', sql: '{CUBE}.customer_id = {Customers}.customer_id' }]);
    expect(ecommerce.measures.find((m) => m.name === 'ECommerce.totalSales')!.sql).toBe('{CUBE}.sales');
    expect(ecommerce.dimensions.find((d) => d.name === 'ECommerce.orderId')!.sql).toBe('{CUBE}.order_id');
    expect(ecommerce.preAggregations!.find((p) => p.name === 'TA')).toMatchObject({
      type: 'rollup', timeDimension: 'ECommerce.orderDate', granularity: 'month', partitionGranularity: 'month',
      dimensions: ['ECommerce.productName'], measures: ['ECommerce.totalQuantity', 'ECommerce.avgDiscount', 'ECommerce.totalSales', 'ECommerce.totalProfit'],
    });
    // Members a caller may not use keep their SQL to themselves; the plain answer has none.
    expect(ecommerce.measures.find((m) => m.name === 'ECommerce.hiddenSum')).not.toHaveProperty('sql');
    expect(plain.find((c) => c.name === 'ECommerce')).not.toHaveProperty('joins');
    expect(plain.find((c) => c.name === 'ECommerce')!.measures.find((m) => m.name === 'ECommerce.totalSales')).not.toHaveProperty('sql');
    const extendedFalse = (await request(stack.server.app).get('/cubejs-api/v1/meta').query({ extended: 'false' })).body.cubes as Cube[];
    expect(extendedFalse).toEqual(plain);
  });
});

describe('health, metrics, routing', () => {
  it("answers /livez and /readyz as Cube does", async () => {
    expect((await request(stack.server.app).get('/livez')).body).toEqual({ health: 'HEALTH' });
    expect((await request(stack.server.app).get('/readyz')).body).toEqual({ health: 'HEALTH' });
  });

  it('counts requests per route and status on /metrics', async () => {
    await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: countByCity });
    const text = (await request(stack.server.app).get('/metrics')).text;
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/cubejs-api\/v1\/load",status="200"\} \d+/);
    expect(text).toMatch(/semantic_query_duration_seconds_count\{api="rest",endpoint="load",outcome="ok"\} \d+/);
  });

  it('writes a failure of the /load hot route (answered before express) as the express routes write it', async () => {
    // GET and POST of /load never reach express; HEAD and the trailing-slash form do.
    const bad = JSON.stringify({ measures: ['ECommerce.nope'] });
    const hot = await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: bad }).set('x-request-id', 'hot-1');
    const viaExpress = await request(stack.server.app).get('/cubejs-api/v1/load/').query({ query: bad }).set('x-request-id', 'hot-1');
    expect(hot.status).toBe(400);
    expect(viaExpress.status).toBe(400);
    expect(hot.text).toBe(viaExpress.text);
    expect(hot.headers['content-type']).toBe(viaExpress.headers['content-type']);
    expect(hot.headers['x-request-id']).toBe('hot-1');
    expect(hot.body).toMatchObject({ requestId: 'hot-1' });
    expect(hot.body.error).toContain('ECommerce.nope');
    // A body the JSON parser refuses: the same mapping (400, not a 500).
    const malformed = await request(stack.server.app).post('/cubejs-api/v1/load').set('Content-Type', 'application/json').send('{"query": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/JSON/i);
  });

  it('answers /load the same when the server is mounted under another express app, labelled with the mount path', async () => {
    const express = (await import('express')).default;
    const outer = express();
    outer.use('/mounted', stack.server.app);
    const direct = await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) });
    const mounted = await request(outer).get('/mounted/cubejs-api/v1/load').query({ query: JSON.stringify(countByCity) });
    expect(mounted.status).toBe(200);
    expect(mounted.body.data).toEqual(direct.body.data);
    expect((await request(outer).get('/mounted/livez')).body).toEqual({ health: 'HEALTH' });
    const text = (await request(stack.server.app).get('/metrics')).text;
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/mounted\/cubejs-api\/v1\/load",status="200"\} 1/);
  });

  it('answers an unknown route with a 404 JSON error and echoes the request id', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/nope').set('x-request-id', 'abc-123');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'Not found: GET /cubejs-api/v1/nope', requestId: 'abc-123' });
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('serves the playground page in dev mode', async () => {
    const res = await request(stack.server.app).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/cubejs-api/v1');
  });
});

describe('Continue wait', () => {
  let slow: Stack;
  let loads = 0;
  beforeAll(async () => {
    // The real engine, made slower than the wait time so the protocol shows.
    const delay = (engine: SemanticEngine): SemanticEngine => ({
      ...engine,
      load: async (query, ctx) => {
        loads++;
        await new Promise((r) => setTimeout(r, 400));
        return engine.load(query, ctx);
      },
    });
    slow = await startStack({ data: 'corpus', env: { CUBEJS_CONTINUE_WAIT_TIMEOUT: '0.05' }, wrapEngine: delay });
  });
  afterAll(async () => slow?.close());

  it('answers 200 {"error": "Continue wait"} and hands the running result to the retry', async () => {
    const first = await request(slow.server.app).post('/cubejs-api/v1/load').send({ query: countByCity });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ error: 'Continue wait' });
    let body: { error?: string; data?: unknown[] } = first.body;
    for (let i = 0; i < 50 && body.error === 'Continue wait'; i++) {
      body = (await request(slow.server.app).post('/cubejs-api/v1/load').send({ query: countByCity })).body;
    }
    expect(body.data?.length).toBeGreaterThan(0);
    expect(loads).toBe(1);
  });
});
