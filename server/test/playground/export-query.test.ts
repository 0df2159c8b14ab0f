/**
 * The playground's "copy as" outputs run on the real APIs: for a query with each of Cube's filter
 * operators (and one with a time dimension by month over a date range), the GraphQL text it
 * writes, sent to `/cubejs-api/graphql`, and the SQL API statement, sent over the Postgres wire,
 * return the rows REST `/load` returns for the query itself.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqlServer, type SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { toGraphql, toSqlApi } from '../../playground/src/query/export-query.ts';
import type { CubeQuery, Filter } from '../../playground/src/query/query-types.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { restGet } from './support/browser.ts';

let stack: Stack;
let sqlApi: SqlServer;
let client: pg.Client;

beforeAll(async () => {
  stack = await startStack({ data: 'corpus', serve: { http: true } });
  sqlApi = await startSqlServer({
    port: 0,
    host: '127.0.0.1',
    engine: stack.engine,
    model: stack.engine.currentModel(),
    checkSqlAuth: (user) => (user === 'playground' ? { password: 'pw', securityContext: {} } : null),
  });
  client = new pg.Client({ host: '127.0.0.1', port: sqlApi.port, user: 'playground', password: 'pw', database: 'db' });
  await client.connect();
  const meta = (await (await fetch(`${stack.url}/cubejs-api/v1/meta`)).json()) as { cubes: { measures: { name: string; type: string }[]; dimensions: { name: string; type: string }[] }[] };
  types = new Map(meta.cubes.flatMap((c) => [...c.measures, ...c.dimensions]).map((m) => [m.name, m.type]));
}, 120_000);

afterAll(async () => {
  await client?.end();
  await sqlApi?.close();
  await stack?.close();
});

const base = (filters: Filter[]): CubeQuery => ({ measures: ['ECommerce.totalSales'], dimensions: ['ECommerce.city'], filters, limit: 1000 });

const FILTERS: Record<string, Filter> = {
  equals: { member: 'ECommerce.city', operator: 'equals', values: ['Columbus', 'Houston'] },
  notEquals: { member: 'ECommerce.city', operator: 'notEquals', values: ['Columbus'] },
  contains: { member: 'ECommerce.city', operator: 'contains', values: ['AN'] },
  notContains: { member: 'ECommerce.city', operator: 'notContains', values: ['an'] },
  startsWith: { member: 'ECommerce.city', operator: 'startsWith', values: ['San'] },
  endsWith: { member: 'ECommerce.city', operator: 'endsWith', values: ['ville'] },
  gt: { member: 'ECommerce.sales', operator: 'gt', values: ['100'] },
  gte: { member: 'ECommerce.sales', operator: 'gte', values: ['48.896'] },
  lt: { member: 'ECommerce.sales', operator: 'lt', values: ['20'] },
  lte: { member: 'ECommerce.sales', operator: 'lte', values: ['48.896'] },
  set: { member: 'ECommerce.completedDate', operator: 'set' },
  notSet: { member: 'ECommerce.completedDate', operator: 'notSet' },
  inDateRange: { member: 'ECommerce.orderDate', operator: 'inDateRange', values: ['2020-01-01', '2020-06-30'] },
  notInDateRange: { member: 'ECommerce.orderDate', operator: 'notInDateRange', values: ['2020-01-01', '2020-06-30'] },
  beforeDate: { member: 'ECommerce.orderDate', operator: 'beforeDate', values: ['2020-06-01'] },
  afterDate: { member: 'ECommerce.orderDate', operator: 'afterDate', values: ['2020-06-01'] },
};

type Row = [string, number];
const sorted = (rows: Row[]): Row[] => rows.map(([k, v]): Row => [k, Math.round(v * 1e4) / 1e4]).sort((a, b) => a[0].localeCompare(b[0]));

async function viaRest(query: CubeQuery, key: string, format = (v: unknown) => String(v)): Promise<Row[]> {
  const body = await restGet<{ data: Record<string, unknown>[] }>(stack.url, 'load', query);
  return sorted(body.data.map((r) => [format(r[key]), Number(r['ECommerce.totalSales'])]));
}

let types: Map<string, string>;
const memberType = (member: string): string | undefined => types.get(member);

async function viaGraphql(query: CubeQuery, field: (row: Record<string, unknown>) => string): Promise<Row[]> {
  const res = await fetch(`${stack.url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: toGraphql(query, memberType) }) });
  const body = (await res.json()) as { data?: { cube: { eCommerce: Record<string, unknown> }[] }; errors?: unknown };
  expect(body.errors, toGraphql(query, memberType)).toBeUndefined();
  return sorted(body.data!.cube.map(({ eCommerce }) => [field(eCommerce), Number(eCommerce.totalSales)]));
}

async function viaSqlApi(query: CubeQuery): Promise<Row[]> {
  const rows = (await client.query({ text: toSqlApi(query), rowMode: 'array' })).rows as unknown[][];
  const key = (v: unknown): string => (v instanceof Date ? `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}` : String(v));
  return sorted(rows.map(([k, total]) => [key(k), Number(total)]));
}

describe('copy as GraphQL and as SQL API statement', () => {
  for (const [operator, filter] of Object.entries(FILTERS)) {
    it(`${operator}: GraphQL and SQL API give REST's rows`, async () => {
      const query = base([filter]);
      const rest = await viaRest(query, 'ECommerce.city');
      // The corpus has no order without a completion date: notSet is the one empty answer (the statements still have to run).
      if (operator === 'notSet') expect(rest).toEqual([]);
      else expect(rest.length).toBeGreaterThan(0);
      expect(await viaGraphql(query, (row) => String(row.city))).toEqual(rest);
      expect(await viaSqlApi(query), toSqlApi(query)).toEqual(rest);
    });
  }

  it('a time dimension by month over a date range, ordered', async () => {
    const query: CubeQuery = {
      measures: ['ECommerce.totalSales'],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-06-30'] }],
      order: [['ECommerce.orderDate', 'asc']],
    };
    const rest = await viaRest(query, 'ECommerce.orderDate.month', (v) => String(v).slice(0, 10));
    expect(rest.length).toBeGreaterThan(2);
    expect(await viaGraphql(query, (row) => String((row.orderDate as { month: string }).month).slice(0, 10))).toEqual(rest);
    expect(await viaSqlApi(query), toSqlApi(query)).toEqual(rest);
  });

  it('covers every filter operator the query builder offers', async () => {
    const { OPERATORS } = await import('../../playground/src/query/operators.ts');
    expect(OPERATORS.map((op) => op.name).sort()).toEqual(Object.keys(FILTERS).sort());
  });
});
