import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngestion } from '../../src/lakehouse/ingest/run-ingestion.ts';
import { openRdsClient } from '../../src/lakehouse/rds/open-rds-client.ts';
import type { RdsClient } from '../../src/lakehouse/rds/rds-client.ts';
import { makeTempLakehouse, type TempLakehouse } from './lakehouse-fixtures.ts';

/** Incremental extraction by `updated_at` through the real `pg` client, reaching PGlite over a socket. */
describe('RDS extraction by watermark', () => {
  let lake: TempLakehouse;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0]![0]);
  const withRds = async <T>(work: (client: RdsClient) => Promise<T>) => {
    const client = await openRdsClient(lake.paths.rdsUrl);
    try { return await work(client); } finally { await client.close(); }
  };

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 9 });
    instance = await DuckDBInstance.create(lake.paths.duckdbPath);
    connection = await instance.connect();
  });
  afterAll(() => { connection.closeSync(); instance.closeSync(); lake.remove(); });

  it('extracts every row on the first run, with the latest updated_at as watermark', async () => {
    const source = await withRds(async (c) => ({
      dialect: c.dialect,
      returns: await c.query('SELECT count(*) AS n, sum(refund_amount) AS total, max(updated_at) AS last FROM returns'),
      status: await c.query('SELECT count(*) AS n FROM order_status'),
    }));
    expect(source.dialect).toBe('postgres');
    const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl, tables: ['order_status', 'returns'] });
    const returns = report.sources.find((s) => s.table === 'returns')!;
    expect(returns.read).toBe(Number(source.returns[0]!.n));
    expect(returns.watermark).toBe(String(source.returns[0]!.last));
    expect(await count('SELECT count(*) FROM bronze.returns')).toBe(Number(source.returns[0]!.n));
    expect(await count('SELECT CAST(sum(refund_amount) * 100 AS BIGINT) FROM bronze.returns')).toBe(Math.round(Number(source.returns[0]!.total) * 100));
    expect(await count('SELECT count(*) FROM bronze.order_status')).toBe(Number(source.status[0]!.n));
  });

  it('extracts only rows changed after the watermark: a late update and a new row', async () => {
    await withRds(async (c) => {
      await c.query("UPDATE order_status SET status = 'paid', updated_at = TIMESTAMP '2026-10-05 10:00:00' WHERE order_id = (SELECT min(order_id) FROM order_status)");
      await c.query("INSERT INTO returns VALUES ('DV-NEW-1', 'pos', 'R2026100100001', 1, 1, 19.90, TIMESTAMP '2026-10-05 11:00:00', TIMESTAMP '2026-10-05 11:00:00')");
    });
    const before = await count('SELECT count(*) FROM bronze.returns');
    const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl, tables: ['order_status', 'returns'] });
    expect(report.sources.map((s) => [s.table, s.read, s.watermark])).toEqual([
      ['order_status', 1, '2026-10-05 10:00:00'], ['returns', 1, '2026-10-05 11:00:00']]);
    expect(await count('SELECT count(*) FROM bronze.returns')).toBe(before + 1);
    // Bronze is append-only: the order now has two versions, the latest says 'paid'.
    const versions = (await connection.runAndReadAll(`SELECT status FROM bronze.order_status WHERE order_id =
      (SELECT order_id FROM bronze.order_status WHERE updated_at = TIMESTAMP '2026-10-05 10:00:00') ORDER BY updated_at`)).getRows().flat();
    expect(versions).toEqual(['cancelled', 'paid']);
  });

  it('adds nothing when the same window is extracted again', async () => {
    const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl, tables: ['order_status', 'returns'] });
    expect(report.sources.map((s) => s.read)).toEqual([0, 0]);
  });
});
