/**
 * A rollup build cut short (the process killed between partitions) must not be served as if it
 * were whole after a restart. The store file is left as such a kill leaves it: the refresh pass had
 * listed every partition, some were written, the rest never were. The restarted server, before any
 * refresh, answers queries touching the missing months from the source (equal to hand SQL) and
 * still serves what the built partitions cover. (QA found such a rollup marked ready answering
 * from 11 of 24 partitions: a third of the figure.)
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { loadRows, openPreaggFixture } from './preagg-harness.ts';

const ROLLUP = 'rollup_teste.por_origem_dia';

const unitsByOrigin = (from: string, to: string): CubeQuery => ({
  measures: ['rollup_teste.unidades'],
  dimensions: ['rollup_teste.origem'],
  timeDimensions: [{ dimension: 'rollup_teste.data_venda', dateRange: [from, to] }],
  order: { 'rollup_teste.origem': 'asc' },
  renewQuery: true,
});

describe('a rollup build cut short', () => {
  it('is not served for the months it lacks after a restart; the source answers them', async () => {
    const storePath = path.join(await mkdtemp(path.join(os.tmpdir(), 'preagg-cut-')), 'preagg.duckdb');
    const first = await openPreaggFixture({ storePath });
    const statuses = await first.preAggregations.refresher.refresh(first.model, { force: true, only: [ROLLUP] });
    expect(statuses.map((s) => s.state)).toEqual(['ready']);
    const store = first.preAggregations.store;
    const key = store.storeKeys().find((k) => k.startsWith(`${ROLLUP}@`))!;
    const partitions = store.partitions(key).map((p) => p.partition).sort();
    expect(partitions.length).toBeGreaterThan(6);
    // The kill came after the first half of the partitions was written: the others are not in the catalog.
    const lost = partitions.slice(Math.ceil(partitions.length / 2));
    await store.storeDriver.query(`DELETE FROM rollups._partitions WHERE rollup_id = $1 AND partition_key IN (${lost.map((_, i) => `$${i + 2}`).join(', ')})`, [key, ...lost]);
    const duckdbPath = first.duckdbPath;
    await first.close();

    const restarted = await openPreaggFixture({ storePath, duckdbPath });
    try {
      const hand = async (from: string, to: string): Promise<string[][]> => {
        const r = await restarted.source.query(
          `SELECT origem, sum(quantidade) FROM gold.fato_vendas WHERE data_venda >= CAST($1 AS TIMESTAMP) AND data_venda < CAST($2 AS TIMESTAMP) + INTERVAL 1 DAY GROUP BY 1 ORDER BY 1`,
          [from, to],
        );
        return Array.from({ length: r.rowCount }, (_, i) => r.data.map((col) => String(col[i])));
      };
      const served = async (from: string, to: string) => {
        const { rows, rollup } = await loadRows(restarted.engine, unitsByOrigin(from, to));
        return { rollup, rows: rows.map((r) => [String(r['rollup_teste.origem']), String(r['rollup_teste.unidades'])]) };
      };
      // The whole history touches the lost months: the source answers, with every month's units.
      const whole = await served('2000-01-01', '2100-12-31');
      expect(whole).toEqual({ rollup: undefined, rows: await hand('2000-01-01', '2100-12-31') });
      // The first month was written before the kill: the rollup may serve it, and it is whole.
      // Partition keys are the month's start ('2024-01-01T00:00:00').
      const start = new Date(`${partitions[0]!}Z`);
      const from = start.toISOString().slice(0, 10);
      const monthEnd = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
      expect(await served(from, monthEnd)).toEqual({ rollup: ROLLUP, rows: await hand(from, monthEnd) });
    } finally {
      await restarted.close();
    }
  });
});
