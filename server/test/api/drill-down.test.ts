/**
 * Drill-down as an app developer uses it: `@cubejs-client/core` loads a chart over HTTP, the user
 * clicks one figure, `resultSet.drillDown({ xValues, yValues })` returns a query (the measure's
 * `drillMembersGrouped`, a `measureFilter` on the measure, the clicked dimension as `equals`, the
 * clicked bucket as a date range in the query's time zone) and loading it answers the rows behind
 * the figure. `measureFilter` is Cube's operator for "the rows the measure's own `filters:` keep": a
 * row condition (WHERE), also on its own in any query, served by a rollup only when the rollup
 * stores every dimension the condition reads.
 *
 * Expected rows come from SQL written here over the same DuckDB file. América/São Paulo has kept
 * UTC−3 all year since 2019, so local times are `created_at - INTERVAL 3 HOUR` in that SQL.
 */
import cube, { ResultSet } from '@cubejs-client/core';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { normalized } from '../support/hand-made-engine.ts';

const DATA_SQL = `
CREATE TABLE customers (id INTEGER, name VARCHAR, tier VARCHAR);
INSERT INTO customers VALUES (1, 'Ana', 'vip'), (2, 'Bruno', 'regular'), (3, 'Carla', 'vip');
CREATE TABLE orders (id INTEGER, customer_id INTEGER, status VARCHAR, channel VARCHAR, amount DECIMAL(12,2), created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, 1, 'completed', 'site', 100, '2025-01-10 12:00:00'),
  (2, 2, 'completed', 'site',  40, '2025-01-20 15:00:00'),
  (3, 3, 'cancelled', 'site',  70, '2025-01-21 09:00:00'),
  (4, 1, 'completed', 'app',   25, '2025-01-22 10:00:00'),
  (5, 2, 'completed', 'site',  60, '2025-02-01 01:30:00'),
  (6, 3, 'completed', 'site',  80, '2025-02-01 04:00:00'),
  (7, 1, 'pending',   'app',   15, '2025-02-14 18:00:00'),
  (8, 2, 'completed', 'app',   35, '2025-03-02 08:00:00'),
  (9, 3, 'completed', 'site',  90, '2025-03-31 23:30:00');
`;

const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    joins:
      - name: customers
        relationship: many_to_one
        sql: "{CUBE}.customer_id = {customers}.id"
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: status
        sql: status
        type: string
      - name: channel
        sql: channel
        type: string
      - name: created_at
        sql: created_at
        type: time
        granularities:
          - name: fortnight
            interval: 2 weeks
            origin: "2025-01-06"
    measures:
      - name: count
        type: count
      - name: revenue
        sql: amount
        type: sum
      - name: completed_revenue
        sql: amount
        type: sum
        filters:
          - sql: "{status} = 'completed'"
        drill_members: [id, status, channel, created_at, customers.name]
      - name: completed_count
        type: count
        filters:
          - sql: "{CUBE}.status = 'completed'"
      - name: vip_revenue
        sql: amount
        type: sum
        filters:
          - sql: "{customers.tier} = 'vip'"
        drill_members: [id, customers.name]
    access_policy:
      - group: analyst
      # A channel team sees only its channel's rows and not the VIP figures.
      - group: site_team
        member_level:
          excludes: [vip_revenue]
        row_level:
          filters:
            - member: channel
              operator: equals
              values: [site]
    pre_aggregations:
      - name: by_status_channel_month
        measures: [count, revenue]
        dimensions: [status, channel]
        time_dimension: created_at
        granularity: month

  - name: customers
    sql_table: customers
    access_policy:
      - groups: [analyst, site_team]
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: name
        sql: name
        type: string
      - name: tier
        sql: tier
        type: string

views:
  - name: sales
    cubes:
      - join_path: orders
        includes: [id, status, created_at, completed_revenue, count]
      - join_path: orders.customers
        includes: [name]
