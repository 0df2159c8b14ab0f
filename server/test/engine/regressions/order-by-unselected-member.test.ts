/**
 * Regression (QA 2026-12-07): an `order` on a measure the query does not select was dropped from
 * the SQL while `query.order` echoed it, so `limit: 1` answered an arbitrary group. Cube's Tesseract
 * planner computes such a measure for ORDER BY without answering it (cube-js/cube#10218): so do we,
 * through REST, GraphQL and rollups (a rollup serves only when it holds the measure). A dimension
 * the query does not group by cannot order its groups: a 400 naming it, never a dropped key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.ts';
import { ctx, rowsOf } from '../../support/hand-made-engine.ts';
import { postGraphql } from '../../support/api-requests.ts';
import { SALES_SQL } from './qa-model.ts';

const MODEL = `
cubes:
  - name: sales
    sql_table: sales
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: channel
        sql: channel
        type: string
      - name: sold_at
        sql: sold_at
        type: time
    measures:
      - name: count
        type: count
      - name: amount
        sql: amount
        type: sum
      - name: biggest
        sql: amount
        type: max
    pre_aggregations:
      - name: by_day
        measures: [count, amount]
        dimensions: [channel]
        time_dimension: sold_at
        granularity: day
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: { sql: SALES_SQL }, model: { files: { 'cubes/sales.yml': MODEL } }, preaggs: true, serve: { http: true } });
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel(), { force: true });
  expect(statuses.map((s) => s.state)).toEqual(['ready']);
}, 120_000);
afterAll(async () => stack?.close());

/** The channels ordered by a hand-written aggregate (ties broken by name, never present here). */
async function channelsBy(aggregate: string, direction: 'ASC' | 'DESC'): Promise<string[]> {
  const rows = await stack.hand(`SELECT channel, ${aggregate} AS v FROM sales GROUP BY channel ORDER BY v ${direction}, channel`);
  return rows.map((r) => String(r.channel));
}

async function postLoad(query: object): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${stack.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('order by a measure the query does not select', () => {
  it.each(['asc', 'desc'] as const)('orders the groups by it (%s) and answers only the selected members', async (direction) => {
    const { status, body } = await postLoad({ measures: ['sales.count'], dimensions: ['sales.channel'], order: { 'sales.biggest': direction } });
    expect(status).toBe(200);
    expect(body.data.map((r: Record<string, unknown>) => r['sales.channel'])).toEqual(await channelsBy('max(amount)', direction === 'asc' ? 'ASC' : 'DESC'));
    expect(Object.keys(body.data[0]).sort()).toEqual(['sales.channel', 'sales.count']);
    expect(body.query.measures).toEqual(['sales.count']);
    expect(body.query.order).toEqual([{ id: 'sales.biggest', desc: direction === 'desc' }]);
    expect(Object.keys(body.annotation.measures)).toEqual(['sales.count']);
  });

  it('answers the right group under limit 1 (the QA probe)', async () => {
    const { body } = await postLoad({ measures: ['sales.count'], dimensions: ['sales.channel'], order: { 'sales.amount': 'desc' }, limit: 1 });
    const [highest] = await channelsBy('sum(amount)', 'DESC');
    expect(body.data).toEqual([{ 'sales.channel': highest, 'sales.count': expect.anything() }]);
  });

  it('is served by a rollup holding the measure, in that order', async () => {
    const query = { measures: ['sales.count'], dimensions: ['sales.channel'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-03-01', '2025-03-31'] }], order: { 'sales.amount': 'desc' } };
    const result = (await stack.engine.load(query as never, ctx)).results[0]!;
    expect(Object.keys(result.usedPreAggregations ?? {})).toEqual(['sales.by_day']);
    expect(rowsOf(result).map((r) => r['sales.channel'])).toEqual(await channelsBy('sum(amount)', 'DESC'));
  });

  it('is answered by the source when no rollup holds the measure', async () => {
    const query = { measures: ['sales.count'], dimensions: ['sales.channel'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange: ['2025-03-01', '2025-03-31'] }], order: { 'sales.biggest': 'asc' } };
    const result = (await stack.engine.load(query as never, ctx)).results[0]!;
    expect(result.usedPreAggregations ?? {}).toEqual({});
    expect(rowsOf(result).map((r) => r['sales.channel'])).toEqual(await channelsBy('max(amount)', 'ASC'));
  });

  it('orders GraphQL answers too', async () => {
    const { status, body } = await postGraphql(stack.url, { query: '{ cube(limit: 1, orderBy: { sales: { amount: desc } }) { sales { count channel } } }' });
    expect(status).toBe(200);
    const [highest] = await channelsBy('sum(amount)', 'DESC');
    expect(body.data).toEqual({ cube: [{ sales: { count: expect.anything(), channel: highest } }] });
  });
});

describe('order by a member the query cannot order by', () => {
  it('refuses a dimension the query does not group by with a 400 naming it', async () => {
    const { status, body } = await postLoad({ measures: ['sales.count'], dimensions: ['sales.channel'], order: { 'sales.sold_at': 'asc' } });
    expect(status).toBe(400);
    expect(body.error).toContain('sales.sold_at');
  });

  it('refuses a time dimension ordered at a granularity the query does not ask', async () => {
    const { status, body } = await postLoad({ measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', granularity: 'day' }], order: { 'sales.sold_at.month': 'asc' } });
    expect(status).toBe(400);
    expect(body.error).toContain('sales.sold_at.month');
  });
});
