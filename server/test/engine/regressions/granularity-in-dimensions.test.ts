/**
 * Regression: Cube's shorthand `dimensions: ['Cube.time.month']` (a time dimension with a
 * granularity, listed as a dimension) was refused as an unknown member. It is the time dimension
 * at that granularity, answered under the same key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/user-error.ts';
import { ctx, startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from './qa-model.ts';

let hand: HandMadeEngine;
beforeAll(async () => {
  hand = await startHandMadeEngine(SALES_SQL, SALES_MODEL);
});
afterAll(async () => hand.close());

describe('a granularity written in dimensions', () => {
  it('answers the time dimension at that granularity, beside other dimensions', async () => {
    const rows = await hand.load({ measures: ['sales.amount'], dimensions: ['sales.channel', 'sales.sold_at.day'], order: [['sales.sold_at', 'asc'], ['sales.channel', 'asc']] } as never);
    const want = await hand.sql(`SELECT channel, strftime(date_trunc('day', sold_at), '%Y-%m-%dT%H:%M:%S.000') AS day, sum(amount)::DOUBLE AS amount FROM sales GROUP BY 1, 2 ORDER BY 2, 1`);
    expect(rows.map((r) => [r['sales.channel'], r['sales.sold_at.day'], Number(r['sales.amount'])])).toEqual(want.map((w) => [w.channel, w.day, Number(w.amount)]));
  });

  it('still refuses a name that is neither a member nor a granularity of one', async () => {
    const error = await hand.engine.load({ measures: ['sales.amount'], dimensions: ['sales.sold_at.fortnight'] } as never, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('sales.sold_at.fortnight');
  });
});
