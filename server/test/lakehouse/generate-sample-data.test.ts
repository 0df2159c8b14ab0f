import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleData } from '../../src/lakehouse/datagen/generate-sample-data.ts';
import { listFiles, makeTempLakehouse, readDataLines, type TempLakehouse } from './lakehouse-fixtures.ts';

const checksums = (root: string) =>
  Object.fromEntries(listFiles(root).map((f) => [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(root, f))).digest('hex')]));

describe('sample data generator', () => {
  let lake: TempLakehouse;
  let db: DuckDBInstance;
  const q = async (sql: string) => (await (await db.connect()).runAndReadAll(sql)).getRowObjectsJson();

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.02, seed: 11, rds: false });
    db = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => { db.closeSync(); lake.remove(); });

  it('lays files out as the landing bucket: <system>/<entity>/dt=YYYY-MM-DD/<prefix>_YYYYMMDD.<ext>', () => {
    const files = listFiles(lake.paths.landingDir);
    const pattern = /^(erp\/orders\/dt=(\d{4})-(\d{2})-(\d{2})\/orders_\2\3\4\.csv|erp\/order_lines\/dt=(\d{4})-(\d{2})-(\d{2})\/order_lines_\5\6\7\.csv|pos\/store_sales\/dt=(\d{4})-(\d{2})-(\d{2})\/store_sales_\8\9\10\.parquet|crm\/customers\/dt=(\d{4})-(\d{2})-(\d{2})\/customers_\11\12\13\.json|catalog\/products\/dt=[\d-]+\/products_\d{8}\.csv|catalog\/stores\/dt=[\d-]+\/stores_\d{8}\.csv|marketing\/campaigns\/dt=[\d-]+\/campaigns_\d{8}\.csv)$/;
    expect(files.filter((f) => !pattern.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('erp/orders/')).length).toBe(730);
    expect(files[0]).toMatch(/dt=2024-10-01/);
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    const again = await makeTempLakehouse({ scale: 0.02, seed: 11, rds: false });
    const other = await makeTempLakehouse({ scale: 0.02, seed: 12, rds: false });
    try {
      expect(checksums(again.paths.landingDir)).toEqual(checksums(lake.paths.landingDir));
      expect(checksums(other.paths.landingDir)).not.toEqual(checksums(lake.paths.landingDir));
    } finally {
      again.remove();
      other.remove();
    }
  });

  it('sizes the data by scale: about 20,000 sale lines at scale 0.02', () => {
    const online = readDataLines(lake.paths.landingDir, 'erp/order_lines', true).length;
    expect(online).toBeGreaterThan(9_000);
    expect(online).toBeLessThan(13_000);
  });

  it('has seasonality: Black Friday 2025 sells several times an average day', async () => {
    const rows = await q(`SELECT count(*) FILTER (WHERE CAST(order_ts AS VARCHAR) LIKE '2025-11-28%') AS bf, count(*) / 730.0 AS avg_day
      FROM read_csv('${lake.paths.landingDir}/erp/orders/*/*.csv', all_varchar = true)`);
    expect(Number(rows[0]!.bf)).toBeGreaterThan(3 * Number(rows[0]!.avg_day));
  });

  it('mixes channels, anonymous store receipts and returning customers', async () => {
    const [channels] = await q(`SELECT count(DISTINCT channel) AS n FROM read_csv('${lake.paths.landingDir}/erp/orders/*/*.csv', all_varchar = true)`);
    expect(Number(channels!.n)).toBe(3);
    const [pos] = await q(`SELECT avg(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS anon FROM read_parquet('${lake.paths.landingDir}/pos/store_sales/*/*.parquet')`);
    expect(Number(pos!.anon)).toBeGreaterThan(0.35);
    expect(Number(pos!.anon)).toBeLessThan(0.55);
    const [repeat] = await q(`SELECT avg(CASE WHEN n > 1 THEN 1 ELSE 0 END) AS share FROM (SELECT customer_id, count(DISTINCT order_id) AS n
      FROM read_csv('${lake.paths.landingDir}/erp/orders/*/*.csv', all_varchar = true) GROUP BY 1)`);
    expect(Number(repeat!.share)).toBeGreaterThan(0.3);
  });

  it('writes a small share of dirty records of every documented kind', async () => {
    const lines = readDataLines(lake.paths.landingDir, 'erp/order_lines', true).map((l) => l.text.split(','));
    expect(lines.some((f) => f[3] === 'dois')).toBe(true);
    expect(lines.some((f) => Number(f[3]) < 0)).toBe(true);
    expect(lines.some((f) => f[2]!.startsWith('PX'))).toBe(true);
    const orders = readDataLines(lake.paths.landingDir, 'erp/orders', true);
    expect(orders.some((o) => /^\d{2}\/\d{2}\/\d{4}/.test(o.text.split(',')[4]!))).toBe(true);
    const texts = orders.map((o) => o.text);
    expect(new Set(texts).size).toBeLessThan(texts.length);
    const bad = texts.length - new Set(texts).size;
    expect(bad / texts.length).toBeLessThan(0.01);
  });

  it('writes later CRM versions of some customers (SCD2 material)', async () => {
    const [row] = await q(`SELECT count(*) AS changed FROM (SELECT customer_id FROM read_json('${lake.paths.landingDir}/crm/customers/*/*.json',
      columns = {customer_id: 'VARCHAR'}) GROUP BY 1 HAVING count(*) > 1)`);
    expect(Number(row!.changed)).toBeGreaterThan(20);
  });

  it('generates one later day on its own, identical to what it writes for that day inside a bigger run', async () => {
    const dir = path.join(path.dirname(lake.paths.landingDir), 'one-day');
    await generateSampleData({ landingDir: dir, scale: 0.02, seed: 11, from: '2026-03-10', to: '2026-03-10', rdsUrl: null });
    const day = 'erp/order_lines/dt=2026-03-10/order_lines_20260310.csv';
    expect(fs.readFileSync(path.join(dir, day), 'utf8')).toBe(fs.readFileSync(path.join(lake.paths.landingDir, day), 'utf8'));
  });

  it('rejects a bad scale with a UserError', async () => {
    await expect(generateSampleData({ landingDir: lake.paths.landingDir, scale: -1, rdsUrl: null })).rejects.toMatchObject({ code: 'PIPELINE_INPUT' });
  });
});
