/**
 * Regression: a time-shifted measure next to a plain one was left-joined to it, so months where
 * only one side had rows appeared (10 rows where Cube's classic planner returns 8, see the corpus
 * case "SQL API: Timeshift measure from cube"). The classic planner inner-joins them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparable, startCorpusEngine, type CorpusEngine } from './corpus-engine.ts';

let corpus: CorpusEngine;
beforeAll(async () => {
  corpus = await startCorpusEngine();
});
afterAll(async () => corpus.close());

describe('a time-shifted measure with a plain one', () => {
  it('shows the months where both the month and the month before have rows', async () => {
    const rows = await corpus.load({
      measures: ['ECommerce.totalQuantity', 'ECommerce.totalQuantityPriorMonth'],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }],
    });
    const want = await corpus.sql(`
      WITH m AS (SELECT date_trunc('month', order_date) m, sum(quantity) q FROM ecommerce GROUP BY 1)
      SELECT strftime(cur.m, '%Y-%m-%dT%H:%M:%S.000') "ECommerce.orderDate.month", strftime(cur.m, '%Y-%m-%dT%H:%M:%S.000') "ECommerce.orderDate",
             cur.q "ECommerce.totalQuantity", prev.q "ECommerce.totalQuantityPriorMonth"
      FROM m cur JOIN m prev ON prev.m = cur.m - INTERVAL 1 MONTH
      WHERE cur.m BETWEEN DATE '2020-01-01' AND DATE '2020-12-31' ORDER BY cur.m`);
    expect(rows).toHaveLength(8);
    expect(comparable(rows)).toEqual(comparable(want));
  });

  it('alone, shows every month the shifted rows reach inside the range', async () => {
    const rows = await corpus.load({
      measures: ['ECommerce.totalQuantityPriorMonth'],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }],
    });
    const want = await corpus.sql(`
      SELECT strftime(date_trunc('month', order_date) + INTERVAL 1 MONTH, '%Y-%m-%dT%H:%M:%S.000') "ECommerce.orderDate.month",
             strftime(date_trunc('month', order_date) + INTERVAL 1 MONTH, '%Y-%m-%dT%H:%M:%S.000') "ECommerce.orderDate",
             sum(quantity) "ECommerce.totalQuantityPriorMonth"
      FROM ecommerce WHERE order_date + INTERVAL 1 MONTH BETWEEN DATE '2020-01-01' AND TIMESTAMP '2020-12-31 23:59:59.999' GROUP BY 1, 2 ORDER BY 1`);
    expect(comparable(rows)).toEqual(comparable(want));
  });
});
