/**
 * The core issue's gold query suite (../engine/gold-cases.ts) returns identical results with
 * rollups enabled and disabled; at least 12 of its cases is actually served from a rollup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, normalize, rows } from '../engine/gold-cases.ts';
import { ctx, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;
const served: string[] = [];

beforeAll(async () => {
  fx = await openPreaggFixture();
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true });
  expect(statuses.every((s) => s.state === 'ready')).toBe(true);
});

afterAll(async () => fx?.close());

describe('gold query suite with rollups enabled and disabled', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const [withRollups, without] = await Promise.all([fx.engine.load(c.query, ctx), fx.plain.load(c.query, ctx)]);
    const a = withRollups.results[0]!;
    const b = without.results[0]!;
    if (Object.keys(a.usedPreAggregations).length > 0) served.push(c.name);
    expect(a.columns).toEqual(b.columns);
    const sort = (l: Record<string, unknown>[]) => [...l].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    const got = normalize(rows(a));
    const want = normalize(rows(b));
    if (c.unordered) expect(sort(got)).toEqual(sort(want));
    else expect(got).toEqual(want);
  });

  it('served at least 12 cases of the suite from rollups (granularities, relative ranges, filters, views)', () => {
    expect(served.length).toBeGreaterThanOrEqual(12);
  });
});
