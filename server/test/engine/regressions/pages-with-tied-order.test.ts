/**
 * Regression (QA 2026-12-07): pages of `limit`/`offset` over an order with ties lost rows — two
 * pages held the same brand, another tied brand never showed — because SQL orders tied rows
 * anyhow, anew for each statement. A paged query's order is now made total: after the asked keys,
 * the query's other dimensions and time dimensions, ascending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.ts';
import { ctx, rowsOf } from '../../support/hand-made-engine.ts';

/** 60 brands over 3 sizes: each count (1, 2, 3) is shared by 20 brands, in two shops each. */
const DATA_SQL = `
CREATE TABLE sales AS
  SELECT b * 1000 + i AS id, 'brand_' || lpad(CAST((b * 37) % 60 AS VARCHAR), 2, '0') AS brand,
         CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END AS shop,
         TIMESTAMP '2025-03-01' + to_days(CAST(i AS INTEGER)) AS sold_at
  FROM range(60) t(b), range(6) s(i)
  WHERE i < 2 * (1 + b % 3);
`;

const MODEL = `
cubes:
  - name: sales
    sql_table: sales
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: brand, sql: brand, type: string }
      - { name: shop, sql: shop, type: string }
      - { name: sold_at, sql: sold_at, type: time }
    measures:
      - { name: count, type: count }
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: { sql: DATA_SQL }, model: { files: { 'cubes/sales.yml': MODEL } } });
});
afterAll(async () => stack?.close());

/** Every page of `size` rows of `query`, in order, until a short page. */
async function allPages(query: Record<string, unknown>, size: number): Promise<Record<string, unknown>[][]> {
  const pages: Record<string, unknown>[][] = [];
  for (let offset = 0; ; offset += size) {
    const rows = rowsOf((await stack.engine.load({ ...query, limit: size, offset } as never, ctx)).results[0]!);
    pages.push(rows);
    if (rows.length < size) return pages;
  }
}

const asText = (rows: readonly Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r));

describe('pages of an order with ties', () => {
  it('partition the brands: every brand once, none twice (the QA probe)', async () => {
    const query = { measures: ['sales.count'], dimensions: ['sales.brand'], order: { 'sales.count': 'desc' } };
    const pages = await allPages(query, 3);
    const paged = pages.flat();
    const want = await stack.hand(`SELECT brand AS "sales.brand", CAST(count(*) AS VARCHAR) AS "sales.count" FROM sales GROUP BY brand`);
    expect(want).toHaveLength(60);
    expect(new Set(asText(paged)).size).toBe(paged.length);
    expect(asText(paged).sort()).toEqual(asText(want).sort());
    // Still in the asked order: counts never rise from one row to the next.
    const counts = paged.map((r) => Number(r['sales.count']));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('partition the groups of two dimensions and a time dimension', async () => {
    const query = {
      measures: ['sales.count'],
      dimensions: ['sales.shop', 'sales.brand'],
      timeDimensions: [{ dimension: 'sales.sold_at', granularity: 'day' }],
      order: { 'sales.count': 'desc' },
    };
    const paged = (await allPages(query, 7)).flat();
    const want = await stack.hand(`SELECT count(*) AS n FROM (SELECT DISTINCT shop, brand, date_trunc('day', sold_at) FROM sales)`);
    const keys = paged.map((r) => JSON.stringify([r['sales.shop'], r['sales.brand'], r['sales.sold_at.day']]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(Number(want[0]!.n));
  });

  it('is the same rows as the unpaged answer, in its order where it does not tie', async () => {
    const query = { measures: ['sales.count'], dimensions: ['sales.brand'], order: { 'sales.count': 'asc' } };
    const whole = rowsOf((await stack.engine.load(query as never, ctx)).results[0]!);
    const paged = (await allPages(query, 9)).flat();
    expect(asText(paged).sort()).toEqual(asText(whole).sort());
    expect(paged.map((r) => r['sales.count'])).toEqual(whole.map((r) => r['sales.count']));
  });
});