`;

const SECRET = 'drill-down-suite-secret-0123456789abcdef';
let stack: Stack;
let api: ReturnType<typeof cube>;
let token: string;

beforeAll(async () => {
  stack = await startStack({ data: { sql: DATA_SQL }, model: { files: { 'cubes/orders.yml': MODEL } }, preaggs: true, security: { secret: SECRET }, serve: { http: true } });
  const statuses = await stack.preAggregations!.refresher.refresh(stack.engine.currentModel(), { force: true });
  expect(statuses.map((s) => [s.id, s.state])).toEqual([['orders.by_status_channel_month', 'ready']]);
  token = await tokenFor(['analyst']);
  api = cube(token, { apiUrl: `${stack.url}/cubejs-api/v1` });
}, 120_000);
afterAll(async () => stack?.close());

function tokenFor(groups: string[]): Promise<string> {
  return new SignJWT({ user: groups[0], groups }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
}

/** POST /load (as the analyst unless another token is given); the status and the parsed body. */
async function postLoad(query: object, as = token): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${stack.url}/cubejs-api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: as }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A detail row as the hand SQL writes it: local time as Cube formats it. */
const LOCAL_TIME = (column: string, hours: number) => `strftime(${column} - INTERVAL ${hours} HOUR, '%Y-%m-%dT%H:%M:%S.000')`;

const completedBySiteMonth = {
  measures: ['orders.completed_revenue'],
  dimensions: ['orders.channel'],
  timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' as const, dateRange: ['2025-01-01', '2025-03-31'] as [string, string] }],
  timezone: 'America/Sao_Paulo',
};

describe('drillDown with @cubejs-client/core', () => {
  it('answers the rows behind one clicked cell: measure filter applied, bucket in the query time zone', async () => {
    const resultSet = await api.load(completedBySiteMonth);
    // The figure clicked: site, January (São Paulo time), as the chart shows it.
    const january = resultSet.rawData().find((r) => r['orders.created_at.month'] === '2025-01-01T00:00:00.000' && r['orders.channel'] === 'site');
    const [figure] = await stack.hand(
      `SELECT sum(amount) AS total FROM orders WHERE status = 'completed' AND channel = 'site' AND created_at - INTERVAL 3 HOUR >= TIMESTAMP '2025-01-01' AND created_at - INTERVAL 3 HOUR < TIMESTAMP '2025-02-01'`,
    );
    expect(Number(january?.['orders.completed_revenue'])).toBe(Number(figure!.total));

    const drill = resultSet.drillDown({ xValues: ['2025-01-01T00:00:00.000'], yValues: ['site', 'orders.completed_revenue'] });
    expect(drill).toMatchObject({
      dimensions: ['orders.id', 'orders.status', 'orders.channel', 'orders.created_at', 'customers.name'],
      filters: expect.arrayContaining([{ member: 'orders.completed_revenue', operator: 'measureFilter' }, { member: 'orders.channel', operator: 'equals', values: ['site'] }]),
      timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2025-01-01T00:00:00.000', '2025-01-31T23:59:59.999'] }],
      timezone: 'America/Sao_Paulo',
    });

    const rows = (await api.load(drill!)).rawData();
    const expected = await stack.hand(`
      SELECT o.id AS "orders.id", o.status AS "orders.status", o.channel AS "orders.channel",
             ${LOCAL_TIME('o.created_at', 3)} AS "orders.created_at", c.name AS "customers.name"
      FROM orders o LEFT JOIN customers c ON o.customer_id = c.id
      WHERE o.status = 'completed' AND o.channel = 'site'
        AND o.created_at - INTERVAL 3 HOUR >= TIMESTAMP '2025-01-01' AND o.created_at - INTERVAL 3 HOUR < TIMESTAMP '2025-02-01'
      ORDER BY o.id`);
    expect(expected.map((r) => r['orders.id'])).toEqual([1, 2, 5]); // order 5 is 31 Jan in São Paulo, 1 Feb in UTC; 3 is cancelled
    expect(normalized(rows)).toEqual(normalized(expected));
    // The detail rows add up to the figure clicked.
    const [sum] = await stack.hand(`SELECT sum(amount) AS total FROM orders WHERE id IN (${rows.map((r) => Number(r['orders.id'])).join(', ')})`);
    expect(Number(sum!.total)).toBe(Number(figure!.total));
  });

  it('drills into a measure whose filter reads a joined cube, from a ResultSet over the raw HTTP answer', async () => {
    const { status, body } = await postLoad({ measures: ['orders.vip_revenue'], dimensions: ['orders.status'], order: { 'orders.status': 'asc' } });
    expect(status).toBe(200);
    const resultSet = new ResultSet(body as never);
    const drill = resultSet.drillDown({ xValues: ['completed'], yValues: ['orders.vip_revenue'] });
    expect(drill).toMatchObject({ dimensions: ['orders.id', 'customers.name'], filters: [{ member: 'orders.vip_revenue', operator: 'measureFilter' }, { member: 'orders.status', operator: 'equals', values: ['completed'] }] });
    const detail = await postLoad(drill!);
    expect(detail.status).toBe(200);
    const expected = await stack.hand(`
      SELECT o.id AS "orders.id", c.name AS "customers.name" FROM orders o LEFT JOIN customers c ON o.customer_id = c.id
      WHERE c.tier = 'vip' AND o.status = 'completed' ORDER BY o.id`);
    expect(normalized(detail.body.data)).toEqual(normalized(expected));
  });

  it('drills into a bucket of a custom granularity: the annotation gives the client its interval and origin', async () => {
    const resultSet = await api.load({
      measures: ['orders.completed_revenue'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'fortnight', dateRange: ['2025-01-06', '2025-03-30'] }],
    });
    expect(resultSet.annotation().timeDimensions['orders.created_at.fortnight']!.granularity).toEqual({ name: 'fortnight', title: 'Fortnight', interval: '2 weeks', origin: '2025-01-06' });
    const drill = resultSet.drillDown({ xValues: ['2025-01-20T00:00:00.000'], yValues: ['orders.completed_revenue'] });
    expect(drill!.timeDimensions).toEqual([{ dimension: 'orders.created_at', dateRange: ['2025-01-20T00:00:00.000', '2025-02-02T23:59:59.999'] }]);
    const rows = (await api.load(drill!)).rawData();
    const expected = await stack.hand(`
      SELECT o.id AS "orders.id", o.status AS "orders.status", o.channel AS "orders.channel", ${LOCAL_TIME('o.created_at', 0)} AS "orders.created_at", c.name AS "customers.name"
      FROM orders o LEFT JOIN customers c ON o.customer_id = c.id
      WHERE o.status = 'completed' AND o.created_at >= TIMESTAMP '2025-01-20' AND o.created_at < TIMESTAMP '2025-02-03'`);
    expect(expected.map((r) => r['orders.id']).sort()).toEqual([2, 4, 5, 6]);
    expect(normalized(rows)).toEqual(normalized(expected));
  });

  it('drills through a view: its names, only the drill members it includes, the measure filter of the cube measure', async () => {
    const resultSet = await api.load({ measures: ['sales.completed_revenue'], dimensions: ['sales.name'], order: { 'sales.name': 'asc' } });
    expect(resultSet.annotation().measures['sales.completed_revenue']).toMatchObject({
      drillMembers: ['sales.id', 'sales.status', 'sales.created_at', 'sales.name'],
      drillMembersGrouped: { measures: [], dimensions: ['sales.id', 'sales.status', 'sales.created_at', 'sales.name'] },
    });
    const drill = resultSet.drillDown({ xValues: ['Carla'], yValues: ['sales.completed_revenue'] });
    const rows = (await api.load(drill!)).rawData();
    const expected = await stack.hand(`
      SELECT o.id AS "sales.id", o.status AS "sales.status", ${LOCAL_TIME('o.created_at', 0)} AS "sales.created_at", c.name AS "sales.name"
      FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE o.status = 'completed' AND c.name = 'Carla'`);
    expect(expected).toHaveLength(2);
    expect(normalized(rows)).toEqual(normalized(expected));
  });

  it('annotates measures with drillMembersGrouped, as /v1/meta does', async () => {
    const { body } = await postLoad({ measures: ['orders.completed_revenue', 'orders.count'] });
    expect(body.annotation.measures['orders.completed_revenue']).toMatchObject({
      drillMembers: ['orders.id', 'orders.status', 'orders.channel', 'orders.created_at', 'customers.name'],
      drillMembersGrouped: { measures: [], dimensions: ['orders.id', 'orders.status', 'orders.channel', 'orders.created_at', 'customers.name'] },
    });
    expect(body.annotation.measures['orders.count']).toMatchObject({ drillMembers: [], drillMembersGrouped: { measures: [], dimensions: [] } });
    const meta = await (await fetch(`${stack.url}/cubejs-api/v1/meta`, { headers: { authorization: token } })).json();
    const metaMeasure = meta.cubes.find((c: { name: string }) => c.name === 'orders').measures.find((m: { name: string }) => m.name === 'orders.completed_revenue');
    expect(metaMeasure.drillMembersGrouped).toEqual(body.annotation.measures['orders.completed_revenue'].drillMembersGrouped);
  });
});

describe('measureFilter in a /load query', () => {
  it('on its own keeps the rows the measure counts (a WHERE, joining the cube its filter reads), not a HAVING', async () => {
    const { status, body } = await postLoad({ measures: ['orders.count', 'orders.revenue'], dimensions: ['orders.channel'], filters: [{ member: 'orders.vip_revenue', operator: 'measureFilter' }], order: { 'orders.channel': 'asc' } });
    expect(status).toBe(200);
    const expected = await stack.hand(`
      SELECT o.channel AS "orders.channel", count(*) AS "orders.count", sum(o.amount) AS "orders.revenue"
      FROM orders o LEFT JOIN customers c ON o.customer_id = c.id WHERE c.tier = 'vip' GROUP BY 1 ORDER BY 1`);
    expect(normalized(body.data)).toEqual(normalized(expected));
    expect(body.query.filters).toEqual([{ member: 'orders.vip_revenue', operator: 'measureFilter' }]);
  });

  it('is a no-op on a measure without filters, as in Cube', async () => {
    const query = { measures: ['orders.count'], dimensions: ['orders.status'], order: { 'orders.status': 'asc' } };
    const filtered = await postLoad({ ...query, filters: [{ member: 'orders.revenue', operator: 'measureFilter' }] });
    expect(filtered.status).toBe(200);
    const expected = await stack.hand(`SELECT status AS "orders.status", count(*) AS "orders.count" FROM orders GROUP BY 1 ORDER BY 1`);
    expect(normalized(filtered.body.data)).toEqual(normalized(expected));
  });

  it.each([
    ['on a dimension', [{ member: 'orders.status', operator: 'measureFilter' }], /operator "measureFilter" is not valid for orders\.status \(a string dimension\): it applies a measure's own filters/],
    ['on an unknown member', [{ member: 'orders.nope', operator: 'measureFilter' }], /orders\.nope/],
    [
      'in one condition with a filter on a measure value',
      [{ or: [{ member: 'orders.completed_revenue', operator: 'measureFilter' }, { member: 'orders.count', operator: 'gt', values: ['1'] }] }],
      /measureFilter on orders\.completed_revenue is a row condition/,
    ],
  ])('%s is a 400 naming the member', async (_what, filters, message) => {
    const { status, body } = await postLoad({ measures: ['orders.count'], dimensions: ['orders.channel'], filters });
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });
});

describe('measureFilter and rollups', () => {
  const revenueByChannelMonth = (measureFilterOn: string) => ({
    measures: ['orders.revenue', 'orders.count'],
    dimensions: ['orders.channel'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2025-01-01', '2025-03-31'] }],
    filters: [{ member: measureFilterOn, operator: 'measureFilter' }],
    order: { 'orders.created_at': 'asc', 'orders.channel': 'asc' },
  });
  const completedByChannelMonth = `
    SELECT strftime(date_trunc('month', created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at.month", channel AS "orders.channel",
           sum(amount) AS "orders.revenue", count(*) AS "orders.count"
    FROM orders WHERE status = 'completed' AND created_at >= TIMESTAMP '2025-01-01' AND created_at < TIMESTAMP '2025-04-01'
    GROUP BY 1, 2 ORDER BY 1, 2`;
  const rowsOf = (data: Record<string, unknown>[]) => data.map(({ 'orders.created_at': _raw, ...row }) => row);

  it('is served by a rollup that stores every dimension the filter reads', async () => {
    const { status, body } = await postLoad(revenueByChannelMonth('orders.completed_revenue'));
    expect(status).toBe(200);
    expect(Object.keys(body.usedPreAggregations ?? {})).toEqual(['orders.by_status_channel_month']);
    expect(normalized(rowsOf(body.data))).toEqual(normalized(await stack.hand(completedByChannelMonth)));
  });

  it('is answered by the source when the filter reads a column the rollup lacks, with the same numbers', async () => {
    const { status, body } = await postLoad(revenueByChannelMonth('orders.completed_count'));
    expect(status).toBe(200);
    expect(body.usedPreAggregations ?? {}).toEqual({});
    expect(normalized(rowsOf(body.data))).toEqual(normalized(await stack.hand(completedByChannelMonth)));
  });

  it('is answered by the source when the filter reads another cube, and explain says why', async () => {
    const query = { ...revenueByChannelMonth('orders.vip_revenue') };
    const { body } = await postLoad(query);
    expect(body.usedPreAggregations ?? {}).toEqual({});
    const expected = await stack.hand(`
      SELECT strftime(date_trunc('month', o.created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at.month", o.channel AS "orders.channel",
             sum(o.amount) AS "orders.revenue", count(*) AS "orders.count"
      FROM orders o LEFT JOIN customers c ON o.customer_id = c.id
      WHERE c.tier = 'vip' AND o.created_at >= TIMESTAMP '2025-01-01' AND o.created_at < TIMESTAMP '2025-04-01'
      GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(normalized(rowsOf(body.data))).toEqual(normalized(expected));
    const explain = await (await fetch(`${stack.url}/cubejs-api/v1/explain?query=${encodeURIComponent(JSON.stringify(query))}`, { headers: { authorization: token } })).json();
    const rollup = explain.candidates.find((c: { preAggregation: string }) => c.preAggregation === 'orders.by_status_channel_month');
    expect(rollup.reasons).toEqual([expect.objectContaining({ code: 'MEASURE_FILTER_NOT_IN_ROLLUP', member: 'orders.vip_revenue' })]);
  });
});

describe('measureFilter under access policies', () => {
  it('keeps the caller\'s row-level filter: a channel team drilling sees only its channel\'s rows', async () => {
    const siteTeam = await tokenFor(['site_team']);
    const { status, body } = await postLoad({ dimensions: ['orders.id', 'orders.channel'], filters: [{ member: 'orders.completed_revenue', operator: 'measureFilter' }], order: { 'orders.id': 'asc' } }, siteTeam);
    expect(status).toBe(200);
    const expected = await stack.hand(`SELECT id AS "orders.id", channel AS "orders.channel" FROM orders WHERE status = 'completed' AND channel = 'site' ORDER BY id`);
    expect(normalized(body.data)).toEqual(normalized(expected));
  });

  it('is refused on a measure the caller may not use, naming it', async () => {
    const siteTeam = await tokenFor(['site_team']);
    const { status, body } = await postLoad({ measures: ['orders.count'], filters: [{ member: 'orders.vip_revenue', operator: 'measureFilter' }] }, siteTeam);
    expect(status).toBe(403);
    expect(body.error).toMatch(/orders\.vip_revenue/);
  });
});
