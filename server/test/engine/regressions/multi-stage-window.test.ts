/**
 * Regression: a multi-stage measure aggregating another measure (`sum({totalProfit})` with
 * `reduce_by`/`group_by`) rendered `sum(sum(profit))`, which no database accepts. It is now a
 * window over the query's groups, partitioned by the keys the measure keeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/user-error.ts';
import { comparable, ctx, startCorpusEngine, type CorpusEngine } from './corpus-engine.ts';

let corpus: CorpusEngine;
beforeAll(async () => {
  corpus = await startCorpusEngine();
});
afterAll(async () => corpus.close());

describe('multi-stage measures over other measures', () => {
  it('percentage of total with reduce_by and no dimension is 100', async () => {
    const rows = await corpus.load({ measures: ['BigECommerce.percentageOfTotalForStatus'] });
    expect(comparable(rows)).toEqual([{ 'BigECommerce.percentageOfTotalForStatus': 100 }]);
  });

  it('reduce_by category: each category as a share of the total of its city', async () => {
    const rows = await corpus.load({
      measures: ['BigECommerce.totalProfit', 'BigECommerce.totalProfitForStatus', 'BigECommerce.percentageOfTotalForStatus'],
      dimensions: ['BigECommerce.city', 'BigECommerce.category'],
      order: [['BigECommerce.city', 'asc'], ['BigECommerce.category', 'asc']],
    });
    const want = await corpus.sql(`
      WITH g AS (SELECT city, category, sum(profit) p FROM bigecommerce GROUP BY 1, 2),
           c AS (SELECT city, sum(p) cp FROM g GROUP BY 1)
      SELECT g.city "BigECommerce.city", g.category "BigECommerce.category", g.p "BigECommerce.totalProfit",
             c.cp "BigECommerce.totalProfitForStatus", round(100 * g.p / nullif(c.cp, 0)) "BigECommerce.percentageOfTotalForStatus"
      FROM g JOIN c ON g.city IS NOT DISTINCT FROM c.city ORDER BY 1, 2`);
    expect(rows.length).toBeGreaterThan(5);
    expect(comparable(rows)).toEqual(comparable(want));
  });

  it('group_by orderDate.quarter with months: each month shows its quarter total', async () => {
    const rows = await corpus.load({
      measures: ['BigECommerce.totalProfit', 'BigECommerce.totalProfitForQuarter'],
      timeDimensions: [{ dimension: 'BigECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }],
    });
    const want = await corpus.sql(`
      WITH m AS (SELECT date_trunc('month', order_date) m, sum(profit) p FROM bigecommerce
                 WHERE order_date BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' GROUP BY 1)
      SELECT strftime(m, '%Y-%m-%dT%H:%M:%S.000') "BigECommerce.orderDate.month", strftime(m, '%Y-%m-%dT%H:%M:%S.000') "BigECommerce.orderDate",
             p "BigECommerce.totalProfit", sum(p) OVER (PARTITION BY date_trunc('quarter', m)) "BigECommerce.totalProfitForQuarter"
      FROM m ORDER BY m`);
    expect(comparable(rows)).toEqual(comparable(want));
  });

  it('ungrouped, is refused naming it: a total over groups has no per-row value (rows sharing the kept keys would each show only their own)', async () => {
    const query = { measures: ['BigECommerce.totalProfitForStatus'], dimensions: ['BigECommerce.id'], ungrouped: true, order: { 'BigECommerce.id': 'asc' } };
    const error = await corpus.engine.load(query as never, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('BigECommerce.totalProfitForStatus');
  });

  it('as a measure filter (HAVING, where windows are not allowed) is refused with a UserError naming it', async () => {
    const query = { measures: ['BigECommerce.totalProfit'], dimensions: ['BigECommerce.category'], filters: [{ member: 'BigECommerce.percentageOfTotalForStatus', operator: 'gt', values: ['50'] }] } as const;
    const error = await corpus.engine.load(query as never, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('BigECommerce.totalProfitForStatus');
  });
});
