/**
 * `{Cube.sql()}` (a cube built on another cube's query) and `{FILTER_PARAMS.cube.member.filter(...)}`
 * (the query's filters pushed into a cube's SQL subquery, column and callback forms) on the real
 * engine over hand-made rows. Every expected answer is hand-written SQL over the same table; the
 * pushdown is also seen in the SQL sent (bound parameters) and in a column counting the rows the
 * pushed predicate lets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileModel } from '../../src/model/compile-model.ts';
import type { CubeQuery, TimeDimensionRequest } from '../../src/query/query-types.ts';
import { normalized, startHandMadeEngine, type HandMadeEngine } from '../support/hand-made-engine.ts';
import { describeProblems, problemsOf } from './model-test-helpers.ts';

const DATA = `
CREATE TABLE orders (id INTEGER, created_at TIMESTAMP, status VARCHAR, amount DOUBLE);
INSERT INTO orders VALUES
  (1, '2024-01-10 10:00:00', 'paid', 50),
  (2, '2024-01-31 23:30:00', 'paid', 150),
  (3, '2024-02-01 00:10:00', 'shipped', 200),
  (4, '2024-02-15 12:00:00', 'paid', 120),
  (5, '2024-02-29 23:59:00', 'cancelled', 80),
  (6, '2024-03-01 00:00:00', 'shipped', 300),
  (7, '2024-03-20 08:00:00', 'paid', 90),
  (8, NULL, 'paid', 10);
CREATE TABLE pairs (a INTEGER, b INTEGER);
INSERT INTO pairs VALUES (1, 3), (2, 2), (3, 1), (0, 0), (4, 4);
`;

const MEMBERS = `    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: created_at, sql: created_at, type: time }
    measures:
      - { name: count, type: count }
      - { name: amount, sql: amount, type: sum }
`;

const MODEL = `cubes:
  - name: orders_raw
    sql_table: orders
${MEMBERS}      - { name: share_of_max, sql: "max({CUBE}.amount) / (SELECT max(amount) FROM ({CUBE.sql()}) AS m)", type: number }
      - { name: paid_in_status_filter, sql: amount, type: sum, filters: [{ sql: "{FILTER_PARAMS.orders_raw.status.filter('{CUBE}.status')} AND {CUBE}.status = 'paid'" }] }
  - name: big_orders
    sql: "SELECT * FROM ({orders_raw.sql()}) AS raw WHERE amount > 100"
${MEMBERS}  - name: big_shipped
    sql: "SELECT * FROM ({big_orders.sql()}) AS b WHERE status = 'shipped'"
${MEMBERS}  - name: orders_pushed
    sql: >
      SELECT *, (SELECT count(*) FROM orders AS i
                 WHERE {FILTER_PARAMS.orders_pushed.created_at.filter('i.created_at')}
                   AND {FILTER_PARAMS.orders_pushed.status.filter('i.status')}) AS pushed_rows
      FROM orders
      WHERE {FILTER_PARAMS.orders_pushed.created_at.filter('created_at')}
        AND {FILTER_PARAMS.orders_pushed.status.filter("status")}
${MEMBERS}      - { name: pushed_rows, sql: pushed_rows, type: max }
      - { name: amount_to_date, sql: amount, type: sum, rolling_window: { trailing: unbounded } }
  - name: orders_lambda
    sql: >
      SELECT * FROM orders
      WHERE {FILTER_PARAMS.orders_lambda.created_at.filter(lambda a, b: f"created_at >= CAST({a} AS TIMESTAMP) AND created_at <= CAST({b} AS TIMESTAMP)")}
        AND {FILTER_PARAMS.orders_lambda.status.filter(lambda s: f'status = {s}')}
${MEMBERS}  - name: pairs_grouped
    sql: >
      SELECT *, (SELECT count(*) FROM pairs AS i
                 WHERE {FILTER_GROUP(FILTER_PARAMS.pairs_grouped.a.filter('i.a'), FILTER_PARAMS.pairs_grouped.b.filter('i.b'))}) AS pushed_rows
      FROM pairs
      WHERE {FILTER_GROUP(
        FILTER_PARAMS.pairs_grouped.a.filter("a"),
        FILTER_PARAMS.pairs_grouped.b.filter("b")
      )} AND {FILTER_PARAMS.pairs_grouped.c.filter('c')}
    dimensions:
      - { name: a, sql: a, type: number }
      - { name: b, sql: b, type: number }
    measures:
      - { name: count, type: count }
      - { name: pushed_rows, sql: pushed_rows, type: max }
  - name: orders_arrow
    sql: >
      SELECT * FROM orders
      WHERE {FILTER_PARAMS.orders_arrow.created_at.filter((from, to) => \`created_at BETWEEN CAST(\${from} AS TIMESTAMP) AND CAST(\${to} AS TIMESTAMP)\`)}
${MEMBERS}views:
  - name: pushed_view
    cubes:
      - join_path: orders_pushed
        includes: [count, pushed_rows, { name: created_at, alias: ordered_at }, status]
`;

// The same constructs in a JavaScript model (Cube's JS syntax, evaluated by the JS front-end).
const JS_MODEL = `
const members = {
  dimensions: {
    id: { sql: 'id', type: 'number', primaryKey: true },
    status: { sql: \`\${CUBE}.status\`, type: 'string' },
    createdAt: { sql: 'created_at', type: 'time' },
  },
  measures: {
    count: { type: 'count' },
    amount: { sql: 'amount', type: 'sum' },
  },
};
cube('js_big_orders', {
  sql: \`SELECT * FROM (\${orders_raw.sql()}) AS raw WHERE amount > 100\`,
  ...members,
});
cube('js_pushed', {
  sql: \`SELECT * FROM orders WHERE \${FILTER_PARAMS.js_pushed.createdAt.filter((from, to) => \`created_at >= CAST(\${from} AS TIMESTAMP) AND created_at <= CAST(\${to} AS TIMESTAMP)\`)}
    AND \${FILTER_PARAMS.js_pushed.status.filter('status')}\`,
  ...members,
});
`;

let db: HandMadeEngine;
beforeAll(async () => {
  db = await startHandMadeEngine(DATA, { 'cubes/orders.yml': MODEL, 'cubes/js_orders.js': JS_MODEL });
});
afterAll(async () => db?.close());

const FEBRUARY: TimeDimensionRequest = { dimension: 'orders_pushed.created_at', dateRange: ['2024-02-01', '2024-02-29'] };

describe('{Cube.sql()}: a cube on top of another cube\'s query', () => {
  it('answers from the referenced cube\'s SQL with its own filter on top', async () => {
    const rows = await db.load({ measures: ['big_orders.count', 'big_orders.amount'], dimensions: ['big_orders.status'] });
    const want = await db.sql(`SELECT status AS "big_orders.status", count(*) AS "big_orders.count", sum(amount) AS "big_orders.amount"
      FROM orders WHERE amount > 100 GROUP BY status`);
    expect(want).toHaveLength(2);
    expect(normalized(rows)).toEqual(normalized(want));
  });

  it('chains: a cube on a cube on a table', async () => {
    const rows = await db.load({ measures: ['big_shipped.count', 'big_shipped.amount'] });
    const want = await db.sql(`SELECT count(*) AS "big_shipped.count", sum(amount) AS "big_shipped.amount" FROM orders WHERE amount > 100 AND status = 'shipped'`);
    expect(normalized(rows)).toEqual(normalized(want));
    const { sql } = await db.sqlOf({ measures: ['big_shipped.count'] });
    expect(sql).toContain('FROM (SELECT * FROM (SELECT * FROM orders) AS raw WHERE amount > 100) AS b');
  });

  it('expands {CUBE.sql()} inside a member: the cube\'s own SQL as a subquery', async () => {
    const rows = await db.load({ measures: ['orders_raw.share_of_max'], dimensions: ['orders_raw.status'] });
    const want = await db.sql(`SELECT status AS "orders_raw.status", max(amount) / (SELECT max(amount) FROM orders) AS "orders_raw.share_of_max" FROM orders GROUP BY status`);
    expect(normalized(rows)).toEqual(normalized(want));
  });

  it('carries the referenced cube\'s security-context parameters along (rollups then stay per tenant)', () => {
    const model = compileModel([{ path: 'cubes/t.yml', content: `cubes:
  - name: tenant_orders
    sql: "SELECT * FROM orders WHERE tenant = {SECURITY_CONTEXT.tenant}"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: tenant_big
    sql: "SELECT * FROM ({tenant_orders.sql()}) t WHERE amount > 100"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
` }]);
    expect(model.cubes.tenant_big!.sql).toEqual([
      { kind: 'text', text: 'SELECT * FROM (SELECT * FROM orders WHERE tenant = ' },
      { kind: 'securityContext', path: ['tenant'] },
      { kind: 'text', text: ') t WHERE amount > 100' },
    ]);
  });

  it('reports a cycle of sql() references with file, line and the chain', () => {
    const problems = problemsOf([{ path: 'cubes/loop.yml', content: `cubes:
  - name: a
    sql: "SELECT * FROM ({b.sql()}) x"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: b
    sql: "SELECT * FROM ({a.sql()}) y"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
  - name: c
    sql: "SELECT 1 AS id WHERE {CUBE.sql()}"
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
` }]);
    const lines = describeProblems(problems);
    expect(lines.some((l) => /^cubes\/loop\.yml:(2|6) (a|b): \{(a|b)\.sql\(\)\} cycle: (a → b → a|b → a → b)/.test(l))).toBe(true);
    expect(lines).toContain('cubes/loop.yml:10 c: {c.sql()} cycle: c → c (a cube\'s SQL cannot include itself)');
  });
});

describe('FILTER_PARAMS with a column', () => {
  it('pushes a date range as bound parameters and answers like hand SQL', async () => {
    const query: CubeQuery = { measures: ['orders_pushed.count', 'orders_pushed.amount', 'orders_pushed.pushed_rows'], timeDimensions: [FEBRUARY] };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT count(*) AS n, sum(amount) AS s FROM orders WHERE created_at BETWEEN '2024-02-01 00:00:00' AND '2024-02-29 23:59:59.999'`);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!['orders_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_pushed.amount'])).toBe(Number(want!.s));
    // The subquery counted only the rows the pushed range lets through (8 without it).
    expect(Number(rows[0]!['orders_pushed.pushed_rows'])).toBe(Number(want!.n));
    const { sql, params } = await db.sqlOf(query);
    expect(sql).toMatch(/WHERE \(\(?i\.created_at >= CAST\(\$\d+ AS TIMESTAMP\) AND i\.created_at <= CAST\(\$\d+ AS TIMESTAMP\)\)?\)/i);
    expect(sql).not.toContain('2024-02');
    expect(params).toEqual(expect.arrayContaining(['2024-02-01T00:00:00.000', '2024-02-29T23:59:59.999']));
  });

  it('pushes an equals filter, and several filters of one member AND-ed', async () => {
    const rows = await db.load({
      measures: ['orders_pushed.count', 'orders_pushed.pushed_rows'],
      filters: [
        { member: 'orders_pushed.status', operator: 'equals', values: ['paid', 'shipped'] },
        { member: 'orders_pushed.status', operator: 'notEquals', values: ['shipped'] },
      ],
    });
    const [want] = await db.sql(`SELECT count(*) AS n FROM orders WHERE status IN ('paid', 'shipped') AND status <> 'shipped'`);
    expect(Number(rows[0]!['orders_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_pushed.pushed_rows'])).toBe(Number(want!.n));
    const { sql, params } = await db.sqlOf({ measures: ['orders_pushed.count'], filters: [{ member: 'orders_pushed.status', operator: 'equals', values: ['paid'] }] });
    expect(sql).toMatch(/i\.status = \$\d+/);
    expect(sql).not.toContain("'paid'");
    expect(params).toContain('paid');
  });

  it('pushes filters given on a view member (they name the cube member behind it)', async () => {
    const rows = await db.load({
      measures: ['pushed_view.count', 'pushed_view.pushed_rows'],
      timeDimensions: [{ dimension: 'pushed_view.ordered_at', dateRange: ['2024-01-01', '2024-02-15'] }],
      filters: [{ member: 'pushed_view.status', operator: 'equals', values: ['paid'] }],
    });
    const [want] = await db.sql(`SELECT count(*) AS n FROM orders WHERE created_at BETWEEN '2024-01-01 00:00:00' AND '2024-02-15 23:59:59.999' AND status = 'paid'`);
    expect(Number(want!.n)).toBe(3);
    expect(Number(rows[0]!['pushed_view.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['pushed_view.pushed_rows'])).toBe(Number(want!.n));
  });

  it('does not push a date range a rolling window reads past (its running total needs earlier rows)', async () => {
    const rows = await db.load({
      measures: ['orders_pushed.amount_to_date'],
      timeDimensions: [{ dimension: 'orders_pushed.created_at', granularity: 'month', dateRange: ['2024-02-01', '2024-02-29'] }],
    });
    const [want] = await db.sql(`SELECT sum(amount) AS s FROM orders WHERE created_at <= '2024-02-29 23:59:59.999'`);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!['orders_pushed.amount_to_date'])).toBe(Number(want!.s));
  });

  it('renders 1 = 1 without a filter on the member', async () => {
    const rows = await db.load({ measures: ['orders_pushed.count', 'orders_pushed.pushed_rows'] });
    const [want] = await db.sql('SELECT count(*) AS n FROM orders');
    expect(Number(rows[0]!['orders_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_pushed.pushed_rows'])).toBe(Number(want!.n));
    const { sql } = await db.sqlOf({ measures: ['orders_pushed.count'] });
    expect(sql.match(/1 = 1/g)).toHaveLength(4);
  });

  it('does not push a leaf of an OR that names another member (the answer keeps the other branch)', async () => {
    const query: CubeQuery = {
      measures: ['orders_pushed.count', 'orders_pushed.pushed_rows'],
      filters: [{ or: [{ member: 'orders_pushed.status', operator: 'equals', values: ['shipped'] }, { member: 'orders_pushed.created_at', operator: 'beforeDate', values: ['2024-02-01'] }] }],
    };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT count(*) AS n FROM orders WHERE status = 'shipped' OR created_at < '2024-02-01'`);
    expect(Number(rows[0]!['orders_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_pushed.pushed_rows'])).toBe(8);
  });

  it('converts a date range of another time zone to UTC as the outer filter does', async () => {
    const query: CubeQuery = { measures: ['orders_pushed.count', 'orders_pushed.pushed_rows'], timeDimensions: [FEBRUARY], timezone: 'America/Sao_Paulo' };
    const rows = await db.load(query);
    // São Paulo is UTC-3 (no DST in 2024): February local is [02-01 03:00, 03-01 02:59:59.999] UTC.
    const [want] = await db.sql(`SELECT count(*) AS n FROM orders WHERE created_at BETWEEN '2024-02-01 03:00:00' AND '2024-03-01 02:59:59.999'`);
    expect(Number(rows[0]!['orders_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_pushed.pushed_rows'])).toBe(Number(want!.n));
  });
});

describe('FILTER_PARAMS with a function (Python lambda in YAML, JS arrow)', () => {
  it('calls the lambda with the date range bounds as parameters', async () => {
    const query: CubeQuery = { measures: ['orders_lambda.count', 'orders_lambda.amount'], timeDimensions: [{ dimension: 'orders_lambda.created_at', dateRange: ['2024-01-31', '2024-02-15'] }] };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT count(*) AS n, sum(amount) AS s FROM orders WHERE created_at BETWEEN '2024-01-31 00:00:00' AND '2024-02-15 23:59:59.999'`);
    expect(Number(rows[0]!['orders_lambda.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['orders_lambda.amount'])).toBe(Number(want!.s));
    const { sql, params } = await db.sqlOf(query);
    expect(sql).toMatch(/WHERE \(+created_at >= CAST\(\$\d+ AS TIMESTAMP\) AND created_at <= CAST\(\$\d+ AS TIMESTAMP\)\)+\s+AND 1 = 1/);
    expect(params).toEqual(expect.arrayContaining(['2024-01-31T00:00:00.000', '2024-02-15T23:59:59.999']));
  });

  it('calls a one-parameter lambda with the value of a single equals filter', async () => {
    const query: CubeQuery = { measures: ['orders_lambda.count'], filters: [{ member: 'orders_lambda.status', operator: 'equals', values: ['paid'] }] };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT count(*) AS n FROM orders WHERE status = 'paid'`);
    expect(Number(rows[0]!['orders_lambda.count'])).toBe(Number(want!.n));
    expect((await db.sqlOf(query)).sql).toMatch(/\(status = \$\d+\)/);
    // Several values: the function cannot say IN, so nothing is pushed and the outer filter decides.
    const two: CubeQuery = { measures: ['orders_lambda.count'], filters: [{ member: 'orders_lambda.status', operator: 'equals', values: ['paid', 'shipped'] }] };
    const [wantTwo] = await db.sql(`SELECT count(*) AS n FROM orders WHERE status IN ('paid', 'shipped')`);
    expect(Number((await db.load(two))[0]!['orders_lambda.count'])).toBe(Number(wantTwo!.n));
    expect((await db.sqlOf(two)).sql).not.toMatch(/status = \$/);
  });

  it('calls a JS arrow function with the date range bounds as parameters', async () => {
    const query: CubeQuery = { measures: ['orders_arrow.count'], dimensions: ['orders_arrow.status'], timeDimensions: [{ dimension: 'orders_arrow.created_at', dateRange: ['2024-02-01', '2024-03-01'] }] };
    const rows = await db.load(query);
    const want = await db.sql(`SELECT status AS "orders_arrow.status", count(*) AS "orders_arrow.count" FROM orders
      WHERE created_at BETWEEN '2024-02-01 00:00:00' AND '2024-03-01 23:59:59.999' GROUP BY status`);
    expect(normalized(rows)).toEqual(normalized(want));
    expect((await db.sqlOf(query)).sql).toMatch(/created_at BETWEEN CAST\(\$\d+ AS TIMESTAMP\) AND CAST\(\$\d+ AS TIMESTAMP\)/);
  });
});

describe('the same constructs in a JavaScript model', () => {
  it('builds a cube on another cube\'s SQL with ${Cube.sql()}', async () => {
    const rows = await db.load({ measures: ['js_big_orders.count', 'js_big_orders.amount'], dimensions: ['js_big_orders.status'] });
    const want = await db.sql(`SELECT status AS "js_big_orders.status", count(*) AS "js_big_orders.count", sum(amount) AS "js_big_orders.amount"
      FROM orders WHERE amount > 100 GROUP BY status`);
    expect(normalized(rows)).toEqual(normalized(want));
  });

  it('pushes a date range through an arrow function and an equals filter through a column', async () => {
    const query: CubeQuery = {
      measures: ['js_pushed.count', 'js_pushed.amount'],
      timeDimensions: [{ dimension: 'js_pushed.createdAt', dateRange: ['2024-01-15', '2024-02-29'] }],
      filters: [{ member: 'js_pushed.status', operator: 'equals', values: ['paid'] }],
    };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT count(*) AS n, sum(amount) AS s FROM orders
      WHERE created_at BETWEEN '2024-01-15 00:00:00' AND '2024-02-29 23:59:59.999' AND status = 'paid'`);
    expect(Number(rows[0]!['js_pushed.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['js_pushed.amount'])).toBe(Number(want!.s));
    const { sql, params } = await db.sqlOf(query);
    expect(sql).toMatch(/FROM \(SELECT \* FROM orders WHERE \(+created_at >= CAST\(\$\d+ AS TIMESTAMP\) AND created_at <= CAST\(\$\d+ AS TIMESTAMP\)\)+\s+AND \(+status = \$\d+\)+/);
    expect(params).toEqual(expect.arrayContaining(['2024-01-15T00:00:00.000', '2024-02-29T23:59:59.999', 'paid']));
  });
});

describe('FILTER_GROUP: several members pushed with the query\'s AND/OR', () => {
  it('pushes an OR of two members of the group as an OR (not AND-ed, not dropped)', async () => {
    const query: CubeQuery = {
      measures: ['pairs_grouped.count', 'pairs_grouped.pushed_rows'],
      filters: [{ or: [{ member: 'pairs_grouped.a', operator: 'gt', values: ['1'] }, { member: 'pairs_grouped.b', operator: 'gt', values: ['1'] }] }],
    };
    const rows = await db.load(query);
    const [want] = await db.sql('SELECT count(*) AS n FROM pairs WHERE a > 1 OR b > 1');
    expect(Number(want!.n)).toBe(4);
    expect(Number(rows[0]!['pairs_grouped.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['pairs_grouped.pushed_rows'])).toBe(Number(want!.n));
    expect((await db.sqlOf(query)).sql).toMatch(/i\.a > \$\d+\)? OR \(?i\.b > \$\d+/);
  });

  it('pushes filters AND-ed in the query as AND', async () => {
    const rows = await db.load({
      measures: ['pairs_grouped.count', 'pairs_grouped.pushed_rows'],
      filters: [{ member: 'pairs_grouped.a', operator: 'gt', values: ['1'] }, { member: 'pairs_grouped.b', operator: 'gt', values: ['1'] }],
    });
    const [want] = await db.sql('SELECT count(*) AS n FROM pairs WHERE a > 1 AND b > 1');
    expect(Number(rows[0]!['pairs_grouped.count'])).toBe(Number(want!.n));
    expect(Number(rows[0]!['pairs_grouped.pushed_rows'])).toBe(Number(want!.n));
  });

  it('warns about FILTER_PARAMS of a member that does not exist and renders it 1 = 1', async () => {
    const warnings = db.engine.currentModel().warnings ?? [];
    expect(warnings.map((w) => `${w.location?.file}:${w.location?.line} ${w.member}: ${w.message}`)).toContain(
      'cubes/orders.yml:61 pairs_grouped: unknown reference {FILTER_PARAMS.pairs_grouped.c.filter(...)}: cube pairs_grouped has no member "c"; it renders 1 = 1',
    );
    const rows = await db.load({ measures: ['pairs_grouped.count'] });
    expect(Number(rows[0]!['pairs_grouped.count'])).toBe(5);
  });
});

describe('FILTER_PARAMS in a member, over the cube\'s own column', () => {
  it('resolves {CUBE} in the column SQL and binds the values', async () => {
    const query: CubeQuery = {
      measures: ['orders_raw.paid_in_status_filter'],
      filters: [{ member: 'orders_raw.status', operator: 'equals', values: ['paid', 'cancelled'] }],
    };
    const rows = await db.load(query);
    const [want] = await db.sql(`SELECT sum(amount) AS s FROM orders WHERE status IN ('paid', 'cancelled') AND status = 'paid'`);
    expect(Number(rows[0]!['orders_raw.paid_in_status_filter'])).toBe(Number(want!.s));
    const { sql } = await db.sqlOf(query);
    expect(sql).toMatch(/CASE WHEN \(*"orders_raw"\.status IN \(\$\d+, \$\d+\)/);
  });
});
