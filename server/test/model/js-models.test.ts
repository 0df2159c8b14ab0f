/**
 * JavaScript models as Cube users write them, in Cube's old style (camelCase, belongsTo/hasMany,
 * ${CUBE}, drillMembers, subQuery, rollingWindow, measureReferences) and its new style (snake_case,
 * imports, asyncModule, views): /meta lists exactly what the files declare, the old-style folder
 * compiles to the same model as its YAML twin written by hand, and queries over hand-made rows
 * equal hand-written SQL on the same tables.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { readFile } from 'node:fs/promises';
import { compileModel, loadModel } from '../../src/model/compile-model.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { USERS_ORDERS_SQL } from '../fixtures/users-orders-sql.ts';
import { queryDuckDb, startStack, type Stack } from '../support/stack.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/js-models');
const ctx: RequestContext = { securityContext: {}, requestId: 'js-models', api: 'internal' };

const SETUP = USERS_ORDERS_SQL;

const stacks: Stack[] = [];

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.close()));
});

/** A stack over the hand-made rows serving one fixture folder, as `npm start` would. */
async function stackFor(folder: string): Promise<Stack> {
  const stack = await startStack({ data: { sql: SETUP }, model: { dir: path.join(FIXTURES, folder) } });
  stacks.push(stack);
  return stack;
}

async function load(engine: SemanticEngine, query: CubeQuery): Promise<string[]> {
  const result = (await engine.load(query, ctx)).results[0]!;
  const rows = Array.from({ length: result.rowCount }, (_, r) => Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![r]])));
  return normalized(rows);
}

/** Hand-written SQL on the stack's source file (every stack holds the same rows). */
let handFile = '';
async function handSql(text: string): Promise<string[]> {
  return normalized(await queryDuckDb(handFile, text));
}

/** Rows as sorted JSON of [column, value] pairs, values as text (numbers normalized). */
function normalized(rows: readonly Record<string, unknown>[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        Object.keys(row)
          .sort()
          .map((k) => [k, row[k] === null || row[k] === undefined ? null : Number.isNaN(Number(row[k])) ? String(row[k]) : String(Number(Number(row[k]).toFixed(6)))]),
      ),
    )
    .sort();
}

/** Member names per cube/view of /meta. */
async function metaListing(engine: SemanticEngine): Promise<Record<string, string[]>> {
  const meta = (await engine.meta(ctx)) as { cubes: { name: string; measures: { name: string }[]; dimensions: { name: string }[]; segments: { name: string }[] }[] };
  return Object.fromEntries(meta.cubes.map((c) => [c.name, [...c.measures, ...c.dimensions, ...c.segments].map((m) => m.name).sort()]));
}

/** A model without source positions and file order (they differ between the JS files and the YAML twin). */
function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'location' && k !== 'version')
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, withoutLocations(v)]),
    );
  }
  return value;
}

const OLD_STYLE_YAML_TWIN = `cubes:
  - name: Orders
    sql: SELECT * FROM orders
    joins:
      - name: Users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {Users}.id"
    measures:
      - { name: count, type: count, drill_members: [id, status, createdAt] }
      - { name: totalAmount, sql: amount, type: sum }
      - name: paidAmount
        sql: "{CUBE}.amount"
        type: sum
        filters: [{ sql: "{CUBE}.status = 'paid'" }]
      - { name: rollingAmount, sql: amount, type: sum, rolling_window: { trailing: 2 day } }
      - { name: buyers, sql: "{Users.id}", type: count_distinct }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
      - { name: status, sql: status, type: string }
      - { name: createdAt, sql: created_at, type: time }
      - { name: buyerName, sql: "{Users.name}", type: string }
    segments:
      - { name: paid, sql: "{CUBE}.status = 'paid'" }
    pre_aggregations:
      - name: byDay
        type: rollup
        measures: [count, totalAmount]
        dimensions: [status]
        time_dimension: createdAt
        granularity: day
  - name: Users
    sql: SELECT * FROM users
    joins:
      - { name: Orders, relationship: one_to_many, sql: "{Users}.id = {Orders}.user_id" }
    measures:
      - { name: count, type: count, drill_members: [id, name] }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, shown: true }
      - { name: name, sql: "{CUBE}.name", type: string }
      - { name: orderCount, sql: "{Orders.count}", type: number, sub_query: true }
`;

