/**
 * Regression (QA 2026-12-07): an answer read from a rollup gave the time the query ran as
 * `lastRefreshTime`. Cube gives when the data was computed: the oldest `lastUpdatedAt` of the
 * pre-aggregation tables read (PreAggregations.ts getLastUpdatedAtTimestamp). Ours: the oldest
 * build time of the partitions read. The bounds here are the test's own clock around each build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';
import { ctx } from '../support/hand-made-engine.ts';
import { SALES_SQL } from '../engine/regressions/qa-model.ts';

const MODEL = `
cubes:
  - name: sales
    sql_table: sales
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true, public: true }
      - { name: channel, sql: channel, type: string }
      - { name: sold_at, sql: sold_at, type: time }
    measures:
      - { name: count, type: count }
    pre_aggregations:
      - name: by_day
        measures: [count]
        dimensions: [channel]
        time_dimension: sold_at
        granularity: day
        partition_granularity: day
`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: Stack;
/** The test's clock before and after the full build, and around the rebuild of the last day. */
let full: [number, number];
let lastDay: [number, number];

beforeAll(async () => {
  stack = await startStack({ data: { sql: SALES_SQL }, model: { files: { 'cubes/sales.yml': MODEL } }, preaggs: true });
  const model = stack.engine.currentModel();
  const refresher = stack.preAggregations!.refresher;
  full = [Date.now(), 0];
  await refresher.refresh(model, { force: true });
  full[1] = Date.now();
  await pause(1100);
  const [status] = refresher.status(model);
  const last = status!.partitionDetails!.map((p) => p.partition).sort().at(-1)!;
  expect(status!.partitionDetails).toHaveLength(3);
  lastDay = [Date.now(), 0];
  const cube = model.cubes.sales!;
  await refresher.refreshOne(model, cube, cube.preAggregations.by_day!, true, [last]);
  lastDay[1] = Date.now();
  await pause(1100);
}, 120_000);
afterAll(async () => stack?.close());

async function load(dateRange: [string, string]) {
  const asked = Date.now();
  const result = (await stack.engine.load({ measures: ['sales.count'], timeDimensions: [{ dimension: 'sales.sold_at', dateRange }] } as never, ctx)).results[0]!;
  return { asked, result, refreshed: Date.parse(result.lastRefreshTime!) };
}

describe('lastRefreshTime of an answer read from a rollup', () => {
  it('is when the oldest partition read was built, not when the query ran', async () => {
    const { asked, result, refreshed } = await load(['2025-03-01', '2025-03-31']);
    expect(Object.keys(result.usedPreAggregations ?? {})).toEqual(['sales.by_day']);
    expect(refreshed).toBeGreaterThanOrEqual(full[0]);
    expect(refreshed).toBeLessThanOrEqual(full[1]);
    expect(refreshed).toBeLessThan(asked);
  });

  it('is the rebuilt partition\'s time when the query reads only that partition', async () => {
    const { result, refreshed } = await load(['2025-03-05', '2025-03-05']);
    expect(Object.keys(result.usedPreAggregations ?? {})).toEqual(['sales.by_day']);
    expect(refreshed).toBeGreaterThanOrEqual(lastDay[0]);
    expect(refreshed).toBeLessThanOrEqual(lastDay[1]);
  });

  it('stays when the database answered for a source answer', async () => {
    const asked = Date.now();
    const result = (await stack.engine.load({ measures: ['sales.count'], dimensions: ['sales.id'], limit: 1 } as never, ctx)).results[0]!;
    expect(result.usedPreAggregations ?? {}).toEqual({});
    expect(Date.parse(result.lastRefreshTime!)).toBeGreaterThanOrEqual(asked - 1000);
  });
});
