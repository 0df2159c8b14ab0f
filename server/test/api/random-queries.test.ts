/**
 * Property: whatever a client sends to /load — valid members mixed with garbage, wrong types,
 * huge numbers, unicode, deeply nested filters, broken JSON text — the server answers with JSON
 * and a status below 500, and keeps serving.
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ data: 'corpus' });
});
afterAll(async () => stack?.close());

const MEASURES = ['ECommerce.count', 'ECommerce.totalSales', 'ECommerce.avgDiscount', 'Customers.count', 'ECommerce.rollingCountByTrailing', 'ECommerce.hiddenSum'];
const DIMENSIONS = ['ECommerce.city', 'ECommerce.category', 'ECommerce.orderDate', 'ECommerce.rowId', 'Customers.customerName', 'Products.productName'];
const OPERATORS = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet',
  'inDateRange', 'notInDateRange', 'beforeDate', 'afterDate', 'measureFilter', 'like', ''];

const garbage = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constant(1e308), fc.constant(-0));
const member = (valid: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.string().map((s) => `ECommerce.${s}`) });
const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom('2020-01-01', '2020-13-45', 'last 7 days', '9999-99-99T99:99', '1e400', "'; DROP TABLE ecommerce; --"));
const dateRange = fc.oneof(
  fc.constantFrom('last 7 days', 'this month', 'from 3 months ago to now', 'yesterday', 'last year', 'tomorrow', 'next week', 'bogus range'),
  fc.tuple(value, value),
  garbage,
);

const { filter } = fc.letrec<{ filter: unknown }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ member: member([...MEASURES, ...DIMENSIONS]), operator: fc.oneof(fc.constantFrom(...OPERATORS), garbage), values: fc.oneof(fc.array(value, { maxLength: 4 }), garbage) }, { requiredKeys: [] }),
    fc.record({ and: fc.array(tie('filter'), { maxLength: 3 }) }),
    fc.record({ or: fc.array(tie('filter'), { maxLength: 3 }) }),
    garbage,
  ),
}));

/** Queries an honest client could send: known members, known operators, plausible values. */
const validQuery = fc.record(
  {
    measures: fc.subarray(MEASURES.filter((m) => !m.includes('hidden')), { maxLength: 2 }),
    dimensions: fc.subarray(DIMENSIONS, { maxLength: 2 }),
    timeDimensions: fc.array(
      fc.record({
        dimension: fc.constantFrom('ECommerce.orderDate', 'ECommerce.completedDate'),
        granularity: fc.constantFrom('day', 'week', 'month', 'quarter', 'year'),
        dateRange: fc.constantFrom('last 7 days', 'this year', 'from 3 months ago to now', ['2020-01-01', '2020-06-30'], ['2020-03-01', '2020-12-31']),
      }, { requiredKeys: ['dimension'] }),
      { maxLength: 1 },
    ),
    filters: fc.array(
      fc.record({
        member: fc.constantFrom('ECommerce.city', 'ECommerce.category', 'Customers.customerName', 'ECommerce.count'),
        operator: fc.constantFrom('equals', 'notEquals', 'contains', 'startsWith', 'endsWith', 'set', 'notSet', 'gt', 'lt'),
        values: fc.array(fc.oneof(fc.constantFrom('Detroit', 'Furniture', 'Customer 1', '3'), fc.string({ unit: 'grapheme', maxLength: 5 })), { minLength: 1, maxLength: 3 }),
      }),
      { maxLength: 2 },
    ),
    limit: fc.integer({ min: 1, max: 50_000 }),
    offset: fc.nat(20),
    total: fc.boolean(),
    timezone: fc.constantFrom('UTC', 'America/Sao_Paulo', 'Asia/Kolkata'),
  },
  { requiredKeys: ['measures'] },
);

