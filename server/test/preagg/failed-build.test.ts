/**
 * A failed build leaves the previous version serving and reports the error in the status:
 * a source error (the fact table is gone), and a store whose staging space is at a bad path
 * (disk trouble). A store that cannot open at all leaves the source answering.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors/user-error.ts';
import { openPreAggregations } from '../../src/preagg/open-pre-aggregations.ts';
import { compileBuildQuery } from '../../src/engine/compile-build-query.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { loadRows, openPreaggFixture, type PreaggFixture } from './preagg-harness.ts';

const QUERY = { measures: ['rollup_teste.unidades'], dimensions: ['rollup_teste.origem'], order: { 'rollup_teste.origem': 'asc' as const }, renewQuery: true };
const WANT_SQL = 'SELECT origem, sum(quantidade) FROM gold.fato_vendas GROUP BY 1 ORDER BY 1';
let fx: PreaggFixture;
let want: unknown[][];

beforeAll(async () => {
  fx = await openPreaggFixture();
  await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
  const r = await fx.source.query(WANT_SQL, []);
  want = Array.from({ length: r.rowCount }, (_, i) => [r.data[0]![i], Number(r.data[1]![i])]);
});

afterAll(async () => fx?.close());

const answer = async (f: PreaggFixture) => {
  const { rows, rollup } = await loadRows(f.engine, QUERY);
  return { rollup, rows: rows.map((r) => [r['rollup_teste.origem'], Number(r['rollup_teste.unidades'])]) };
};

describe('failed builds', () => {
  it('keeps serving the previous version when the source fails, and reports the error', async () => {
    const before = fx.preAggregations.store.partitions(fx.preAggregations.store.storeKeys().find((k) => k.startsWith('rollup_teste.por_origem_dia@'))!);
    await fx.source.query('ALTER TABLE gold.fato_vendas RENAME TO fato_vendas_fora', []);
    try {
      const [status] = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
      expect(status!.state).toBe('failed');
      expect(status!.lastError).toMatch(/fato_vendas/);
      expect(status!.rowCount).toBeGreaterThan(0);
      const listed = fx.preAggregations.status().find((s) => s.id === 'rollup_teste.por_origem_dia')!;
      expect(listed).toMatchObject({ state: 'failed', partitions: before.length });
      expect(await answer(fx)).toEqual({ rollup: 'rollup_teste.por_origem_dia', rows: want });
    } finally {
      await fx.source.query('ALTER TABLE gold.fato_vendas_fora RENAME TO fato_vendas', []);
    }
    const [status] = await fx.preAggregations.refresher.refresh(fx.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
    expect(status).toMatchObject({ state: 'ready' });
    expect(status!.lastError).toBeUndefined();
  });

  it('keeps serving the previous version when the store cannot write (staging at a bad path)', async () => {
    const storePath = path.join(await mkdtemp(path.join(os.tmpdir(), 'preagg-bad-')), 'preagg.duckdb');
    const first = await openPreaggFixture({ storePath });
    await first.preAggregations.refresher.refresh(first.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
    await first.preAggregations.close();
    // Same store file, staging under a regular file: every write of a new version fails.
    const file = path.join(path.dirname(storePath), 'not-a-dir');
    await writeFile(file, 'x');
    const second = await openPreaggFixture({ storePath, stagingDir: path.join(file, 'staging'), duckdbPath: first.duckdbPath });
    try {
      expect(await answer(second)).toEqual({ rollup: 'rollup_teste.por_origem_dia', rows: want });
      const [status] = await second.preAggregations.refresher.refresh(second.model, { force: true, only: ['rollup_teste.por_origem_dia'] });
      expect(status!.state).toBe('failed');
      expect(status!.lastError).toContain('not-a-dir');
      expect(await answer(second)).toEqual({ rollup: 'rollup_teste.por_origem_dia', rows: want });
    } finally {
      await second.close();
    }
  });

  it('refuses a store at a bad path with an error naming it', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'preagg-bad-')), 'file');
    await writeFile(file, 'x');
    const bad = path.join(file, 'preagg.duckdb');
    const error = await openPreAggregations({ storePath: bad, sourceDriver: fx.source, sourceDialect: createDuckDbDialect(), compileBuild: compileBuildQuery, model: () => fx.model }).catch((e: unknown) => e);
    expect(isUserError(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain(bad);
  });
});
