/**
 * Regression found by the HTTP fuzz suite: `compareDateRange: []` split a query into no queries,
 * and /dry-run, /sql and /load read the first of none (TypeError, HTTP 500). A compare query
 * needs at least one range: 400 QUERY_INVALID through REST, and through GraphQL's cubeCompare.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

const query = { measures: ['ECommerce.count'], timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', compareDateRange: [] }] };

describe('compareDateRange with no range', () => {
  it.each(['load', 'sql', 'dry-run'])('/%s answers 400 naming compareDateRange', async (endpoint) => {
    const res = await request(stack.server.app).post(`/cubejs-api/v1/${endpoint}`).send({ query, queryType: 'multi' });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('QUERY_INVALID');
    expect(res.body.error).toMatch(/compareDateRange.*at least one date range/);
  });

  it('GraphQL cubeCompare with no date ranges is a 400 with extensions.code', async () => {
    const res = await request(stack.server.app)
      .post('/cubejs-api/graphql')
      .send({ query: '{ cubeCompare(dimension: "ECommerce.orderDate", dateRanges: []) { dateRange data { eCommerce { count } } } }' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('QUERY_INVALID');
  });
});
