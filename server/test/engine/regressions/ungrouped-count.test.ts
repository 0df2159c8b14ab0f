/**
 * Regression: with `ungrouped: true`, a `count` measure with `sql` showed that SQL's value (the
 * customer id) instead of a count. Cube renders an ungrouped count as 1 when its SQL is not null
 * (1 for a count without SQL); sums show the row's value; number measures compose those.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT } from '../gold-fixture.ts';
import { GOLD_EXTRA_FILES, startStack } from '../../support/stack.ts';
import { comparable, ctx, rowsOf, startCorpusEngine, type CorpusEngine } from './corpus-engine.ts';

let corpus: CorpusEngine;
beforeAll(async () => {
  corpus = await startCorpusEngine();
});
afterAll(async () => corpus.close());

describe('ungrouped measures', () => {
  it('shows a count with sql as 1 per row whose sql is set, next to the row values of sums', async () => {
    const rows = await corpus.load({
      measures: ['BigECommerce.count', 'BigECommerce.totalSales', 'BigECommerce.countApproxByCustomer'],
      dimensions: ['BigECommerce.id'],
      ungrouped: true,
      order: { 'BigECommerce.id': 'asc' },
    });
    const want = await corpus.sql(`
      SELECT id "BigECommerce.id", CASE WHEN customer_id IS NOT NULL THEN 1 END "BigECommerce.count",
             sales "BigECommerce.totalSales", CASE WHEN customer_id IS NOT NULL THEN 1 END "BigECommerce.countApproxByCustomer"
      FROM bigecommerce ORDER BY id`);
    expect(rows).toHaveLength(44);
    expect(comparable(rows)).toEqual(comparable(want));
  });

  it('gives NULL, not 0 or the value, where a filtered count_distinct does not apply (gold model)', async () => {
    const stack = await startStack({ data: 'gold', model: { files: GOLD_EXTRA_FILES } });
    try {
      const response = await stack.engine.load({ measures: ['fato_vendas.pedidos', 'fato_vendas.count'], dimensions: ['fato_vendas.pedido_id', 'fato_vendas.status_pedido'], ungrouped: true }, { ...ctx, securityContext: INTERNAL_CONTEXT });
      // "Pedido válido" written out by hand (METRICS.md): not cancelled and not a test order.
      const want = await stack.hand(`
        SELECT pedido_id "fato_vendas.pedido_id", status_pedido "fato_vendas.status_pedido",
               CASE WHEN NOT coalesce(is_cancelado, false) AND coalesce(status_pedido, '') <> 'test' THEN 1 END "fato_vendas.pedidos",
               1 "fato_vendas.count"
        FROM gold.fato_vendas
        UNION ALL -- each refund is a row of the fact cube too (dated on the refund), where neither measure applies
        SELECT f.pedido_id, f.status_pedido, NULL, NULL FROM gold.fato_devolucoes d JOIN gold.fato_vendas f USING (venda_id)`);
      const rows = rowsOf(response.results[0]!);
      expect(rows.some((r) => r['fato_vendas.pedidos'] === null)).toBe(true);
      // One row per sale line; lines of one order tie, so compare as multisets.
      const sorted = (list: Record<string, unknown>[]) => comparable(list).map((r) => JSON.stringify(r)).sort();
      expect(rows).toHaveLength(want.length);
      expect(sorted(rows)).toEqual(sorted(want as Record<string, unknown>[]));
    } finally {
      await stack.close();
    }
  });

  it('sums the counts back to the grouped count (no value other than 1 leaks in)', async () => {
    const rows = await corpus.load({ measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], ungrouped: true });
    const [total] = await corpus.sql(`SELECT count(customer_id) AS n FROM ecommerce`);
    expect(rows.reduce((sum, r) => sum + Number(r['ECommerce.count']), 0)).toBe(Number(total!.n));
  });
});
