/**
 * Regression: a `count` over a range with no rows answered "0" from the source and null from a
 * rollup (the SUM of no stored partial counts), so the same question changed answer with the
 * serving choice. A rollup's count now reads its partial counts with COALESCE(…, 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { ctx, rowsOf } from '../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from '../engine/regressions/qa-model.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: { sql: SALES_SQL }, model: { files: { 'cubes/sales.yml': SALES_MODEL } }, preaggs: true });
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel(), { force: true });
  expect(statuses.map((s) => [s.id, s.state])).toEqual([['sales.by_day', 'ready']]);
}, 120_000);
afterAll(async () => stack?.close());

describe('count over an empty range', () => {
  const april = { measures: ['sales.count', 'sales.amount'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-04-01', '2025-04-30'] }] };

  it('is 0 from the rollup, as count(*) of the source says (the sum stays null, as SUM does)', async () => {
    const result = (await stack.engine.load(april as never, ctx)).results[0]!;
    expect(Object.keys(result.usedPreAggregations ?? {})).toEqual(['sales.by_day']);
    const [want] = await stack.hand(`SELECT count(*)::VARCHAR AS n, sum(amount) AS total FROM sales WHERE sold_at >= TIMESTAMP '2025-04-01' AND sold_at < TIMESTAMP '2025-05-01'`);
    expect(rowsOf(result)).toEqual([{ 'sales.count': want!.n, 'sales.amount': want!.total }]);
    expect(want!.n).toBe('0');
  });

  it('is the same from the source (a filter on a member the rollup lacks)', async () => {
    const result = (await stack.engine.load({ ...april, filters: [{ member: 'sales.id', operator: 'set' }] } as never, ctx)).results[0]!;
    expect(result.usedPreAggregations ?? {}).toEqual({});
    expect(rowsOf(result)[0]!['sales.count']).toBe('0');
  });

  it('still sums the stored counts where there are rows', async () => {
    const result = (await stack.engine.load({ ...april, timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-03-01', '2025-03-31'] }] } as never, ctx)).results[0]!;
    expect(Object.keys(result.usedPreAggregations ?? {})).toEqual(['sales.by_day']);
    const [want] = await stack.hand(`SELECT count(*)::VARCHAR AS n FROM sales`);
    expect(rowsOf(result)[0]!['sales.count']).toBe(want!.n);
  });
});
