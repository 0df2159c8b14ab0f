/**
 * Regression: a blended query sent by POST (`{"queryType":"multi","query":[q1,q2]}`, which
 * @cubejs-client/core sends once the URL passes 2,000 characters) was answered with q1 only: the
 * body's array was read like a repeated query-string key. Cube's /load answers an array whole:
 * `queryType: "blendingQuery"`, one result per query, a `time.<granularity>` key in every row and
 * a pivot query on `time`; it refuses mismatched or missing granularities. Checked with raw HTTP
 * and with @cubejs-client/core on a real socket (GET and POST), against SQL written here.
 */
import cube from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
let duckdbPath: string;
beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  stack = await startStack({ data: 'corpus', serve: { http: true } });
});
afterAll(async () => stack?.close());

const RANGE: [string, string] = ['2020-01-01', '2020-12-31'];
const byMonth = (measure: string, extra: Record<string, unknown> = {}) => ({
  measures: [measure],
  timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month' as const, dateRange: RANGE }],
  ...extra,
});
/** Enough IN-list values to push a GET URL past 2,000 characters; none is a real city. */
const longFilter = { filters: [{ member: 'ECommerce.city', operator: 'notEquals' as const, values: Array.from({ length: 120 }, (_, i) => `no-such-city-${i}`) }] };

async function monthly(sqlAggregate: string): Promise<Map<string, number>> {
  const rows = await queryDuckDb(
    duckdbPath,
    `SELECT strftime(date_trunc('month', order_date), '%Y-%m-%dT%H:%M:%S.000') AS m, ${sqlAggregate} AS v FROM ecommerce
     WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' GROUP BY 1 ORDER BY 1`,
  );
  return new Map(rows.map((r) => [String(r.m), Number(r.v)]));
}

async function postLoad(body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${stack.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('blended queries (an array of queries) on /v1/load', () => {
  it('POST answers every query, with time.<granularity> and the blending pivot query', async () => {
    const { status, json } = await postLoad({ queryType: 'multi', query: [byMonth('ECommerce.count'), byMonth('ECommerce.totalSales')] });
    expect(status).toBe(200);
    expect(json.queryType).toBe('blendingQuery');
    expect(json.results).toHaveLength(2);
    const counts = await monthly('count(*)');
    const sales = await monthly('sum(sales)');
    expect(json.results[0].data.map((r: any) => [r['time.month'], Number(r['ECommerce.count'])])).toEqual([...counts]);
    expect(json.results[1].data.map((r: any) => [r['time.month'], Number(r['ECommerce.totalSales'])])).toEqual([...sales].map(([m, v]) => [m, expect.closeTo(v, 6)]));
    for (const result of json.results) for (const row of result.data) expect(row['time.month']).toBe(row['ECommerce.orderDate.month']);
    expect(json.pivotQuery).toEqual({
      measures: ['ECommerce.count', 'ECommerce.totalSales'],
      dimensions: [],
      timeDimensions: [{ dimension: 'time', granularity: 'month' }],
      queryType: 'blendingQuery',
    });
  });

  it('GET with the same array answers the same', async () => {
    const query = [byMonth('ECommerce.count'), byMonth('ECommerce.totalSales')];
    const get = await fetch(`${stack.url}/cubejs-api/v1/load?${new URLSearchParams({ queryType: 'multi', query: JSON.stringify(query) })}`);
    const post = await postLoad({ queryType: 'multi', query });
    const data = (json: any) => json.results.map((r: any) => r.data);
    expect(data(await get.json())).toEqual(data(post.json));
  });

  it.each([
    ['granularities that differ', [byMonth('ECommerce.count'), { ...byMonth('ECommerce.totalSales'), timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'day', dateRange: RANGE }] }], /granularities must match/],
    ['no granularity at all', [{ measures: ['ECommerce.count'] }, { measures: ['ECommerce.totalSales'] }], /without granularity/],
    ['compareDateRange inside', [{ measures: ['ECommerce.count'], timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', compareDateRange: [RANGE, RANGE] }] }], /compareDateRange/],
  ])('refuses %s with 400', async (_name, query, message) => {
    const { status, json } = await postLoad({ queryType: 'multi', query });
    expect(status).toBe(400);
    expect(json.error).toMatch(message);
  });

  it('refuses an array without queryType=multi, as Cube does for old clients', async () => {
    const { status, json } = await postLoad({ query: [byMonth('ECommerce.count'), byMonth('ECommerce.totalSales')] });
    expect(status).toBe(400);
    expect(json.error).toMatch(/'blendingQuery' query type is not supported by the client/);
  });
});

describe('@cubejs-client/core blending against our REST API', () => {
  const api = () => cube('', { apiUrl: `${stack.url}/cubejs-api/v1` });

  it.each([
    ['GET (short URL)', {}],
    ['POST (URL over 2,000 characters)', longFilter],
  ])('loads a blended query by %s and pivots both measures per month', async (_name, extra) => {
    const queries = [byMonth('ECommerce.count', extra), byMonth('ECommerce.totalSales', extra)];
    expect(`?query=${encodeURIComponent(JSON.stringify(queries))}`.length > 2000).toBe(extra === longFilter);
    const resultSet = await api().load(queries);
    const counts = await monthly('count(*)');
    const sales = await monthly('sum(sales)');
    const pivot = resultSet.chartPivot();
    // The client fills the whole date range; months without orders count 0.
    expect(pivot).toHaveLength(12);
    for (const point of pivot) {
      expect(Number(point['ECommerce.count'] ?? 0), point.x).toBe(counts.get(point.x) ?? 0);
      expect(Number(point['ECommerce.totalSales'] ?? 0)).toBeCloseTo(sales.get(point.x) ?? 0, 6);
    }
    const [first, second] = resultSet.decompose();
    expect(first!.rawData()).toHaveLength(counts.size);
    expect(second!.rawData()).toHaveLength(sales.size);
  });
});