describe('JavaScript models, Cube old style', () => {
  let model: SemanticModel;
  let engine: SemanticEngine;
  beforeAll(async () => {
    const stack = await stackFor('old-style');
    engine = stack.engine;
    model = engine.currentModel();
    handFile = stack.duckdbPath;
  });

  it('/meta lists exactly the cubes and members the files declare', async () => {
    expect(await metaListing(engine)).toEqual({
      Orders: ['Orders.buyerName', 'Orders.buyers', 'Orders.count', 'Orders.createdAt', 'Orders.id', 'Orders.paid', 'Orders.paidAmount', 'Orders.rollingAmount', 'Orders.status', 'Orders.totalAmount'].sort(),
      Users: ['Users.count', 'Users.id', 'Users.name', 'Users.orderCount'].sort(),
    });
  });

  it('compiles to the same model as the same cubes written in YAML', () => {
    const twin = compileModel([{ path: 'twin.yml', content: OLD_STYLE_YAML_TWIN }]);
    expect(withoutLocations(model)).toEqual(withoutLocations(twin));
  });

  it('keeps each member at the line of its key in the .js file', () => {
    expect(model.cubes.Orders!.measures.paidAmount!.location).toEqual({ file: 'Orders.js', line: 21, column: 5 });
    expect(model.cubes.Users!.dimensions.orderCount!.location).toMatchObject({ file: 'Users.js', line: 29 });
  });

  it('counts and sums by status equal hand-written SQL', async () => {
    expect(await load(engine, { measures: ['Orders.count', 'Orders.totalAmount', 'Orders.paidAmount'], dimensions: ['Orders.status'] })).toEqual(
      await handSql(`SELECT status AS "Orders.status", count(*) AS "Orders.count", sum(amount) AS "Orders.totalAmount", sum(CASE WHEN status = 'paid' THEN amount END) AS "Orders.paidAmount" FROM orders GROUP BY status`),
    );
  });

  it('a belongsTo join: distinct buyers by buyer name equal hand-written SQL', async () => {
    expect(await load(engine, { measures: ['Orders.count', 'Orders.buyers'], dimensions: ['Orders.buyerName'] })).toEqual(
      await handSql(`SELECT u.name AS "Orders.buyerName", count(*) AS "Orders.count", count(DISTINCT u.id) AS "Orders.buyers" FROM orders o LEFT JOIN users u ON o.user_id = u.id GROUP BY u.name`),
    );
  });

  it('a hasMany join from Users and a segment equal hand-written SQL', async () => {
    expect(await load(engine, { measures: ['Orders.count'], dimensions: ['Users.name'], segments: ['Orders.paid'] })).toEqual(
      await handSql(`SELECT u.name AS "Users.name", count(*) AS "Orders.count" FROM users u JOIN orders o ON u.id = o.user_id WHERE o.status = 'paid' GROUP BY u.name`),
    );
  });

  it('a subQuery dimension (orders per user) equals a hand-written correlated subquery', async () => {
    expect(await load(engine, { measures: ['Users.count'], dimensions: ['Users.name', 'Users.orderCount'] })).toEqual(
      await handSql(`SELECT u.name AS "Users.name", (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS "Users.orderCount", count(*) AS "Users.count" FROM users u GROUP BY 1, 2`),
    );
  });

  it('drill members resolve to member paths', () => {
    expect(model.cubes.Orders!.measures.count!.drillMembers).toEqual(['Orders.id', 'Orders.status', 'Orders.createdAt']);
  });
});

describe('JavaScript models, Cube new style (imports, asyncModule, a view)', () => {
  let model: SemanticModel;
  let engine: SemanticEngine;
  beforeAll(async () => {
    const stack = await stackFor('new-style');
    engine = stack.engine;
    model = engine.currentModel();
    handFile = stack.duckdbPath;
  });

  it('/meta lists exactly the cubes, generated cubes and view the files declare', async () => {
    expect(await metaListing(engine)).toEqual({
      orders: ['orders.average_amount', 'orders.count', 'orders.created_at', 'orders.id', 'orders.revenue', 'orders.status'].sort(),
      users: ['users.count', 'users.id', 'users.name'].sort(),
      paid_orders: ['paid_orders.amount', 'paid_orders.count', 'paid_orders.id'].sort(),
      open_orders: ['open_orders.amount', 'open_orders.count', 'open_orders.id'].sort(),
      orders_view: ['orders_view.count', 'orders_view.revenue', 'orders_view.status', 'orders_view.users_name'].sort(),
    });
  });

  it('the view joins along its join path: equal hand-written SQL', async () => {
    expect(await load(engine, { measures: ['orders_view.count', 'orders_view.revenue'], dimensions: ['orders_view.users_name'] })).toEqual(
      await handSql(`SELECT u.name AS "orders_view.users_name", count(*) AS "orders_view.count", sum(round(o.amount, 2)) AS "orders_view.revenue" FROM orders o LEFT JOIN users u ON o.user_id = u.id GROUP BY u.name`),
    );
  });

  it('an imported helper and a number measure over two measures equal hand-written SQL', async () => {
    expect(await load(engine, { measures: ['orders.average_amount'], dimensions: ['orders.status'] })).toEqual(
      await handSql(`SELECT status AS "orders.status", sum(round(amount, 2)) / count(*) AS "orders.average_amount" FROM orders GROUP BY status`),
    );
  });

  it('cubes made by asyncModule answer over their own SQL', async () => {
    expect(await load(engine, { measures: ['paid_orders.count', 'paid_orders.amount'] })).toEqual(await handSql(`SELECT count(*) AS "paid_orders.count", sum(amount) AS "paid_orders.amount" FROM orders WHERE status = 'paid'`));
    expect(await load(engine, { measures: ['open_orders.amount'] })).toEqual(await handSql(`SELECT sum(amount) AS "open_orders.amount" FROM orders WHERE status = 'open'`));
  });

  it('pre-aggregation member lists written as CUBE.member resolve', () => {
    expect(model.cubes.orders!.preAggregations.by_status).toMatchObject({ measures: ['orders.count', 'orders.revenue'], dimensions: ['orders.status'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }] });
  });
});

describe('the Cube corpus model written as JavaScript (fixtures/cube-corpus-js)', () => {
  it('compiles to the same model as its YAML original', async () => {
    const js = await loadModel(path.resolve(import.meta.dirname, '../fixtures/cube-corpus-js/model'));
    const yaml = compileModel([{ path: 'ecommerce.yml', content: await readFile(path.resolve(import.meta.dirname, '../fixtures/cube-corpus/model/ecommerce.yml'), 'utf8') }]);
    expect(withoutLocations({ ...js, warnings: undefined })).toEqual(withoutLocations({ ...yaml, warnings: undefined }));
    expect(js.warnings?.map((w) => w.message)).toEqual(yaml.warnings?.map((w) => w.message));
  });
});
