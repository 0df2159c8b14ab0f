/**
 * Regression: date ranges and date filters refused instants written with `Z` or an offset
 * ('2025-03-03T12:00:00.000Z', what JavaScript's toISOString and our own GraphQL API write), and a
 * one-date range `[d]`. Cube reads an instant in the query's time zone; the same instants must
 * select the same rows whatever that zone is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from './qa-model.ts';

let hand: HandMadeEngine;
beforeAll(async () => {
  hand = await startHandMadeEngine(SALES_SQL, SALES_MODEL);
});
afterAll(async () => hand.close());

describe('instants with a zone designator', () => {
  for (const timezone of ['UTC', 'America/Sao_Paulo', 'Asia/Tokyo']) {
    it(`select the same rows in ${timezone} (a dateRange and a beforeDate filter)`, async () => {
      const [between] = await hand.sql(`SELECT count(*)::VARCHAR AS n FROM sales WHERE sold_at BETWEEN TIMESTAMP '2025-03-03 12:00:00' AND TIMESTAMP '2025-03-03 13:00:00'`);
      const ranged = await hand.load({ measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-03-03T12:00:00.000Z', '2025-03-03T10:00:00-03:00'] }], timezone } as never);
      expect(ranged[0]!['sales.count']).toBe(between!.n);
      const [before] = await hand.sql(`SELECT count(*)::VARCHAR AS n FROM sales WHERE sold_at < TIMESTAMP '2025-03-04 00:00:00'`);
      const filtered = await hand.load({ measures: ['sales.count'], filters: [{ member: 'sales.sold_at', operator: 'beforeDate', values: ['2025-03-04T00:00:00Z'] }], timezone } as never);
      expect(filtered[0]!['sales.count']).toBe(before!.n);
    });
  }

  it('reads a one-date range [d] as that whole day', async () => {
    const [want] = await hand.sql(`SELECT count(*)::VARCHAR AS n FROM sales WHERE sold_at::DATE = DATE '2025-03-05'`);
    const rows = await hand.load({ measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-03-05'] }] } as never);
    expect(rows[0]!['sales.count']).toBe(want!.n);
  });
});
