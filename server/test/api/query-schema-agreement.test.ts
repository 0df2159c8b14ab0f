/**
 * One query schema for every API (issue 13): REST's check at the request and the engine's check
 * in normalizeQuery (which GraphQL, the SQL API and rollup builds reach without REST) are the
 * same code, so they must accept the same queries and refuse the others with the same error,
 * naming the path of the bad value. Each case runs through /load (POST, and GET for refusals) on the
 * real server and through the engine directly; accepted ones return the row counts hand-written SQL
 * gives.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/user-error.ts';
import type { RequestContext } from '../../src/engine/engine-types.ts';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../support/stack.ts';

const QUERY_LIMIT = 1000;
let stack: Stack;
let cities: number;
beforeAll(async () => {
  const file = await corpusDatabase();
  stack = await startStack({ data: 'corpus', env: { CUBEJS_DB_QUERY_LIMIT: String(QUERY_LIMIT) } });
  cities = Number((await queryDuckDb(file, 'SELECT count(DISTINCT city) AS n FROM ecommerce'))[0]!.n);
});
afterAll(async () => stack?.close());

const ctx: RequestContext = { securityContext: {}, requestId: 'query-schema-agreement', api: 'internal' };
const count = { measures: ['ECommerce.count'] };
const byCity = { measures: ['ECommerce.count'], dimensions: ['ECommerce.city'] };

/** Accepted queries and the number of rows each returns, from the source table (set in `rows`). */
const VALID: [string, Record<string, unknown>, (cities: number) => number][] = [
  ['measures only', count, () => 1],
  ['an empty joinHints list', { ...count, joinHints: [] }, () => 1],
  ['rowLimit (read as limit)', { ...byCity, rowLimit: 3 }, (n) => Math.min(3, n)],
  ['rowLimit equal to limit', { ...byCity, rowLimit: 2, limit: 2 }, (n) => Math.min(2, n)],
  ['a limit sent as a string of digits', { ...byCity, limit: '2' }, (n) => Math.min(2, n)],
  ['null granularity and dateRange next to a granular time dimension', { ...count, timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: null, dateRange: null }] }, () => 1],
  ['an empty and-group (ignored, as Cube does)', { ...byCity, filters: [{ and: [] }] }, (n) => n],
  ['order as pairs', { ...byCity, order: [['ECommerce.city', 'desc']] }, (n) => n],
  ['a filter with the deprecated "dimension" key', { ...count, filters: [{ dimension: 'ECommerce.city', operator: 'set' }] }, () => 1],
];

