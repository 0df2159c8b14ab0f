import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERIOD_END, generateSampleData } from '../../src/lakehouse/datagen/generate-sample-data.ts';
import { addDays } from '../../src/lakehouse/datagen/sample-calendar.ts';
import { runIngestion } from '../../src/lakehouse/ingest/run-ingestion.ts';
import { openRdsClient } from '../../src/lakehouse/rds/open-rds-client.ts';
import { RDS_TABLES, upsertRdsRows } from '../../src/lakehouse/rds/rds-tables.ts';
import { DEFAULT_SQL_DIR } from '../../src/lakehouse/sql-layer-steps.ts';
import { runTransformations } from '../../src/lakehouse/transform/run-transformations.ts';
import { goldSnapshot } from '../transform/transform-fixture.ts';
import { makeTempLakehouse, type TempLakehouse } from './lakehouse-fixtures.ts';

/**
 * The incremental batch touches only the orders and customers a new day affects (notebooks/sql
 * silver/10 and gold/06–07 work tables). Whatever it skips must be what a full rebuild leaves
 * unchanged: a lakehouse built over the generated history and then run incrementally over one more
 * day must hold exactly the gold tables of a lakehouse built once over all the same input. The new
 * day carries, beside the generated sales, the changes that reach back into history:
 *   - a status change (RDS) cancelling a customer's first order: the first order moves to the next;
 *   - a late-arriving online order dated before another customer's first order: it becomes theirs;
 *   - a late correction of an old order line (quantity): its values and the order discount split move;
 *   - a refund (RDS) of a sale made months before;
 *   - a CRM change of an existing customer: a new version in dim_cliente;
 *   - an ERP correction moving a customer's first order to another customer: the former customer's
 *     next order becomes their first (silver.customer_first_sales reads that customer's history again);
 *   - the cancellation of the only sale of a customer: they no longer have a first purchase;
 *   - a refund (RDS) re-pointed from one old sale line to another: the first line's refund totals go
 *     back to what its remaining refunds give.
 */
const SCALE = 0.005;
const SEED = 11;
const NEXT_DAY = addDays(DEFAULT_PERIOD_END, 1);
const compact = NEXT_DAY.replaceAll('-', '');

