/**
 * Regression: a dimension in one `and`/`or` condition with a measure filter, while not among the
 * query's dimensions, reached DuckDB as a HAVING on an ungrouped column: HTTP 502 with the
 * database's binder error and the SQL. It is the caller's query that cannot be answered: a 400
 * naming the member. With the dimension grouped, the condition is answered per group.
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

const condition = { and: [{ member: 'sales.channel', operator: 'equals', values: ['site'] }, { member: 'sales.amount', operator: 'gt', values: ['10'] }] };

describe('a dimension in one condition with a measure filter', () => {
  it('is refused with a 400 naming it when it is not a dimension of the query', async () => {
    const error = await hand.engine.load({ measures: ['sales.amount'], filters: [condition] } as never, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).httpStatus).toBe(400);
    expect((error as UserError).message).toContain('sales.channel');
  });

  it('is answered per group when it is one', async () => {
    const rows = await hand.load({ measures: ['sales.amount'], dimensions: ['sales.channel'], filters: [condition] } as never);
    const want = await hand.sql(`SELECT channel, sum(amount)::DOUBLE AS amount FROM sales GROUP BY channel HAVING channel = 'site' AND sum(amount) > 10`);
    expect(rows.map((r) => [r['sales.channel'], Number(r['sales.amount'])])).toEqual(want.map((w) => [w.channel, Number(w.amount)]));
  });
});
