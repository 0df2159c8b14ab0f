/**
 * Regression: `filters: [{ and: [] }]` rendered `WHERE ()`. Cube ignores an empty logical group;
 * the planner now drops empty groups at any depth (REST refuses them earlier, but GraphQL and the
 * SQL API reach the engine directly).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/query/query-types.ts';
import { comparable, ctx, startCorpusEngine, type CorpusEngine } from './corpus-engine.ts';

let corpus: CorpusEngine;
beforeAll(async () => {
  corpus = await startCorpusEngine();
});
afterAll(async () => corpus.close());

const byCity = (filters: Filter[]) => ({ measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], filters, order: { 'ECommerce.city': 'asc' } }) as const;
const columbus: Filter = { member: 'ECommerce.city', operator: 'equals', values: ['Columbus'] };

describe('empty logical filter groups', () => {
  it('are ignored alone: { and: [] } and { or: [] } filter nothing', async () => {
    const want = comparable(await corpus.sql(`SELECT city "ECommerce.city", count(customer_id) "ECommerce.count" FROM ecommerce GROUP BY 1 ORDER BY 1`));
    expect(comparable(await corpus.load(byCity([{ and: [] }])))).toEqual(want);
    expect(comparable(await corpus.load(byCity([{ or: [] }])))).toEqual(want);
    expect(comparable(await corpus.load(byCity([{ or: [{ and: [] }, { or: [] }] }])))).toEqual(want);
  });

  it('are dropped inside a group that keeps a real filter', async () => {
    const want = comparable(await corpus.sql(`SELECT city "ECommerce.city", count(customer_id) "ECommerce.count" FROM ecommerce WHERE city = 'Columbus' GROUP BY 1`));
    expect(comparable(await corpus.load(byCity([{ or: [{ and: [] }, columbus] }])))).toEqual(want);
    expect(comparable(await corpus.load(byCity([{ and: [columbus, { or: [] }] }])))).toEqual(want);
  });

  it('leave no empty parentheses in the generated SQL', async () => {
    const [response] = await corpus.engine.sql(byCity([{ and: [{ or: [] }] }, columbus]), ctx);
    expect(response!.sql[0]).not.toMatch(/\(\s*\)/);
    expect(response!.sql[1]).toEqual(['Columbus']);
  });
});
