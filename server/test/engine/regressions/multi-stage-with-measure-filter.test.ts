/**
 * Regression: a measure filter on a query with a multi-stage total over groups (a share of channel)
 * went to HAVING, which SQL applies before window functions, so the filtered-out groups also left
 * the denominator: every share grew. The groups are now finished first and filtered outside. And
 * an ungrouped query with such a measure answered each row's own value as "the total" (a share of
 * 1); it is refused, as it has no per-row value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/user-error.ts';
import { ctx, num, startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from './qa-model.ts';

let hand: HandMadeEngine;
beforeAll(async () => {
  hand = await startHandMadeEngine(SALES_SQL, SALES_MODEL);
});
afterAll(async () => hand.close());

describe('a multi-stage share with a measure filter', () => {
  it('keeps the total of every group as the denominator (the filter only removes rows)', async () => {
    const rows = await hand.load({
      measures: ['sales.share', 'sales.amount'],
      dimensions: ['sales.channel'],
      filters: [{ member: 'sales.amount', operator: 'gt', values: ['60'] }],
      order: { 'sales.channel': 'asc' },
    });
    const want = await hand.sql(`SELECT channel, sum(amount)::DOUBLE / (SELECT sum(amount) FROM sales)::DOUBLE AS share, sum(amount)::DOUBLE AS amount
      FROM sales GROUP BY channel HAVING sum(amount) > 60 ORDER BY channel`);
    expect(want.map((w) => w.channel)).toEqual(['site', 'store']);
    expect(rows.map((r) => r['sales.channel'])).toEqual(want.map((w) => w.channel));
    rows.forEach((r, i) => {
      expect(num(r['sales.share'])).toBeCloseTo(Number(want[i]!.share), 9);
      expect(num(r['sales.amount'])).toBeCloseTo(Number(want[i]!.amount), 9);
    });
  });

  it('filters on a measure that is not shown, and on a dimension OR a measure, the same way', async () => {
    const rows = await hand.load({
      measures: ['sales.share'],
      dimensions: ['sales.channel'],
      filters: [{ or: [{ member: 'sales.amount', operator: 'lt', values: ['40'] }, { member: 'sales.channel', operator: 'equals', values: ['store'] }] }],
      order: { 'sales.channel': 'asc' },
    });
    const want = await hand.sql(`SELECT channel, sum(amount)::DOUBLE / (SELECT sum(amount) FROM sales)::DOUBLE AS share
      FROM sales GROUP BY channel HAVING sum(amount) < 40 OR channel = 'store' ORDER BY channel`);
    expect(rows.map((r) => r['sales.channel'])).toEqual(want.map((w) => w.channel));
    rows.forEach((r, i) => expect(num(r['sales.share'])).toBeCloseTo(Number(want[i]!.share), 9));
  });

  it('is refused in an ungrouped query, where the total over groups has no per-row value', async () => {
    const error = await hand.engine.load({ measures: ['sales.share'], dimensions: ['sales.id', 'sales.channel'], ungrouped: true } as never, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('sales.amount_all_channels');
  });
});
