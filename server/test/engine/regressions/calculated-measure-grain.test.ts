/**
 * Regression: a calculated measure over another cube's measure (on `customers`, one-to-many
 * `orders`: `{orders.row_count} / {CUBE.row_count}`) ran whole inside the customers per-key
 * subquery and answered 1 where the same response showed 2 orders for 1 customer; one over a third
 * cube's measure produced SQL DuckDB rejects. Each leaf is now computed at its own grain and the
 * expression evaluated afterwards. Expected answers: hand-written SQL aggregating each table on
 * its own, then dividing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FORMATS, num, startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';

// Lisbon: 2 customers, 3 orders, 4 lines; Porto: 1 customer, 2 orders, 2 lines; Faro: 1 customer, no orders.
const SETUP = `
  CREATE TABLE customers (id INTEGER, city VARCHAR);
  INSERT INTO customers VALUES (1, 'Lisbon'), (2, 'Lisbon'), (3, 'Porto'), (4, 'Faro');
  CREATE TABLE orders (id INTEGER, customer_id INTEGER, status VARCHAR);
  INSERT INTO orders VALUES (10, 1, 'paid'), (11, 1, 'open'), (12, 2, 'paid'), (13, 3, 'paid'), (14, 3, 'paid');
  CREATE TABLE lines (id INTEGER, order_id INTEGER, amount DOUBLE);
  INSERT INTO lines VALUES (100, 10, 5), (101, 10, 7), (102, 11, 1), (103, 12, 10), (104, 13, 2), (105, 14, 3);
`;

const MODEL = `
cubes:
  - name: customers
    sql_table: customers
    joins:
      - { name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders}.customer_id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
    measures:
      - { name: row_count, type: count }
      - { name: orders_per_customer, type: number, sql: "{orders.row_count} / {CUBE.row_count}" }
      - { name: amount_per_customer, type: number, sql: "{lines.amount} / {CUBE.row_count}" }
      - { name: amount_per_order_per_customer, type: number, sql: "{orders.amount_per_order} / {row_count}" }
      - { name: mixed, type: number, sql: "{orders.row_count} + count({CUBE}.id)" }
  - name: orders
    sql_table: orders
    joins:
      - { name: lines, relationship: one_to_many, sql: "{CUBE}.id = {lines}.order_id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
    measures:
      # With sql, so a customer without orders (a NULL row of the LEFT JOIN) counts 0 orders.
      - { name: row_count, type: count, sql: id }
      - { name: amount_per_order, type: number, sql: "{lines.amount} / {row_count}" }
  - name: lines
    sql_table: lines
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
    measures:
      - { name: amount, type: sum, sql: amount }
views:
  - name: sales
    cubes:
      - join_path: customers
        includes: [city, orders_per_customer, amount_per_customer]
      - join_path: customers.orders
        prefix: true
        includes: [status, row_count]
`;

describe.each(MODEL_FORMATS)('over a %s model', (format) => {
  let h: HandMadeEngine;
  beforeAll(async () => {
    h = await startHandMadeEngine(SETUP, MODEL, format);
  });
  afterAll(async () => h.close());

  /** Per city: customers, orders and line amounts, each aggregated over its own table. */
  const BY_CITY = `
    WITH c AS (SELECT city, count(*) customers FROM customers GROUP BY city),
         o AS (SELECT cu.city, count(*) orders FROM orders o JOIN customers cu ON cu.id = o.customer_id GROUP BY cu.city),
         l AS (SELECT cu.city, sum(l.amount) amount FROM lines l JOIN orders o ON o.id = l.order_id JOIN customers cu ON cu.id = o.customer_id GROUP BY cu.city)
    SELECT c.city, c.customers, o.orders, l.amount FROM c LEFT JOIN o USING (city) LEFT JOIN l USING (city) ORDER BY c.city`;

  const TOTALS = `SELECT (SELECT count(*) FROM customers) customers, (SELECT count(*) FROM orders) orders, (SELECT sum(amount) FROM lines) amount`;

  describe('a calculated measure over other cubes’ measures', () => {
    it('divides the orders count by the customers count, without dimensions', async () => {
      const [want] = await h.sql(TOTALS);
      const rows = await h.load({ measures: ['customers.orders_per_customer'] });
      expect(num(rows[0]!['customers.orders_per_customer'])).toBeCloseTo(num(want!.orders)! / num(want!.customers)!, 9);
      expect(num(rows[0]!['customers.orders_per_customer'])).toBeCloseTo(5 / 4, 9);
    });

    it('divides per city, next to its leaf measures in the same response', async () => {
      const want = await h.sql(BY_CITY);
      const rows = await h.load({
        measures: ['customers.orders_per_customer', 'orders.row_count', 'customers.row_count'],
        dimensions: ['customers.city'],
        order: { 'customers.city': 'asc' },
      });
      expect(rows.map((r) => r['customers.city'])).toEqual(want.map((w) => w.city));
      rows.forEach((r, i) => {
        const w = want[i]!;
        expect(num(r['customers.row_count'])).toBe(num(w.customers));
        expect(num(r['orders.row_count'])).toBe(num(w.orders) ?? 0);
        const ratio = num(r['customers.orders_per_customer']);
        expect(ratio).toBeCloseTo((num(w.orders) ?? 0) / num(w.customers)!, 9);
        expect(ratio).toBeCloseTo(num(r['orders.row_count'])! / num(r['customers.row_count'])!, 9);
      });
    });

    it('reads a third cube’s measure (lines via orders) at its own grain', async () => {
      const want = await h.sql(BY_CITY);
      const rows = await h.load({ measures: ['customers.amount_per_customer'], dimensions: ['customers.city'], order: { 'customers.city': 'asc' } });
      expect(rows.map((r) => [r['customers.city'], num(r['customers.amount_per_customer'])])).toEqual(
        want.map((w) => [w.city, w.amount === null ? null : num(w.amount)! / num(w.customers)!]),
      );
      const [total] = await h.sql(TOTALS);
      const all = await h.load({ measures: ['customers.amount_per_customer'] });
      expect(num(all[0]!['customers.amount_per_customer'])).toBeCloseTo(num(total!.amount)! / num(total!.customers)!, 9);
    });

    it('follows calculated measures through calculated measures (orders.amount_per_order / customers.row_count)', async () => {
      const [t] = await h.sql(TOTALS);
      const rows = await h.load({ measures: ['customers.amount_per_order_per_customer'] });
      expect(num(rows[0]!['customers.amount_per_order_per_customer'])).toBeCloseTo(num(t!.amount)! / num(t!.orders)! / num(t!.customers)!, 9);
    });

    it('filters on the calculated measure over the combined result', async () => {
      const want = await h.sql(`SELECT city FROM (${BY_CITY}) WHERE coalesce(orders, 0) / customers > 1.6 ORDER BY city`);
      const rows = await h.load({
        measures: ['customers.orders_per_customer'],
        dimensions: ['customers.city'],
        filters: [{ member: 'customers.orders_per_customer', operator: 'gt', values: ['1.6'] }],
        order: { 'customers.city': 'asc' },
      });
      expect(want.map((w) => w.city)).toEqual(['Porto']);
      expect(rows.map((r) => r['customers.city'])).toEqual(want.map((w) => w.city));
    });

    it('filters rows of every leaf by a dimension of the many side', async () => {
      const [want] = await h.sql(`SELECT count(*) FILTER (WHERE o.status = 'paid') orders,
        count(DISTINCT o.customer_id) FILTER (WHERE o.status = 'paid') customers FROM orders o`);
      const rows = await h.load({ measures: ['customers.orders_per_customer'], filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }] });
      expect(num(rows[0]!['customers.orders_per_customer'])).toBeCloseTo(num(want!.orders)! / num(want!.customers)!, 9);
    });

    it('refuses, naming the measure, one that mixes leaf measures with row-level SQL over a multiplying join', async () => {
      const error = await h.load({ measures: ['customers.mixed'] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('customers.mixed') });
    });

    it('answers the same through a view, next to a leaf measure shown under the view', async () => {
      const want = await h.sql(BY_CITY);
      const rows = await h.load({ measures: ['sales.orders_per_customer', 'sales.amount_per_customer', 'sales.orders_row_count'], dimensions: ['sales.city'], order: { 'sales.city': 'asc' } });
      expect(rows.map((r) => [r['sales.city'], num(r['sales.orders_per_customer']), num(r['sales.amount_per_customer']), num(r['sales.orders_row_count'])])).toEqual(
        want.map((w) => [w.city, (num(w.orders) ?? 0) / num(w.customers)!, w.amount === null ? null : num(w.amount)! / num(w.customers)!, num(w.orders) ?? 0]),
      );
    });

    it('orders by the calculated measure and keeps the limit', async () => {
      const want = await h.sql(`SELECT city, coalesce(orders, 0) / customers r FROM (${BY_CITY}) ORDER BY r DESC LIMIT 2`);
      const rows = await h.load({ measures: ['customers.orders_per_customer'], dimensions: ['customers.city'], order: { 'customers.orders_per_customer': 'desc' }, limit: 2 });
      expect(rows.map((r) => [r['customers.city'], num(r['customers.orders_per_customer'])])).toEqual(want.map((w) => [w.city, num(w.r)]));
    });
  });
});
