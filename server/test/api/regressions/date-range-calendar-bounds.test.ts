/**
 * Regression: `dateRange: "from 10000 years ago to now"` reached `Date.toISOString` with a year
 * outside 0–9999 and answered 500. Dates and ranges outside the years 0001–9999 are now refused
 * (400, INVALID_DATE_RANGE / INVALID_VALUE); years before 100 are read as written (Date.UTC reads
 * them as 19xx), and a range ending at 9999-12-31 in a zone west of UTC still runs. Counts are
 * checked against SQL written here on the same DuckDB file.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusDatabase, queryDuckDb, startStack, type Stack } from '../../support/stack.ts';

let stack: Stack;
let duckdbPath: string;
beforeAll(async () => {
  duckdbPath = await corpusDatabase();
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

const load = (query: Record<string, unknown>) => request(stack.server.app).post('/cubejs-api/v1/load').send({ query });
const countIn = (dateRange: unknown, extra: Record<string, unknown> = {}) =>
  load({ measures: ['ECommerce.count'], timeDimensions: [{ dimension: 'ECommerce.orderDate', dateRange }], ...extra });

describe('date ranges at the edges of the calendar', () => {
  it.each([
    'from 10000 years ago to now',
    'from now to 10000 years from now',
    'last 99999999999999 days',
    'next 100000 years',
    'from 5000000 quarters ago to today',
  ])('refuses %j with 400 INVALID_DATE_RANGE', async (dateRange) => {
    const res = await countIn(dateRange);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('INVALID_DATE_RANGE');
    expect(res.body.error).toContain(dateRange);
  });

  it('refuses the same range in an inDateRange filter', async () => {
    const res = await load({ measures: ['ECommerce.count'], filters: [{ member: 'ECommerce.orderDate', operator: 'inDateRange', values: ['from 10000 years ago to now'] }] });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('INVALID_DATE_RANGE');
  });

  it.each([['0000-01-01', '2020-01-01'], ['2020-01-01', '10000-01-01']])('refuses the absolute range [%s, %s]', async (from, to) => {
    const res = await countIn([from, to]);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('INVALID_DATE_RANGE');
  });

  it('refuses a date filter value in year 0', async () => {
    const res = await load({ measures: ['ECommerce.count'], filters: [{ member: 'ECommerce.orderDate', operator: 'beforeDate', values: ['0000-06-01'] }] });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('INVALID_VALUE');
  });

  it('counts from year 50 as written (not 1950)', async () => {
    const res = await countIn(['0050-01-01', '2020-06-30']);
    expect(res.status).toBe(200);
    const [expected] = await queryDuckDb(duckdbPath, "SELECT count(*)::INT AS n FROM ecommerce WHERE order_date BETWEEN DATE '0050-01-01' AND DATE '2020-06-30'");
    expect(Number(res.body.data[0]['ECommerce.count'])).toBe(expected!.n);
  });

  it('runs a range ending on 9999-12-31 in America/Sao_Paulo (its UTC end is past the calendar)', async () => {
    const res = await countIn(['2020-06-01', '9999-12-31'], { timezone: 'America/Sao_Paulo' });
    expect(res.status).toBe(200);
    // 2020-06-01 00:00 in São Paulo (UTC-3, no DST in 2020) is 03:00 UTC; the date column holds midnights.
    const [expected] = await queryDuckDb(duckdbPath, "SELECT count(*)::INT AS n FROM ecommerce WHERE CAST(order_date AS TIMESTAMP) >= TIMESTAMP '2020-06-01 03:00:00'");
    expect(Number(res.body.data[0]['ECommerce.count'])).toBe(expected!.n);
  });
});
