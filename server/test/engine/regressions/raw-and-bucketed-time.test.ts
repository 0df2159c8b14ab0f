/**
 * Regression: a time dimension asked both raw (in `dimensions`) and with a granularity answered
 * the bucket under the raw member's key too, so every row showed the same midnight and looked
 * duplicated. As Cube's gateway does, the bare key carries the bucket only when the raw member
 * is not among the query's dimensions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from './qa-model.ts';

let hand: HandMadeEngine;
beforeAll(async () => {
  hand = await startHandMadeEngine(SALES_SQL, SALES_MODEL);
});
afterAll(async () => hand.close());

describe('a time dimension both raw and with a granularity', () => {
  it('keeps the raw values under the raw key and the buckets under member.granularity', async () => {
    const rows = await hand.load({
      measures: ['sales.count'],
      dimensions: ['sales.sold_at'],
      timeDimensions: [{ dimension: 'sales.sold_at', granularity: 'day', dateRange: ['2025-03-03', '2025-03-03'] }],
      order: { 'sales.sold_at': 'asc' },
    });
    const want = await hand.sql(`SELECT strftime(sold_at, '%Y-%m-%dT%H:%M:%S.000') AS raw, strftime(date_trunc('day', sold_at), '%Y-%m-%dT%H:%M:%S.000') AS day, count(*)::VARCHAR AS n
      FROM sales WHERE sold_at::DATE = DATE '2025-03-03' GROUP BY 1, 2 ORDER BY 1`);
    expect(want).toHaveLength(2);
    expect(rows.map((r) => [r['sales.sold_at'], r['sales.sold_at.day'], r['sales.count']])).toEqual(want.map((w) => [w.raw, w.day, w.n]));
  });

  it('still answers the bucket under the bare key when the raw member is not a dimension', async () => {
    const rows = await hand.load({ measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', granularity: 'day', dateRange: ['2025-03-03', '2025-03-04'] }], order: { 'sales.sold_at': 'asc' } });
    const want = await hand.sql(`SELECT strftime(date_trunc('day', sold_at), '%Y-%m-%dT%H:%M:%S.000') AS day FROM sales WHERE sold_at < TIMESTAMP '2025-03-05' GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => r['sales.sold_at'])).toEqual(want.map((w) => w.day));
    expect(rows.map((r) => r['sales.sold_at.day'])).toEqual(want.map((w) => w.day));
  });
});
