/**
 * Regression: /v1/sql and /v1/dry-run refused a blending array ("takes one query, not an array"),
 * where Cube answers one SQL per query and a blending dry run. Each part is checked against the
 * same endpoint asked the single query, and the SQL against the rows /load answers for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus', serve: { http: true } });
});
afterAll(async () => stack?.close());

const byMonth = (measure: string) => ({ measures: [measure], timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }] });
const blend = [byMonth('ECommerce.count'), byMonth('ECommerce.totalSales')];
const get = async (endpoint: string, query: unknown) => {
  const res = await fetch(`${stack.url}/cubejs-api/v1/${endpoint}?query=${encodeURIComponent(JSON.stringify(query))}`);
  return { status: res.status, body: (await res.json()) as any };
};

describe('a blending array on /sql and /dry-run', () => {
  it('/sql answers one SQL per query, each the single query\'s, and each runs to /load\'s rows', async () => {
    const blended = await get('sql', blend);
    expect(blended.status).toBe(200);
    expect(blended.body).toHaveLength(2);
    for (const [i, query] of blend.entries()) {
      const single = await get('sql', query);
      expect(blended.body[i].sql).toEqual(single.body.sql);
      const [sql, params] = blended.body[i].sql.sql as [string, unknown[]];
      const ran = await stack.driver.query(sql, params);
      const loaded = await get('load', query);
      expect(ran.rowCount).toBe(loaded.body.data.length);
      expect(ran.rowCount).toBeGreaterThan(0);
    }
  });

  it('/dry-run answers a blending query with every normalized query in order', async () => {
    const blended = await get('dry-run', blend);
    expect(blended.status).toBe(200);
    expect(blended.body.queryType).toBe('blendingQuery');
    const singles = await Promise.all(blend.map((q) => get('dry-run', q)));
    expect(blended.body.normalizedQueries).toEqual(singles.flatMap((s) => s.body.normalizedQueries));
    expect(blended.body.pivotQuery).toMatchObject({ measures: ['ECommerce.count', 'ECommerce.totalSales'], timeDimensions: [{ dimension: 'time', granularity: 'month' }], queryType: 'blendingQuery' });
  });

  it('refuses mismatched granularities as /load does', async () => {
    const mixed = [byMonth('ECommerce.count'), { ...byMonth('ECommerce.totalSales'), timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'day', dateRange: ['2020-01-01', '2020-12-31'] }] }];
    for (const endpoint of ['sql', 'dry-run', 'load']) expect((await get(endpoint, mixed)).status).toBe(400);
  });
});
