/**
 * Regression: a query with filters (or segments, or a date range) but no member to show rendered
 * `SELECT` with an empty column list. Cube rejects it with a fixed message; so does the engine now,
 * for every API (GraphQL and the SQL API reach the engine without REST's shape check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors/user-error.ts';
import { ctx, startCorpusEngine, type CorpusEngine } from './corpus-engine.ts';

const CUBE_MESSAGE = 'Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid';
let corpus: CorpusEngine;
beforeAll(async () => {
  corpus = await startCorpusEngine();
});
afterAll(async () => corpus.close());

describe('a query that selects no member', () => {
  const cases = {
    'filters only': { filters: [{ member: 'ECommerce.city', operator: 'equals', values: ['Columbus'] }] },
    'a time dimension without granularity only': { timeDimensions: [{ dimension: 'ECommerce.orderDate', dateRange: ['2020-01-01', '2020-12-31'] }] },
    'nothing at all': {},
  } as const;
  for (const [name, query] of Object.entries(cases)) {
    it(`is rejected with Cube's message (${name})`, async () => {
      const error = await corpus.engine.load(query as never, ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(CUBE_MESSAGE);
    });
  }

  it('is also rejected by /sql and dry-run, which compile without running', async () => {
    const query = { filters: [{ member: 'ECommerce.city', operator: 'equals', values: ['Columbus'] }] } as never;
    await expect(corpus.engine.sql(query, ctx)).rejects.toThrow(CUBE_MESSAGE);
    await expect(corpus.engine.dryRun(query, ctx)).rejects.toThrow(CUBE_MESSAGE);
  });

  it('still answers a time dimension with a granularity and no measure', async () => {
    const rows = await corpus.load({ timeDimensions: [{ dimension: 'ECommerce.orderDate', granularity: 'year' }] });
    const want = await corpus.sql(`SELECT DISTINCT strftime(date_trunc('year', order_date), '%Y-%m-%dT%H:%M:%S.000') y FROM ecommerce ORDER BY 1`);
    expect(rows.map((r) => r['ECommerce.orderDate.year'])).toEqual(want.map((r) => r.y));
  });
});
