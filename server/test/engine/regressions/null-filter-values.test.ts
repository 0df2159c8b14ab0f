/**
 * Regression: `null` among the values of equals / notEquals was refused ("value null is not a
 * valid string"); Cube allows it and reads it as IS NULL / IS NOT NULL. Checked against hand SQL
 * on rows where the channel is sometimes unknown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHandMadeEngine, type HandMadeEngine } from '../../support/hand-made-engine.ts';
import { SALES_MODEL, SALES_SQL } from './qa-model.ts';

let hand: HandMadeEngine;
beforeAll(async () => {
  hand = await startHandMadeEngine(`${SALES_SQL}\nINSERT INTO sales VALUES (7, NULL, 7, '2025-03-05 12:00:00'), (8, NULL, 8, '2025-03-05 13:00:00');`, SALES_MODEL);
});
afterAll(async () => hand.close());

const count = async (values: unknown[], operator: string) =>
  (await hand.load({ measures: ['sales.count'], filters: [{ member: 'sales.channel', operator, values }] } as never))[0]!['sales.count'];
const want = async (where: string) => (await hand.sql(`SELECT count(*)::VARCHAR AS n FROM sales WHERE ${where}`))[0]!.n;

describe('null in equals / notEquals values', () => {
  it('equals [null] is IS NULL, notEquals [null] is IS NOT NULL', async () => {
    expect(await count([null], 'equals')).toBe(await want('channel IS NULL'));
    expect(await count([null], 'notEquals')).toBe(await want('channel IS NOT NULL'));
  });

  it('beside other values: equals is "one of them or unset", notEquals "none of them and set"', async () => {
    expect(await count(['site', null], 'equals')).toBe(await want(`channel = 'site' OR channel IS NULL`));
    expect(await count(['site', null], 'notEquals')).toBe(await want(`channel <> 'site' AND channel IS NOT NULL`));
    // Without null, notEquals keeps the unset rows, as Cube's does.
    expect(await count(['site'], 'notEquals')).toBe(await want(`channel <> 'site' OR channel IS NULL`));
  });
});