/** Refused queries: code and the exact message, path included. */
const INVALID: [string, Record<string, unknown>, string, string][] = [
  ['non-empty joinHints', { ...count, joinHints: [['ECommerce', 'Customers']] }, 'UNSUPPORTED',
    "Invalid query format: joinHints: join hints are not supported: joins follow the shortest path of the model's join graph"],
  ['a joinHints entry that is not a cube name', { ...count, joinHints: [['ECommerce', 1]] }, 'QUERY_INVALID', 'Invalid query format: joinHints[0][1]: expected string, received number 1'],
  ['rowLimit that is not a count', { ...count, rowLimit: 'all' }, 'QUERY_INVALID', 'Invalid query format: rowLimit: must be a non-negative integer'],
  ['rowLimit different from limit', { ...count, rowLimit: 2, limit: 3 }, 'QUERY_INVALID', 'Invalid query format: rowLimit: differs from limit; give one of the two'],
  ['rowLimit over CUBEJS_DB_QUERY_LIMIT', { ...count, rowLimit: QUERY_LIMIT + 1 }, 'LIMIT_EXCEEDED', `The query limit has been exceeded: limit ${QUERY_LIMIT + 1} is over the maximum of ${QUERY_LIMIT}`],
  ['an object among filter values', { ...count, filters: [{ member: 'ECommerce.city', operator: 'set' }, { member: 'ECommerce.city', operator: 'set' }, { member: 'ECommerce.city', operator: 'equals', values: [{ city: 'x' }] }] },
    'QUERY_INVALID', 'Invalid query format: filters[2].values[0]: expected string, number, boolean or null, received object'],
  ['an unknown operator inside a group', { ...count, filters: [{ or: [{ member: 'ECommerce.city', operator: 'like', values: ['x'] }] }] }, 'INVALID_OPERATOR',
    'Invalid query format: filters[0].or[0].operator: "like" is not a filter operator'],
  ['a three-date dateRange', { ...count, timeDimensions: [{ dimension: 'ECommerce.orderDate', dateRange: ['2020-01-01', '2020-01-02', '2020-01-03'] }] }, 'QUERY_INVALID',
    'Invalid query format: timeDimensions[0].dateRange: needs one date or a [from, to] pair'],
  ['no compare range', { ...count, timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', compareDateRange: [] }] }, 'QUERY_INVALID',
    'Invalid query format: timeDimensions[0].compareDateRange: needs at least one date range'],
  ['an order direction that is not asc/desc', { ...count, order: { 'ECommerce.count': 'up' } }, 'QUERY_INVALID', 'Invalid query format: order["ECommerce.count"]: expected "asc" or "desc", received "up"'],
  ['a member that is not a string', { measures: ['ECommerce.count', 7] }, 'QUERY_INVALID', 'Invalid query format: measures[1]: expected string, received number 7'],
  ['an unknown query key', { ...count, dimension: ['ECommerce.city'] }, 'QUERY_INVALID', 'Invalid query format: "dimension" is not allowed'],
  ['a time zone that is not IANA', { ...count, timezone: 'Mars/Olympus' }, 'QUERY_INVALID', 'Invalid query format: timezone: "Mars/Olympus" is not an IANA time zone'],
  ['nothing to select', { filters: [{ member: 'ECommerce.city', operator: 'set' }] }, 'QUERY_INVALID',
    'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid'],
];

async function restLoad(query: unknown) {
  return request(stack.server.app).post('/cubejs-api/v1/load').send({ query });
}

describe('REST and the engine accept the same queries', () => {
  it.each(VALID)('accept %s', async (_name, query, rows) => {
    const want = rows(cities);
    const rest = await restLoad(query);
    expect(rest.status, JSON.stringify(rest.body)).toBe(200);
    expect(rest.body.data).toHaveLength(want);
    const engine = await stack.engine.load(query as never, ctx);
    expect(engine.results[0]!.rowCount).toBe(want);
  });

  it.each(INVALID)('refuse %s, naming the path', async (_name, query, code, message) => {
    for (const rest of [await restLoad(query), await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: JSON.stringify(query) })]) {
      expect(rest.status).toBe(400);
      expect(rest.body).toMatchObject({ type: code, error: message });
    }
    const error = await stack.engine.load(query as never, ctx).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect({ code: (error as UserError).code, message: (error as UserError).message }).toEqual({ code, message });
  });

  it('the check names the query of a blending request', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: [count, { measures: [7] }], queryType: 'multi' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid query format: query[1].measures[0]: expected string, received number 7');
  });

  it('/sql, /dry-run and /explain refuse with the same error as /load', async () => {
    const [, query, code, message] = INVALID[0]!;
    for (const endpoint of ['sql', 'dry-run', 'explain']) {
      const res = await request(stack.server.app).post(`/cubejs-api/v1/${endpoint}`).send({ query });
      expect(res.status, endpoint).toBe(400);
      expect(res.body, endpoint).toMatchObject({ type: code, error: message });
    }
  });

  it('GraphQL\'s built query goes through the same check', async () => {
    const graphql = (query: string) => request(stack.server.app).post('/cubejs-api/graphql').send({ query });
    const zone = await graphql('{ cube(timezone: "Mars/Olympus") { eCommerce { count } } }');
    expect(zone.status).toBe(400);
    expect(zone.body.errors[0]).toMatchObject({ message: 'Invalid query format: timezone: "Mars/Olympus" is not an IANA time zone', extensions: { code: 'QUERY_INVALID' } });
    const limit = await graphql(`{ cube(limit: ${QUERY_LIMIT + 1}) { eCommerce { count } } }`);
    expect(limit.body.errors[0]).toMatchObject({ message: `The query limit has been exceeded: limit ${QUERY_LIMIT + 1} is over the maximum of ${QUERY_LIMIT}`, extensions: { code: 'LIMIT_EXCEEDED' } });
  });
});
