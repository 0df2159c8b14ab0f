import { describe, expect, it } from 'vitest';
import { compileModel } from '../model/compile-model.ts';
import { normalizeQuery } from '../query/normalize-query.ts';
import { buildPlan } from './build-plan.ts';

const model = compileModel([
  {
    path: 'm.yml',
    content: `
cubes:
  - name: customers
    sql_table: customers
    joins:
      - { name: orders, relationship: one_to_many, sql: "{CUBE}.id = {orders}.customer_id" }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: city, sql: city, type: string }
    measures:
      - { name: count, type: count }
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: created, sql: created_at, type: time }
      - { name: status, sql: status, type: string }
    measures:
      - { name: revenue, type: sum, sql: amount }
      - { name: running, type: running_total, sql: amount }
      - { name: last_week, type: sum, sql: amount, rolling_window: { trailing: 1 week } }
`,
  },
]);
const plan = (q: object) => buildPlan(model, normalizeQuery(model, q, { now: new Date('2024-06-15T00:00:00Z') }));

describe('buildPlan', () => {
  it('aggregates measures of a cube multiplied by a one-to-many join by primary key', () => {
    const p = plan({ measures: ['customers.count', 'orders.revenue'], dimensions: ['customers.city'] });
    expect(p.joinTree.multipliedCubes.has('customers')).toBe(true);
    expect(p.nodes.map((n) => n.kind).sort()).toEqual(['aggregate', 'multipliedAggregate']);
  });

  it('keeps a single plain aggregate when nothing is multiplied', () => {
    expect(plan({ measures: ['orders.revenue'], dimensions: ['orders.status'] }).nodes.map((n) => n.kind)).toEqual(['aggregate']);
  });

  it('groups cumulative measures by window over a date series of the granularity', () => {
    const p = plan({ measures: ['orders.running', 'orders.last_week', 'orders.revenue'], timeDimensions: [{ dimension: 'orders.created', granularity: 'month', dateRange: ['2024-01-01', '2024-03-31'] }] });
    const rolling = p.nodes.filter((n) => n.kind === 'rollingWindow');
    expect(rolling).toHaveLength(2);
    expect(rolling[0]!.kind === 'rollingWindow' && rolling[0]!.buckets.map((b) => b[0])).toEqual(['2024-01-01T00:00:00.000', '2024-02-01T00:00:00.000', '2024-03-01T00:00:00.000']);
  });

  it('treats a cumulative measure without time dimension as a plain aggregate', () => {
    expect(plan({ measures: ['orders.running'] }).nodes.map((n) => n.kind)).toEqual(['aggregate']);
  });

  it('asks for a date range when a rolling window has a granularity but no range', () => {
    expect(() => plan({ measures: ['orders.last_week'], timeDimensions: [{ dimension: 'orders.created', granularity: 'day' }] })).toThrow(/dateRange/);
  });

  it('splits measure filters (HAVING) from dimension filters (WHERE)', () => {
    const p = plan({ measures: ['orders.revenue'], filters: [{ member: 'orders.revenue', operator: 'gt', values: [1] }, { member: 'orders.status', operator: 'equals', values: ['paid'] }] });
    expect(p.having).toHaveLength(1);
    expect(p.where).toHaveLength(1);
  });

  it('orders by a measure only the order names, computed but not among the outputs (Cube Tesseract)', () => {
    const p = plan({ measures: ['orders.revenue'], dimensions: ['orders.status'], order: { 'customers.count': 'desc', 'orders.status': 'asc' } });
    expect(p.order).toEqual([{ sqlAlias: 'customers__count', direction: 'desc' }, { sqlAlias: 'orders__status', direction: 'asc' }]);
    expect(p.outputs.map((o) => o.sqlAlias)).toEqual(['orders__status', 'orders__revenue']);
  });

  it('refuses an order on a dimension the query does not group by, naming it', () => {
    expect(() => plan({ measures: ['orders.revenue'], order: { 'orders.status': 'asc' } })).toThrow(/cannot order by orders\.status/);
  });
});