describe('an incremental day gives the gold tables of a full rebuild', () => {
  let lake: TempLakehouse;
  let incremental: DuckDBConnection;
  let rebuilt: DuckDBConnection;
  const instances: DuckDBInstance[] = [];
  const rows = async (c: DuckDBConnection, sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  const open = async (file: string) => {
    const instance = await DuckDBInstance.create(file);
    instances.push(instance);
    return instance.connect();
  };
  const build = async (c: DuckDBConnection) => {
    await runIngestion(c, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl });
    await runTransformations(c, { sqlDir: DEFAULT_SQL_DIR });
  };
  // What the new day changes, chosen from the built lakehouse before the day arrives.
  let cancelled: { order_id: string; next_order: string };
  let late: { customer_id: string; order_id: string; old_first: string };
  let corrected: { order_id: string };
  let refunded: { order_id: string; return_id: string };
  let moved: { customer_id: string };
  let reassigned: { order_id: string; from: string; to: string; next_order: string; row: string };
  let lost: { customer_id: string; order_id: string };
  let repointed: { return_id: string; from: string; to: string; row: (string | number)[] };

  beforeAll(async () => {
    lake = await makeTempLakehouse({ generate: false });
    await generateSampleData({ landingDir: lake.paths.landingDir, scale: SCALE, seed: SEED, rdsUrl: lake.paths.rdsUrl });
    incremental = await open(lake.paths.duckdbPath);
    await build(incremental);

    // A customer whose first order is online and who has a later valid order.
    const [x] = await rows(incremental, `WITH ranked AS (
        SELECT customer_id, origin, order_id, row_number() OVER (PARTITION BY customer_id ORDER BY order_ts, origin, order_id) AS rn
        FROM silver.sales_orders WHERE is_valid AND customer_id IS NOT NULL)
      SELECT f.order_id, s.order_id AS next_order FROM ranked f JOIN ranked s ON s.customer_id = f.customer_id AND s.rn = 2
      WHERE f.rn = 1 AND f.origin = 'erp' ORDER BY f.order_id LIMIT 1`);
    cancelled = x as typeof cancelled;
    // Another customer, first order in 2026 (well after the history starts), gets an order a day earlier.
    const [y] = await rows(incremental, `SELECT customer_id, order_id AS old_first, CAST(order_ts - INTERVAL 1 DAY AS VARCHAR) AS ts FROM (
        SELECT customer_id, order_id, order_ts, row_number() OVER (PARTITION BY customer_id ORDER BY order_ts, origin, order_id) AS rn
        FROM silver.sales_orders WHERE is_valid AND customer_id IS NOT NULL) x
      WHERE rn = 1 AND order_ts >= TIMESTAMP '2026-03-01' AND customer_id <> (SELECT customer_id FROM silver.sales_orders WHERE order_id = '${cancelled.order_id}')
      ORDER BY customer_id LIMIT 1`);
    late = { customer_id: String(y!.customer_id), old_first: String(y!.old_first), order_id: `OLATE${compact}` };
    const lateTs = String(y!.ts).slice(0, 19);
    // An old online order with two valid lines and an order discount, not touched otherwise.
    const [z] = await rows(incremental, `SELECT ol.order_id FROM silver.order_lines ol JOIN silver.orders o ON o.order_id = ol.order_id
      WHERE o.order_discount > 0 AND o.order_ts < TIMESTAMP '2025-06-01' AND ol.is_valid
        AND ol.order_id NOT IN ('${cancelled.order_id}', '${cancelled.next_order}', '${late.old_first}')
      GROUP BY ol.order_id HAVING count(*) = 2 AND min(ol.quantity) = 1 ORDER BY ol.order_id LIMIT 1`);
    corrected = z as typeof corrected;
    // An old online sale line without refunds.
    const [w] = await rows(incremental, `SELECT f.pedido_id AS order_id FROM gold.fato_vendas f
      WHERE f.origem = 'erp' AND f.data_venda < TIMESTAMP '2025-09-01' AND f.quantidade_devolvida = 0 AND NOT f.is_cancelado
        AND f.venda_id LIKE '%:1' AND f.pedido_id NOT IN ('${cancelled.order_id}', '${cancelled.next_order}', '${late.old_first}', '${corrected.order_id}')
      ORDER BY f.venda_id LIMIT 1`);
    refunded = { order_id: String(w!.order_id), return_id: `RLATE${compact}` };
    const [v] = await rows(incremental, `SELECT cliente_id AS customer_id FROM gold.dim_cliente WHERE is_atual AND cliente_sk <> 0
      AND cliente_id NOT IN (SELECT customer_id FROM silver.sales_orders WHERE order_id IN ('${cancelled.order_id}') UNION SELECT '${late.customer_id}')
      ORDER BY cliente_id LIMIT 1`);
    moved = v as typeof moved;
    const taken = `'${cancelled.order_id}', '${cancelled.next_order}', '${late.old_first}', '${corrected.order_id}', '${refunded.order_id}'`;
    const takenCustomers = `SELECT customer_id FROM silver.sales_orders WHERE order_id IN (${taken}) AND customer_id IS NOT NULL
      UNION SELECT '${late.customer_id}' UNION SELECT '${moved.customer_id}'`;
    // A customer whose first order is online, with a later valid order; the first order moves to another customer.
    const [u] = await rows(incremental, `WITH ranked AS (
        SELECT customer_id, origin, order_id, row_number() OVER (PARTITION BY customer_id ORDER BY order_ts, origin, order_id) AS rn
        FROM silver.sales_orders WHERE is_valid AND customer_id IS NOT NULL)
      SELECT f.customer_id, f.order_id, s.order_id AS next_order, o.channel, o.store_id, CAST(o.order_ts AS VARCHAR) AS ts
      FROM ranked f JOIN ranked s ON s.customer_id = f.customer_id AND s.rn = 2 JOIN silver.orders o ON o.order_id = f.order_id
      WHERE f.rn = 1 AND f.origin = 'erp' AND f.customer_id NOT IN (${takenCustomers}) AND f.order_id NOT IN (${taken})
      ORDER BY f.order_id DESC LIMIT 1`);
    const [to] = await rows(incremental, `SELECT cliente_id FROM gold.dim_cliente WHERE is_atual AND cliente_sk <> 0
      AND cliente_id NOT IN (${takenCustomers}) AND cliente_id <> '${u!.customer_id}' ORDER BY cliente_id DESC LIMIT 1`);
    reassigned = {
      order_id: String(u!.order_id), from: String(u!.customer_id), to: String(to!.cliente_id), next_order: String(u!.next_order),
      row: `${u!.order_id},${to!.cliente_id},${u!.channel},${u!.store_id},${String(u!.ts).slice(0, 19)},delivered,0.00,,,,,${NEXT_DAY} 08:00:00`,
    };
    // A CRM customer with exactly one valid sale, online; it gets cancelled.
    const [t] = await rows(incremental, `SELECT customer_id, min(order_id) AS order_id FROM silver.sales_orders
      WHERE is_valid AND customer_id IN (SELECT cliente_id FROM gold.dim_cliente)
        AND customer_id NOT IN (${takenCustomers}) AND customer_id NOT IN ('${reassigned.from}', '${reassigned.to}')
      GROUP BY customer_id HAVING count(*) = 1 AND min(origin) = 'erp' ORDER BY customer_id LIMIT 1`);
    lost = t as typeof lost;
    // An old refund of an online sale line, moved by the RDS to line 1 of another old online order.
    const takenOrders = `${taken}, '${reassigned.order_id}', '${reassigned.next_order}', '${lost.order_id}'`;
    const [r] = await rows(incremental, `SELECT return_id, order_id, line_no, quantity, CAST(refund_amount AS VARCHAR) AS amount,
        CAST(refunded_at AS VARCHAR) AS refunded_at FROM silver.returns
      WHERE source_system = 'erp' AND refunded_at IS NOT NULL AND quantity > 0 AND order_id NOT IN (${takenOrders})
      ORDER BY return_id LIMIT 1`);
    const [target] = await rows(incremental, `SELECT pedido_id FROM gold.fato_vendas
      WHERE origem = 'erp' AND venda_id LIKE '%:1' AND quantidade_devolvida = 0 AND NOT is_cancelado
        AND pedido_id NOT IN (${takenOrders}, '${r!.order_id}') ORDER BY venda_id DESC LIMIT 1`);
    repointed = {
      return_id: String(r!.return_id), from: `erp:${r!.order_id}:${r!.line_no}`, to: `erp:${target!.pedido_id}:1`,
      row: [String(r!.return_id), 'erp', String(target!.pedido_id), 1, 1, String(r!.amount), String(r!.refunded_at).slice(0, 19), `${NEXT_DAY} 12:00:00`],
    };

    // The new day: generated sales, plus the late changes appended to its files and written to the RDS.
    await generateSampleData({ landingDir: lake.paths.landingDir, scale: SCALE, seed: SEED, from: NEXT_DAY, to: NEXT_DAY, rdsUrl: lake.paths.rdsUrl });
    const landing = (folder: string, prefix: string, ext: string) => path.join(lake.paths.landingDir, folder, `dt=${NEXT_DAY}`, `${prefix}_${compact}.${ext}`);
    const append = (file: string, text: string) => {
      const current = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, `${current}${current.endsWith('\n') ? '' : '\n'}${text}\n`);
    };
    append(landing('erp/orders', 'orders', 'csv'), [
      `${late.order_id},${late.customer_id},site,L000,${lateTs},delivered,0.00,,,,,${NEXT_DAY} 09:00:00`,
      reassigned.row,
    ].join('\n'));
    append(landing('erp/order_lines', 'order_lines', 'csv'), [
      `${late.order_id},1,P000001,2,10.00,0.00,${NEXT_DAY} 09:00:00`,
      `${corrected.order_id},1,P000002,5,20.00,0.00,${NEXT_DAY} 09:30:00`,
    ].join('\n'));
    const crm = path.join(lake.paths.landingDir, 'crm/customers', `dt=${NEXT_DAY}`);
    fs.mkdirSync(crm, { recursive: true });
    fs.writeFileSync(path.join(crm, `customers_${compact}.json`), `${JSON.stringify({
      customer_id: moved.customer_id, name: 'Cliente Mudou', email: 'mudou@example.com', city: 'Manaus', state: 'AM',
      segment: 'varejo', birth_date: '1990-01-01', signup_date: '2024-01-01', updated_at: `${NEXT_DAY} 07:00:00`,
    })}\n`);
    const rds = await openRdsClient(lake.paths.rdsUrl);
    try {
      await upsertRdsRows(rds, RDS_TABLES.find((t) => t.name === 'order_status')!, [
        [cancelled.order_id, 'cancelled', `${NEXT_DAY} 10:00:00`],
        [lost.order_id, 'cancelled', `${NEXT_DAY} 10:30:00`],
      ]);
      await upsertRdsRows(rds, RDS_TABLES.find((t) => t.name === 'returns')!,
        [[refunded.return_id, 'erp', refunded.order_id, 1, 1, '12.34', `${NEXT_DAY} 11:00:00`, `${NEXT_DAY} 11:00:00`], repointed.row]);
    } finally {
      await rds.close();
    }

    await build(incremental);
    rebuilt = await open(path.join(path.dirname(lake.paths.duckdbPath), 'rebuilt.duckdb'));
    await build(rebuilt);
  }, 600_000);
  afterAll(() => {
    for (const instance of instances) instance.closeSync();
    lake?.remove();
  });

  it('holds exactly the rows of a full rebuild in every gold table', async () => {
    const [a, b] = [await goldSnapshot(incremental), await goldSnapshot(rebuilt)];
    for (const table of Object.keys(b)) {
      expect(b[table]!.length, table).toBeGreaterThan(1);
      expect(a[table], table).toEqual(b[table]);
    }
  });

  it('carried every late change into gold', async () => {
    const lines = async (orderId: string) => rows(incremental, `SELECT venda_id, quantidade, is_cancelado, is_primeiro_pedido
      FROM gold.fato_vendas WHERE pedido_id = '${orderId}' ORDER BY venda_id`);
    // The cancelled first order is no longer the first; the customer's next order is.
    expect((await lines(cancelled.order_id)).every((r) => r.is_cancelado === true && r.is_primeiro_pedido === false)).toBe(true);
    expect((await lines(cancelled.next_order)).every((r) => r.is_primeiro_pedido === true)).toBe(true);
    // The late order is its customer's first; their former first order is not.
    expect(await lines(late.order_id)).toEqual([{ venda_id: `erp:${late.order_id}:1`, quantidade: 2, is_cancelado: false, is_primeiro_pedido: true }]);
    expect((await lines(late.old_first)).every((r) => r.is_primeiro_pedido === false)).toBe(true);
    // The corrected line.
    expect((await lines(corrected.order_id))[0]).toMatchObject({ venda_id: `erp:${corrected.order_id}:1`, quantidade: 5 });
    // The refund of the old sale, dated on the refund.
    expect(await rows(incremental, `SELECT venda_id, CAST(valor_devolvido AS VARCHAR) AS v, CAST(data_devolucao AS VARCHAR) AS d
      FROM gold.fato_devolucoes WHERE devolucao_id = '${refunded.return_id}'`))
      .toEqual([{ venda_id: `erp:${refunded.order_id}:1`, v: '12.34', d: `${NEXT_DAY} 11:00:00` }]);
    // The moved order is no longer its former customer's first; their next order is.
    expect((await lines(reassigned.next_order)).every((r) => r.is_primeiro_pedido === true)).toBe(true);
    const firstPurchase = async (customerId: string) => (await rows(incremental, `SELECT DISTINCT CAST(primeira_compra_data AS VARCHAR) AS d
      FROM gold.dim_cliente WHERE cliente_id = '${customerId}'`)).map((r) => r.d);
    expect(await firstPurchase(reassigned.from)).toEqual((await rows(incremental, `SELECT CAST(CAST(order_ts AS DATE) AS VARCHAR) AS d
      FROM silver.sales_orders WHERE order_id = '${reassigned.next_order}'`)).map((r) => r.d));
    // The customer whose only sale was cancelled has no first purchase any more.
    expect(await firstPurchase(lost.customer_id)).toEqual([null]);
    expect((await lines(lost.order_id)).every((r) => r.is_cancelado === true && r.is_primeiro_pedido === false)).toBe(true);
    // The re-pointed refund left its former line: that line's totals are its remaining refunds'.
    const refundTotals = (c: DuckDBConnection, saleId: string) => rows(c, `SELECT quantidade_devolvida AS q, CAST(valor_devolvido AS VARCHAR) AS v
      FROM gold.fato_vendas WHERE venda_id = '${saleId}'`);
    const [origin, orderId, lineNo] = repointed.from.split(':');
    expect(await refundTotals(incremental, repointed.from)).toEqual(await rows(incremental, `SELECT CAST(coalesce(sum(quantity), 0) AS INTEGER) AS q,
        CAST(CAST(coalesce(sum(coalesce(refund_amount, 0)), 0) AS DECIMAL(18,2)) AS VARCHAR) AS v
      FROM silver.returns WHERE source_system = '${origin}' AND order_id = '${orderId}' AND line_no = ${lineNo} AND refunded_at IS NOT NULL AND quantity > 0`));
    expect(await rows(incremental, `SELECT venda_id FROM gold.fato_devolucoes WHERE devolucao_id = '${repointed.return_id}'`)).toEqual([{ venda_id: repointed.to }]);
    expect((await refundTotals(incremental, repointed.to))[0]).toMatchObject({ q: 1 });
    // The CRM change opened a current version with the new city.
    expect(await rows(incremental, `SELECT cidade, CAST(valido_de AS VARCHAR) AS de FROM gold.dim_cliente
      WHERE cliente_id = '${moved.customer_id}' AND is_atual`)).toEqual([{ cidade: 'Manaus', de: `${NEXT_DAY} 07:00:00` }]);
  });

  it("keeps each customer's first valid sale (silver.customer_first_sales) as the sales history gives it", async () => {
    const expected = await rows(incremental, `SELECT customer_id, origin, order_id, CAST(order_ts AS VARCHAR) AS ts FROM (
        SELECT customer_id, origin, order_id, order_ts,
               row_number() OVER (PARTITION BY customer_id ORDER BY order_ts, origin, order_id) AS rn
        FROM silver.sales_orders WHERE is_valid AND customer_id IS NOT NULL) x
      WHERE rn = 1 ORDER BY customer_id`);
    expect(expected.length).toBeGreaterThan(10);
    expect(await rows(incremental, `SELECT customer_id, origin, order_id, CAST(order_ts AS VARCHAR) AS ts
      FROM silver.customer_first_sales WHERE order_id IS NOT NULL ORDER BY customer_id`)).toEqual(expected);
    // Customers left without a valid sale keep a row without one.
    expect(await rows(incremental, `SELECT customer_id FROM silver.customer_first_sales WHERE order_id IS NULL`))
      .toEqual([{ customer_id: lost.customer_id }]);
  });
});
