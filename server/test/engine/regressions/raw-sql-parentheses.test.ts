/**
 * Regression: raw SQL from the model (measure `filters`, segments, dimension SQL) was placed next
 * to AND/OR and comparisons without parentheses, so `a AND b AND c OR NOT d` read as
 * `(a AND b AND c) OR NOT d` and counted rows it must not. Each expected answer is hand-written
 * SQL over the same literal rows, with the grouping written out, plus the count by eye.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FORMATS, num, startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';

// Row 2 is the trap: a = false, so every AND-ed filter fails, but NOT is_current is true. Row 6
// makes \`b = 3 OR a\` NULL, which only the ungrouped \`b = 3 OR a IS NOT NULL\` would count.
const SETUP = `
  CREATE TABLE statuses (id INTEGER, status VARCHAR);
  INSERT INTO statuses VALUES (1, 'Y'), (2, 'X');
  CREATE TABLE dates (id INTEGER, is_current BOOLEAN);
  INSERT INTO dates VALUES (1, true), (2, false);
  CREATE TABLE orders (id INTEGER, a BOOLEAN, b INTEGER, status_id INTEGER, date_id INTEGER);
  INSERT INTO orders VALUES
    (1, true,  1, 1, 1),
    (2, false, 1, 2, 2),
    (3, true,  2, 2, 1),
    (4, false, 3, 1, 1),
    (5, true,  3, 2, 1),
    (6, false, NULL, 1, 1);
`;

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - { name: other, relationship: many_to_one, sql: "{CUBE}.status_id = {other}.id" }
      - { name: dates, relationship: many_to_one, sql: "{CUBE}.date_id = {dates}.id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: a, sql: a, type: boolean }
      - { name: b, sql: b, type: number }
      - { name: b_or_a, sql: "{CUBE}.b = 3 OR {CUBE}.a", type: boolean }
    measures:
      - { name: count, type: count }
      - name: filtered_count
        type: count
        filters:
          - sql: "{CUBE}.a = true"
          - sql: "{CUBE}.b = 1"
          - sql: "{other.status} != 'X' OR NOT {dates.is_current}"
    segments:
      - { name: b_two_or_three, sql: "{CUBE}.b = 2 OR {CUBE}.b = 3" }
  - name: other
    sql_table: statuses
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
  - name: dates
    sql_table: dates
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: is_current, sql: is_current, type: boolean }
`;

describe.each(MODEL_FORMATS)('over a %s model', (format) => {
  let h: HandMadeEngine;
  beforeAll(async () => {
    h = await startHandMadeEngine(SETUP, MODEL, format);
  });
  afterAll(async () => h.close());

  async function handCount(where: string): Promise<number> {
    const rows = await h.sql(`SELECT count(*) n FROM orders o JOIN statuses s ON o.status_id = s.id JOIN dates d ON o.date_id = d.id WHERE ${where}`);
    return num(rows[0]!.n)!;
  }

  describe('raw model SQL keeps its own grouping', () => {
    it('a measure filter containing OR is one predicate among the AND-ed filters (1, not 2)', async () => {
      const rows = await h.load({ measures: ['orders.filtered_count'] });
      const want = await handCount(`o.a = true AND o.b = 1 AND (s.status <> 'X' OR NOT d.is_current)`);
      expect(want).toBe(1);
      expect(num(rows[0]!['orders.filtered_count'])).toBe(want);
    });

    it('the filtered measure by a dimension matches the hand count of each group', async () => {
      const rows = await h.load({ measures: ['orders.filtered_count'], dimensions: ['orders.b'], order: { 'orders.b': 'asc' } });
      const want = await h.sql(`
        SELECT o.b, count(CASE WHEN o.a = true AND o.b = 1 AND (s.status <> 'X' OR NOT d.is_current) THEN 1 END) n
        FROM orders o JOIN statuses s ON o.status_id = s.id JOIN dates d ON o.date_id = d.id GROUP BY 1 ORDER BY 1`);
      expect(rows.map((r) => [num(r['orders.b']), num(r['orders.filtered_count'])])).toEqual(want.map((r) => [num(r.b), num(r.n)]));
    });

    it('a segment containing OR, combined with a query filter, keeps the filter on both sides of the OR', async () => {
      const rows = await h.load({ measures: ['orders.count'], segments: ['orders.b_two_or_three'], filters: [{ member: 'orders.a', operator: 'equals', values: ['true'] }] });
      const want = await handCount(`o.a = true AND (o.b = 2 OR o.b = 3)`);
      expect(want).toBe(2);
      expect(num(rows[0]!['orders.count'])).toBe(want);
    });

    it('a dimension whose SQL contains OR is compared as a whole', async () => {
      const rows = await h.load({ measures: ['orders.count'], filters: [{ member: 'orders.b_or_a', operator: 'equals', values: ['false'] }] });
      const want = await handCount(`(o.b = 3 OR o.a) = false`);
      expect(want).toBe(1);
      expect(num(rows[0]!['orders.count'])).toBe(want);
    });

    it('a dimension whose SQL contains OR is tested for NULL as a whole', async () => {
      const rows = await h.load({ measures: ['orders.count'], filters: [{ member: 'orders.b_or_a', operator: 'set' }] });
      const want = await handCount('(o.b = 3 OR o.a) IS NOT NULL');
      expect(want).toBe(5);
      expect(num(rows[0]!['orders.count'])).toBe(want);
    });
  });
});