/** Anything goes: garbage in every field, unknown members, wrong types, runaway numbers. */
const wildQuery = fc.record(
  {
    measures: fc.oneof({ weight: 4, arbitrary: fc.array(member(MEASURES), { maxLength: 3 }) }, { weight: 1, arbitrary: garbage }),
    dimensions: fc.oneof({ weight: 4, arbitrary: fc.array(member(DIMENSIONS), { maxLength: 3 }) }, { weight: 1, arbitrary: garbage }),
    timeDimensions: fc.array(
      fc.record({ dimension: member(['ECommerce.orderDate', 'ECommerce.completedDate', 'ECommerce.city']), granularity: fc.oneof(fc.constantFrom('day', 'week', 'month', 'quarter', 'year', 'hour', 'fortnight', 'half_year'), garbage), dateRange }, { requiredKeys: ['dimension'] }),
      { maxLength: 2 },
    ),
    filters: fc.oneof({ weight: 4, arbitrary: fc.array(filter, { maxLength: 3 }) }, { weight: 1, arbitrary: garbage }),
    order: fc.oneof(fc.dictionary(member([...MEASURES, ...DIMENSIONS]).map(String), fc.oneof(fc.constantFrom('asc', 'desc'), garbage)), fc.array(fc.tuple(member(DIMENSIONS), fc.constantFrom('asc', 'desc', 'up'))), garbage),
    limit: fc.oneof(fc.integer({ min: -5, max: 60_000 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.double(), garbage),
    offset: fc.oneof(fc.nat(100), garbage),
    total: fc.oneof(fc.boolean(), garbage),
    ungrouped: fc.oneof(fc.boolean(), garbage),
    timezone: fc.oneof(fc.constantFrom('UTC', 'America/Sao_Paulo', 'Mars/Olympus', ''), garbage),
    segments: fc.oneof(fc.array(fc.string(), { maxLength: 2 }), garbage),
    extra: garbage,
  },
  { requiredKeys: [] },
);

/** A valid query with one field swapped for a wild value: errors deep inside the engine. */
const mutatedQuery = fc.tuple(validQuery, wildQuery, fc.constantFrom('measures', 'dimensions', 'timeDimensions', 'filters', 'order', 'limit', 'timezone'))
  .map(([valid, wild, key]) => ({ ...valid, [key]: (wild as Record<string, unknown>)[key] }));

const query = fc.oneof(validQuery, mutatedQuery, wildQuery);

async function expectNoServerError(res: request.Response, sent: unknown): Promise<void> {
  expect(res.status, `${JSON.stringify(sent)} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  if (res.status !== 200) expect(typeof res.body.error).toBe('string');
}

describe('random and mutated queries', () => {
  it('never answer 500 for a random query object (400 runs)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: q });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await expectNoServerError(res, q);
      }),
      { numRuns: 400 },
    );
    // The mix must reach the engine, not only the shape check: some queries run, some fail later.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(20);
  });

  it('never answer 500 for mutated JSON text of a valid query, on GET and POST (200 runs)', async () => {
    const valid = JSON.stringify({
      measures: ['ECommerce.count'],
      dimensions: ['ECommerce.city'],
      filters: [{ member: 'ECommerce.city', operator: 'equals', values: ['Detroit'] }],
      timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'month', dateRange: ['2020-01-01', '2020-12-31'] }],
    });
    const mutation = fc.record({ at: fc.nat(valid.length - 1), cut: fc.nat(4), insert: fc.string({ unit: 'grapheme', maxLength: 3 }) });
    await fc.assert(
      fc.asyncProperty(mutation, fc.boolean(), async ({ at, cut, insert }, useGet) => {
        const text = valid.slice(0, at) + insert + valid.slice(at + cut);
        const res = useGet
          ? await request(stack.server.app).get('/cubejs-api/v1/load').query({ query: text })
          : await request(stack.server.app).post('/cubejs-api/v1/load').set('Content-Type', 'application/json').send(`{"query":${text}}`);
        await expectNoServerError(res, text);
      }),
      { numRuns: 200 },
    );
  });

  it('still serves after the barrage', async () => {
    const res = await request(stack.server.app).post('/cubejs-api/v1/load').send({ query: { measures: ['ECommerce.count'] } });
    expect(res.status).toBe(200);
    expect((await request(stack.server.app).get('/readyz')).status).toBe(200);
  });
});
