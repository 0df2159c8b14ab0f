/**
 * Regression: `sub_query: true` dimensions were parsed and never planned, so their SQL put an
 * aggregate where a row value belongs (`count(count(*))`, an aggregate in GROUP BY). They are now a
 * per-key subquery joined to their cube. Expected answers are hand-written correlated subqueries
 * (Cube's definition of the feature) over the same literal rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FORMATS, num, startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';

// Orders per customer: 1 → 2, 2 → 2, 3 → 1, 4 → none, 5 → 3.
const SETUP = `
  CREATE TABLE customers (id INTEGER, city VARCHAR);
  INSERT INTO customers VALUES (1, 'Lisbon'), (2, 'Lisbon'), (3, 'Porto'), (4, 'Porto'), (5, 'Faro');
  CREATE TABLE orders (id INTEGER, customer_id INTEGER, status VARCHAR, amount DOUBLE, created_at TIMESTAMP);
  INSERT INTO orders VALUES
    (10, 1, 'paid', 5, '2024-01-05'), (11, 1, 'open', 7, '2024-02-05'), (12, 2, 'paid', 1, '2024-01-10'), (13, 2, 'paid', 2, '2024-03-01'),
    (14, 3, 'open', 10, '2024-01-20'), (15, 5, 'paid', 3, '2024-02-10'), (16, 5, 'paid', 4, '2024-02-11'), (17, 5, 'open', 6, '2024-01-30');
`;

const MODEL = `
cubes:
  - name: customers
    sql_table: customers
    joins:
      - { name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders}.customer_id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: city, sql: city, type: string }
      - { name: total_orders, sql: "{orders.count}", type: number, sub_query: true }
      - { name: total_amount, sql: "{orders.amount}", type: number, sub_query: true }
      - { name: propagated, sql: "{orders.count}", type: number, sub_query: true, propagate_filters_to_sub_query: true }
    measures:
      - { name: count, type: count }
      - { name: avg_orders, type: avg, sql: "{total_orders}" }
      - { name: max_amount, type: max, sql: "{total_amount}" }
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: created, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: amount, type: sum, sql: amount }
`;

describe.each(MODEL_FORMATS)('over a %s model', (format) => {
  let h: HandMadeEngine;
  beforeAll(async () => {
    h = await startHandMadeEngine(SETUP, MODEL, format);
  });
  afterAll(async () => h.close());

  /** Each customer with its correlated subqueries, as Cube's documentation defines the dimension. */
  const PER_CUSTOMER = `
    SELECT c.id, c.city,
           (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) total_orders,
           (SELECT sum(o.amount) FROM orders o WHERE o.customer_id = c.id) total_amount
    FROM customers c`;

  const pairs = (rows: Record<string, unknown>[], a: string, b: string): (number | string | null)[][] =>
    rows.map((r) => [typeof r[a] === 'string' && Number.isNaN(Number(r[a])) ? (r[a] as string) : num(r[a]), num(r[b])]);

  describe('sub_query dimensions', () => {
    it('groups by the per-customer order count (a customer without orders counts 0)', async () => {
      const want = await h.sql(`SELECT total_orders, count(*) n FROM (${PER_CUSTOMER}) GROUP BY 1 ORDER BY 1`);
      const rows = await h.load({ measures: ['customers.count'], dimensions: ['customers.total_orders'], order: { 'customers.total_orders': 'asc' } });
      expect(pairs(want, 'total_orders', 'n')).toEqual([[0, 1], [1, 1], [2, 2], [3, 1]]);
      expect(pairs(rows, 'customers.total_orders', 'customers.count')).toEqual(pairs(want, 'total_orders', 'n'));
    });

    it('shows the value per customer next to the customer key', async () => {
      const want = await h.sql(`SELECT id, total_orders, total_amount FROM (${PER_CUSTOMER}) ORDER BY id`);
      const rows = await h.load({ dimensions: ['customers.id', 'customers.total_orders', 'customers.total_amount'], order: { 'customers.id': 'asc' } });
      expect(rows.map((r) => [num(r['customers.id']), num(r['customers.total_orders']), num(r['customers.total_amount'])])).toEqual(
        want.map((w) => [num(w.id), num(w.total_orders), num(w.total_amount)]),
      );
    });

    it('filters on it', async () => {
      const want = await h.sql(`SELECT city, count(*) n FROM (${PER_CUSTOMER}) WHERE total_orders >= 2 GROUP BY 1 ORDER BY 1`);
      const rows = await h.load({
        measures: ['customers.count'],
        dimensions: ['customers.city'],
        filters: [{ member: 'customers.total_orders', operator: 'gte', values: ['2'] }],
        order: { 'customers.city': 'asc' },
      });
      expect(pairs(rows, 'customers.city', 'customers.count')).toEqual(pairs(want, 'city', 'n'));
      expect(rows.length).toBe(2);
    });

    it('feeds measures of its cube (avg of per-customer counts by city)', async () => {
      const want = await h.sql(`SELECT city, avg(total_orders) a, max(total_amount) m FROM (${PER_CUSTOMER}) GROUP BY 1 ORDER BY 1`);
      const rows = await h.load({ measures: ['customers.avg_orders', 'customers.max_amount'], dimensions: ['customers.city'], order: { 'customers.city': 'asc' } });
      expect(rows.map((r) => [r['customers.city'], num(r['customers.avg_orders']), num(r['customers.max_amount'])])).toEqual(
        want.map((w) => [w.city, num(w.a), num(w.m)]),
      );
    });

    it('keeps the whole per-customer count when the query filters and aggregates the other cube', async () => {
      // The query's filter on orders does not reach inside the subquery (Cube's default); customers.count
      // is multiplied by the join to orders and computed per key, its measure aggregating the dimension.
      const want = await h.sql(`
        SELECT p.city, count(DISTINCT p.id) customers, count(o.id) paid
        FROM (${PER_CUSTOMER}) p JOIN orders o ON o.customer_id = p.id AND o.status = 'paid' GROUP BY 1 ORDER BY 1`);
      const rows = await h.load({
        measures: ['customers.count', 'customers.avg_orders', 'orders.count'],
        dimensions: ['customers.city'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
        order: { 'customers.city': 'asc' },
      });
      const perKey = await h.sql(`
        SELECT city, avg(total_orders) a FROM (${PER_CUSTOMER}) p
        WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = p.id AND o.status = 'paid') GROUP BY 1 ORDER BY 1`);
      expect(rows.map((r) => [r['customers.city'], num(r['customers.count']), num(r['customers.avg_orders']), num(r['orders.count'])])).toEqual(
        want.map((w, i) => [w.city, num(w.customers), num(perKey[i]!.a), num(w.paid)]),
      );
    });

    it('with propagate_filters_to_sub_query, applies the query’s filters and date ranges inside; without, not', async () => {
      const rows = await h.load({
        dimensions: ['customers.id', 'customers.propagated', 'customers.total_orders'],
        filters: [{ member: 'orders.status', operator: 'equals', values: ['paid'] }],
        timeDimensions: [{ dimension: 'orders.created', dateRange: ['2024-01-01', '2024-02-10'] }],
        order: { 'customers.id': 'asc' },
      });
      const inRange = `o.customer_id = c.id AND o.status = 'paid' AND o.created_at >= TIMESTAMP '2024-01-01' AND o.created_at < TIMESTAMP '2024-02-11'`;
      const want = await h.sql(`
        SELECT c.id, (SELECT count(*) FROM orders o WHERE ${inRange}) propagated,
               (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) total_orders
        FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE ${inRange}) ORDER BY c.id`);
      expect(want.map((w) => [num(w.id), num(w.propagated), num(w.total_orders)])).toEqual([[1, 1, 2], [2, 1, 2], [5, 1, 3]]);
      expect(rows.map((r) => [num(r['customers.id']), num(r['customers.propagated']), num(r['customers.total_orders'])])).toEqual(
        want.map((w) => [num(w.id), num(w.propagated), num(w.total_orders)]),
      );
    });

    it('refuses a sub_query dimension over a measure of its own cube, naming the member, file and line', async () => {
      const own = await startHandMadeEngine(SETUP, MODEL.replace('{ name: total_amount, sql: "{orders.amount}"', '{ name: total_amount, sql: "{customers.count}"'), format);
      try {
        const error = await own.load({ dimensions: ['customers.total_amount'] }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/customers\.total_amount \(cubes\/test\.(yml|js):\d+\).*customers\.count/) });
      } finally {
        await own.close();
      }
    });
  });

  describe('sub_query dimensions under an access policy', () => {
    const policed = MODEL.replace(
      '  - name: orders\n    sql_table: orders\n',
      '  - name: orders\n    sql_table: orders\n    access_policy:\n      - group: paid_only\n        row_level:\n          filters: [{ member: orders.status, operator: equals, values: [paid] }]\n',
    ).replace(
      '    measures:\n      - { name: count, type: count }\n      - { name: avg_orders',
      '    access_policy:\n      - group: paid_only\n    measures:\n      - { name: count, type: count }\n      - { name: avg_orders',
    );
    let p: HandMadeEngine;
    beforeAll(async () => {
      expect(policed).toContain('group: paid_only\n        row_level');
      expect(policed.match(/group: paid_only/g)).toHaveLength(2);
      p = await startHandMadeEngine(SETUP, policed, format);
    });
    afterAll(async () => p.close());

    it('counts only the rows the policy lets the caller see, inside the subquery too', async () => {
      const rows = await p.load({ dimensions: ['customers.id', 'customers.total_orders'], order: { 'customers.id': 'asc' } }, { groups: ['paid_only'] });
      const want = await p.sql(`
        SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') total_orders
        FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') ORDER BY c.id`);
      expect(want.map((w) => [num(w.id), num(w.total_orders)])).toEqual([[1, 1], [2, 2], [5, 2]]);
      expect(rows.map((r) => [num(r['customers.id']), num(r['customers.total_orders'])])).toEqual(want.map((w) => [num(w.id), num(w.total_orders)]));
    });
  });

  describe('a sub_query dimension over a cube whose join is declared on the other side', () => {
    // tickets many_to_one users: users cannot reach tickets, so the subquery starts from tickets.
    const SETUP_T = `
      CREATE TABLE users (id INTEGER, team VARCHAR);
      INSERT INTO users VALUES (1, 'a'), (2, 'a'), (3, 'b');
      CREATE TABLE tickets (id INTEGER, user_id INTEGER, hours DOUBLE);
      INSERT INTO tickets VALUES (1, 1, 2), (2, 1, 3), (3, 2, 1), (4, 3, 4), (5, 3, 4), (6, 3, 1);
    `;
    const MODEL_T = `
  cubes:
    - name: users
      sql_table: users
      dimensions:
        - { name: id, sql: id, type: number, primary_key: true, public: true }
        - { name: team, sql: team, type: string }
        - { name: ticket_count, sql: "{tickets.count}", type: number, sub_query: true }
      measures:
        - { name: count, type: count }
    - name: tickets
      sql_table: tickets
      joins:
        - { name: users, relationship: many_to_one, sql: "{CUBE}.user_id = {users}.id" }
      dimensions:
        - { name: id, sql: id, type: number, primary_key: true }
      measures:
        - { name: count, type: count }
        - { name: hours, type: sum, sql: hours }
  `;
    let t: HandMadeEngine;
    beforeAll(async () => {
      t = await startHandMadeEngine(SETUP_T, MODEL_T, format);
    });
    afterAll(async () => t.close());

    it('groups users by their ticket count', async () => {
      const want = await t.sql(`SELECT (SELECT count(*) FROM tickets k WHERE k.user_id = u.id) n, count(*) users FROM users u GROUP BY 1 ORDER BY 1`);
      const rows = await t.load({ measures: ['users.count'], dimensions: ['users.ticket_count'], order: { 'users.ticket_count': 'asc' } });
      expect(want.map((w) => [num(w.n), num(w.users)])).toEqual([[1, 1], [2, 1], [3, 1]]);
      expect(rows.map((r) => [num(r['users.ticket_count']), num(r['users.count'])])).toEqual(want.map((w) => [num(w.n), num(w.users)]));
    });
  });
});
