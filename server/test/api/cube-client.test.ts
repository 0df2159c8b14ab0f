/**
 * Compatibility with the official client: @cubejs-client/core, pointed at our server on a real
 * socket, loads data (following "Continue wait"), pivots it, reads meta, fetches SQL and dry-runs.
 * Expected values come from SQL written here against the same DuckDB file.
 */
import cube from '@cubejs-client/core';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';

const SECRET = 'client-suite-secret-0123456789abcdef';
let stack: Stack;
let duckdbPath: string;
let api: ReturnType<typeof cube>;

beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  stack = await startStack({ data: 'corpus', security: { secret: SECRET }, serve: { http: true } });
  const token = await new SignJWT({ user: 'client' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
  api = cube(token, { apiUrl: `${stack.url}/cubejs-api/v1` });
});
afterAll(async () => stack?.close());

const salesByCategoryMonth = {
  measures: ['ECommerce.totalSales'],
  dimensions: ['ECommerce.category'],
  timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'quarter' as const, dateRange: ['2020-01-01', '2020-12-31'] as [string, string] }],
  order: { 'ECommerce.orderDate': 'asc' as const, 'ECommerce.category': 'asc' as const },
};

describe('@cubejs-client/core against our REST API', () => {
  it('loads rows equal to hand-written SQL', async () => {
    const resultSet = await api.load(salesByCategoryMonth);
    const expected = await queryDuckDb(
      duckdbPath,
      "SELECT strftime(date_trunc('quarter', order_date), '%Y-%m-%dT%H:%M:%S.000') AS q, category, sum(sales) AS s FROM ecommerce WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' GROUP BY 1, 2 ORDER BY 1, 2",
    );
    const rows = resultSet.rawData();
    expect(rows.map((r) => [r['ECommerce.orderDate.quarter'], r['ECommerce.category'], Number(r['ECommerce.totalSales'])])).toEqual(
      expected.map((r) => [r.q, r.category, Number(r.s)]),
    );
  });

  it('pivots the result with tablePivot and chartPivot', async () => {
    const resultSet = await api.load(salesByCategoryMonth);
    const expected = await queryDuckDb(
      duckdbPath,
      "SELECT category, sum(sales) AS s FROM ecommerce WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' GROUP BY 1 ORDER BY 1",
    );
    const bySql = new Map(expected.map((r) => [String(r.category), Number(r.s)]));
    // tablePivot: one row per quarter × category; summing per category must give the SQL totals.
    const table = resultSet.tablePivot();
    const fromTable = new Map<string, number>();
    for (const row of table) {
      const category = String(row['ECommerce.category']);
      fromTable.set(category, (fromTable.get(category) ?? 0) + Number(row['ECommerce.totalSales'] ?? 0));
    }
    for (const [category, total] of bySql) expect(fromTable.get(category)).toBeCloseTo(total, 6);
    // chartPivot: one point per quarter of 2020 (the client fills the range), one series per category.
    const chart = resultSet.chartPivot();
    expect(chart.map((p) => p.x)).toEqual(['2020-01-01T00:00:00.000', '2020-04-01T00:00:00.000', '2020-07-01T00:00:00.000', '2020-10-01T00:00:00.000']);
    const series = resultSet.series();
    expect(series).toHaveLength(bySql.size);
    for (const s of series) {
      const category = s.shortTitle.split(',')[0]!.trim();
      const total = s.series.reduce((sum, point) => sum + Number(point.value ?? 0), 0);
      expect(total, s.key).toBeCloseTo(bySql.get(category)!, 6);
    }
  });

  it('reads meta with cubes, members and types', async () => {
    const meta = await api.meta();
    const measures = meta.membersForQuery(null, 'measures').map((m) => m.name);
    expect(measures).toEqual(expect.arrayContaining(['ECommerce.totalSales', 'Customers.count']));
    expect(meta.resolveMember('ECommerce.city', 'dimensions')).toMatchObject({ type: 'string' });
  });

  it('fetches the generated SQL', async () => {
    const sql = await api.sql(salesByCategoryMonth);
    const text = (sql as { sql(): string }).sql();
    expect(text).toMatch(/select/i);
    expect(text).toMatch(/ecommerce/i);
  });

  it('dry-runs a query', async () => {
    const dry = await api.dryRun(salesByCategoryMonth);
    expect(dry.queryType).toBe('regularQuery');
    expect(dry.normalizedQueries).toHaveLength(1);
  });

  it('surfaces our 400 errors as RequestError with the message', async () => {
    await expect(api.load({ measures: ['ECommerce.nope'] })).rejects.toThrow(/ECommerce\.nope/);
  });
});

describe('Continue wait through the client', () => {
  let slow: Stack;
  beforeAll(async () => {
    const delay = (engine: SemanticEngine): SemanticEngine => ({
      ...engine,
      load: async (query, ctx) => {
        await new Promise((r) => setTimeout(r, 500));
        return engine.load(query, ctx);
      },
    });
    slow = await startStack({ data: 'corpus', env: { CUBEJS_CONTINUE_WAIT_TIMEOUT: '0.1' }, wrapEngine: delay, serve: { http: true } });
  });
  afterAll(async () => slow?.close());

  it('polls until the query finishes and reports progress', async () => {
    const client = cube('', { apiUrl: `${slow.url}/cubejs-api/v1` });
    let progressCalls = 0;
    const resultSet = await client.load({ measures: ['Customers.count'] }, { progressCallback: () => { progressCalls++; } });
    const [{ n }] = await queryDuckDb(duckdbPath, 'SELECT count(customer_id) AS n FROM customers');
    expect(Number(resultSet.rawData()[0]!['Customers.count'])).toBe(Number(n));
    expect(progressCalls).toBeGreaterThan(0);
  });
});
