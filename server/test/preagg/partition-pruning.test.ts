/**
 * Partition pruning and the engine's memo of whole answers. A monthly-partitioned rollup read for
 * a date range leases only the months the range touches (or the consolidated copy of all of them,
 * while it is current): the expected months come from SQL on the source (not from the pruning
 * code), and every answer equals the source's. Memoized answers stop
 * being served when the rollup is rebuilt or the result cache is cleared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { rollupStoreKey } from '../../src/preagg/rollup-signature.ts';
import { ctx, loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

let fx: PreaggFixture;
/** 'YYYY-MM' of every month with sales in the source, ascending. */
let months: string[];

beforeAll(async () => {
  fx = await openPreaggFixture();
  const statuses = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
  expect(statuses.map((s) => s.state)).toEqual(['ready']);
  const result = await fx.source.query(`SELECT DISTINCT strftime(data_venda, '%Y-%m') FROM gold.fato_vendas WHERE data_venda IS NOT NULL ORDER BY 1`, []);
  months = (result.data[0] ?? []).map(String);
  expect(months.length).toBeGreaterThanOrEqual(3);
});

afterAll(async () => fx?.close());

const ROLLUP = 'rollup_teste.por_origem_dia';
const query = (dateRange?: [string, string], granularity = 'day'): CubeQuery => ({
  measures: ['rollup_teste.linhas', 'rollup_teste.unidades', 'rollup_teste.preco_medio'],
  dimensions: ['rollup_teste.origem'],
  timeDimensions: [{ dimension: 'rollup_teste.data_venda', granularity, ...(dateRange ? { dateRange } : {}) }],
  order: [['rollup_teste.data_venda', 'asc'], ['rollup_teste.origem', 'asc']],
});

/** 'YYYYMM' of each table a rollup answer read (table names carry their partition start), 'all' for the consolidated copy. */
function monthsRead(targetTableName: string): string[] {
  return targetTableName.split(',').map((table) => (table.includes('__consolidated__') ? 'all' : /__(\d{6})01T000000__/.exec(table)?.[1] ?? `? ${table}`));
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

async function servedAndEqual(q: CubeQuery): Promise<string[]> {
  const rolled = await loadRows(fx.engine, q);
  const source = await loadRows(fx.plain, q);
  expect(rolled.rollup).toBe(ROLLUP);
  expect(source.rollup).toBeUndefined();
  expect(rolled.rows).toEqual(source.rows);
  return monthsRead(rolled.result.usedPreAggregations[ROLLUP]!.targetTableName);
}

/**
 * Rewrites the first partition with its own rows, so the consolidated copy no longer holds exactly
 * the current partitions and reads go to the partition tables (pruned), then consolidates again.
 */
async function withoutCurrentCopy(check: () => Promise<void>): Promise<void> {
  const cube = fx.model.cubes.rollup_teste!;
  const key = rollupStoreKey(cube, cube.preAggregations.por_origem_dia!);
  const [first] = fx.preAggregations.store.partitions(key);
  const rows = await fx.preAggregations.store.storeDriver.query(`SELECT * FROM ${first!.table}`, []);
  await fx.preAggregations.store.replacePartition(key, first!.partition, rows, first!.refreshKeyValue, first!.watermark, first!.changeStamp);
  try {
    await check();
  } finally {
    await fx.preAggregations.store.consolidate(key);
  }
}

describe('partition pruning', () => {
  it('reads only the month a one-month range covers', async () => {
    const month = months[Math.floor(months.length / 2)]!;
    await withoutCurrentCopy(async () => {
      expect(await servedAndEqual(query([`${month}-01`, lastDay(month)]))).toEqual([month.replace('-', '')]);
    });
  });

  it('reads both months of a range across a month boundary', async () => {
    const [first, second] = [months[0]!, months[1]!];
    const from = `${first}-${lastDay(first).slice(8, 10)}`;
    await withoutCurrentCopy(async () => {
      expect(await servedAndEqual(query([from, `${second}-02`]))).toEqual([first.replace('-', ''), second.replace('-', '')]);
    });
  });

  it('reads the current consolidated copy for a pruned range too (one table; the date filter selects the rows)', async () => {
    const month = months[Math.floor(months.length / 2)]!;
    expect(await servedAndEqual(query([`${month}-01`, lastDay(month)]))).toEqual(['all']);
  });

  it('reads the consolidated copy of every month without a date range, or for a range covering every month', async () => {
    expect(months.length).toBeGreaterThanOrEqual(4); // consolidation starts at four partitions
    expect(await servedAndEqual(query(undefined, 'month'))).toEqual(['all']);
    const wide = query([`${months[0]}-01`, lastDay(months.at(-1)!)], 'month');
    expect(await servedAndEqual(wide)).toEqual(['all']);
  });

  it('reads the partitions themselves while the copy is older than a rebuilt partition, and the new copy after the refresh', async () => {
    const cube = fx.model.cubes.rollup_teste!;
    const key = rollupStoreKey(cube, cube.preAggregations.por_origem_dia!);
    const [first] = fx.preAggregations.store.partitions(key);
    const rows = await fx.preAggregations.store.storeDriver.query(`SELECT * FROM ${first!.table}`, []);
    await fx.preAggregations.store.replacePartition(key, first!.partition, rows, first!.refreshKeyValue, first!.watermark, first!.changeStamp);
    expect(await servedAndEqual(query(undefined, 'month'))).toEqual(months.map((m) => m.replace('-', '')));
    await fx.preAggregations.store.consolidate(key);
    expect(await servedAndEqual(query(undefined, 'month'))).toEqual(['all']);
    // Superseded copies are dropped once no query reads them.
    expect((await fx.preAggregations.store.listTables()).filter((t) => t.includes('__consolidated__'))).toHaveLength(1);
  });

  it('answers a range outside the data with no rows, from one table', async () => {
    const read = await servedAndEqual(query(['1999-01-01', '1999-01-31']));
    expect(read).toHaveLength(1);
    const rolled = await loadRows(fx.engine, query(['1999-01-01', '1999-01-31']));
    expect(rolled.rows).toEqual([]);
  });
});

describe('memoized answers', () => {
  it('serves a repeated query without executing it, until the cache is cleared or the rollup rebuilt', async () => {
    const month = months[1]!;
    const q = query([`${month}-01`, lastDay(month)]);
    const executed = () => fx.orchestrator.stats().queues.__preagg_store?.executed ?? 0;
    const first = await fx.engine.load(q, ctx);
    const e0 = executed();
    const again = await fx.engine.load(q, ctx);
    expect(executed()).toBe(e0);
    expect(again.results[0]!.data).toEqual(first.results[0]!.data);

    fx.orchestrator.clearCache();
    const afterClear = await fx.engine.load(q, ctx);
    expect(executed()).toBe(e0 + 1);
    expect(afterClear.results[0]!.data).toEqual(first.results[0]!.data);

    await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: [ROLLUP] });
    const afterRebuild = await fx.engine.load(q, ctx);
    expect(executed()).toBe(e0 + 2);
    expect(afterRebuild.results[0]!.usedPreAggregations[ROLLUP]!.targetTableName).not.toBe(first.results[0]!.usedPreAggregations[ROLLUP]!.targetTableName);
    expect(afterRebuild.results[0]!.data).toEqual(first.results[0]!.data);
  });
});
