/**
 * Regression (QA 2026-12-07): GraphQL cut answers at the default row limit (Cube's 10,000) with no
 * sign — `{ cube { fato_vendas { count pedido_id } } }` gave 10,000 of 10,910 rows. Cube's GraphQL
 * applies the default limit silently; REST echoes it in `query.limit`. Ours now names such a field
 * in the response's `extensions.rowLimits` and leaves `data` as Cube shapes it. The default limit
 * is lowered here (CUBEJS_DB_QUERY_DEFAULT_LIMIT, as a user sets it) to keep the rows few.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { postGraphql } from '../support/api-requests.ts';

const DEFAULT_LIMIT = 5;
const DATA_SQL = `CREATE TABLE orders AS SELECT i AS id, 'status_' || (i % 3) AS status, DATE '2025-01-01' + CAST(i % 2 AS INTEGER) AS created FROM range(12) t(i);`;
const MODEL = `
cubes:
  - name: orders
    sql_table: orders
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: status, sql: status, type: string }
      - { name: created, sql: created, type: time }
    measures:
      - { name: count, type: count }
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: { sql: DATA_SQL }, model: { files: { 'cubes/orders.yml': MODEL } }, serve: { http: true }, env: { CUBEJS_DB_QUERY_DEFAULT_LIMIT: String(DEFAULT_LIMIT) } });
});
afterAll(async () => stack?.close());

const rowsOfIds = async () => Number((await stack.hand('SELECT count(DISTINCT id) AS n FROM orders'))[0]!.n);

describe('GraphQL answers cut at the default row limit', () => {
  it('keep the data Cube shapes and name the field, the limit and the rows in extensions.rowLimits', async () => {
    expect(await rowsOfIds()).toBeGreaterThan(DEFAULT_LIMIT);
    const { status, body } = await postGraphql(stack.url, { query: '{ cube { orders { count id } } }' });
    expect(status).toBe(200);
    expect((body.data as { cube: unknown[] }).cube).toHaveLength(DEFAULT_LIMIT);
    expect((body as { extensions?: unknown }).extensions).toEqual({
      rowLimits: [{ path: ['cube'], limit: DEFAULT_LIMIT, rows: DEFAULT_LIMIT, message: expect.stringContaining('default row limit') }],
    });
  });

  it('name an aliased field by its alias, and only the fields that were cut', async () => {
    const { body } = await postGraphql(stack.url, { query: '{ all: cube { orders { id } } byStatus: cube { orders { count status } } }' });
    const statuses = Number((await stack.hand('SELECT count(DISTINCT status) AS n FROM orders'))[0]!.n);
    expect(statuses).toBeLessThan(DEFAULT_LIMIT);
    expect((body.data as { byStatus: unknown[] }).byStatus).toHaveLength(statuses);
    expect((body as { extensions?: { rowLimits: { path: unknown[] }[] } }).extensions?.rowLimits.map((n) => n.path)).toEqual([['all']]);
  });

  it('say nothing when the query names its own limit, or when fewer rows exist', async () => {
    const limited = await postGraphql(stack.url, { query: `{ cube(limit: ${DEFAULT_LIMIT}) { orders { id } } }` });
    expect((limited.body.data as { cube: unknown[] }).cube).toHaveLength(DEFAULT_LIMIT);
    expect((limited.body as { extensions?: unknown }).extensions).toBeUndefined();
    const few = await postGraphql(stack.url, { query: '{ cube { orders { count status } } }' });
    expect((few.body as { extensions?: unknown }).extensions).toBeUndefined();
  });

  it('name each compared range that was cut', async () => {
    const query = '{ cubeCompare(dimension: "orders.created", dateRanges: [["2025-01-01", "2025-01-01"], ["2025-01-01", "2025-01-02"]]) { dateRange data { orders { id } } } }';
    const { status, body } = await postGraphql(stack.url, { query });
    expect(status).toBe(200);
    const [first, second] = await stack.hand(`SELECT count(*) FILTER (WHERE created = DATE '2025-01-01') AS a, count(*) AS b FROM orders`).then((r) => [Number(r[0]!.a), Number(r[0]!.b)]);
    expect(first).toBeGreaterThan(DEFAULT_LIMIT);
    expect(second).toBeGreaterThan(DEFAULT_LIMIT);
    expect((body as { extensions?: { rowLimits: { path: unknown[] }[] } }).extensions?.rowLimits.map((n) => n.path)).toEqual([['cubeCompare', 0, 'data'], ['cubeCompare', 1, 'data']]);
  });
});
