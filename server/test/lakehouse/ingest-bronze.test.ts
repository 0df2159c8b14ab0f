import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngestion } from '../../src/lakehouse/ingest/run-ingestion.ts';
import type { IngestReport } from '../../src/lakehouse/ingest/ingest-types.ts';
import { makeTempLakehouse, readDataLines, type TempLakehouse } from './lakehouse-fixtures.ts';

/**
 * Ingestion on generated data, checked against what the source files hold (read here with plain
 * JS or a separate in-memory DuckDB), never against the loader's own counts.
 */
describe('batch ingestion to bronze', () => {
  let lake: TempLakehouse;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let first: IngestReport;
  const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0]![0]);

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 3 });
    instance = await DuckDBInstance.create(lake.paths.duckdbPath);
    connection = await instance.connect();
    first = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl });
  });
  afterAll(() => { connection.closeSync(); instance.closeSync(); lake.remove(); });

  const sourceReport = (table: string) => first.sources.find((s) => s.table === table)!;

  it('loads every well-formed CSV line and quarantines the unparseable ones with file, line and reason', async () => {
    const lines = readDataLines(lake.paths.landingDir, 'erp/order_lines', true);
    const bad = lines.filter((l) => !/^-?\d+$/.test(l.text.split(',')[3]!));
    expect(bad.length).toBeGreaterThan(0);
    expect(await count('SELECT count(*) FROM bronze.erp_order_lines')).toBe(lines.length - bad.length);
    const quarantined = (await connection.runAndReadAll(
      "SELECT _source, line_no, reason, raw FROM bronze.quarantine WHERE _source LIKE 'erp/order_lines/%' ORDER BY 1, 2")).getRowObjectsJson();
    expect(quarantined.map((q) => `${q._source}:${q.line_no}`)).toEqual(bad.map((b) => `${b.file}:${b.line}`).sort());
    expect(quarantined.every((q) => String(q.reason).includes('quantity'))).toBe(true);
    expect(quarantined.map((q) => q.raw)).toEqual(expect.arrayContaining(bad.map((b) => b.text)));
  });

  it('quarantines orders whose timestamp cannot be parsed', async () => {
    const lines = readDataLines(lake.paths.landingDir, 'erp/orders', true);
    const bad = lines.filter((l) => !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(l.text.split(',')[4]!));
    expect(bad.length).toBeGreaterThan(0);
    const reasons = (await connection.runAndReadAll(
      "SELECT reason FROM bronze.quarantine WHERE _source LIKE 'erp/orders/%'")).getRows().map((r) => String(r[0]));
    expect(reasons.length).toBe(bad.length);
    expect(reasons.every((r) => r.startsWith('order_ts'))).toBe(true);
  });

  it('quarantines CRM lines with an unparseable birth date and store lines without a receipt id', async () => {
    const crm = readDataLines(lake.paths.landingDir, 'crm/customers', false);
    const badCrm = crm.filter((l) => !/^\d{4}-\d{2}-\d{2}$/.test(JSON.parse(l.text).birth_date as string));
    const crmQ = (await connection.runAndReadAll(
      "SELECT _source || ':' || line_no FROM bronze.quarantine WHERE _source LIKE 'crm/%' ORDER BY 1")).getRows().map((r) => String(r[0]));
    expect(crmQ).toEqual(badCrm.map((b) => `${b.file}:${b.line}`).sort());
    const files = await DuckDBInstance.create(':memory:');
    const reader = await (await files.connect()).runAndReadAll(
      `SELECT count(*) FILTER (WHERE receipt_id IS NULL), count(*) FROM read_parquet('${lake.paths.landingDir}/pos/store_sales/*/*.parquet')`);
    const [missing, total] = reader.getRows()[0]!.map(Number);
    files.closeSync();
    expect(missing).toBeGreaterThan(0);
    expect(await count("SELECT count(*) FROM bronze.quarantine WHERE reason = 'missing required field receipt_id'")).toBe(missing);
    expect(await count('SELECT count(*) FROM bronze.pos_store_sales')).toBe(total! - missing!);
  });

  it('reports counts that reconcile with the files: read = accepted + quarantined', () => {
    const expectedRead: Record<string, number> = {
      erp_orders: readDataLines(lake.paths.landingDir, 'erp/orders', true).length,
      erp_order_lines: readDataLines(lake.paths.landingDir, 'erp/order_lines', true).length,
      crm_customers: readDataLines(lake.paths.landingDir, 'crm/customers', false).length,
      products: readDataLines(lake.paths.landingDir, 'catalog/products', true).length,
    };
    for (const [table, read] of Object.entries(expectedRead)) {
      const report = sourceReport(table);
      expect(report.read, table).toBe(read);
      expect(report.accepted + report.quarantined, table).toBe(read);
    }
  });

  it('stamps every bronze row with _ingested_at, _source and _batch_id', async () => {
    expect(await count(`SELECT count(*) FROM bronze.erp_orders WHERE _batch_id <> '${first.batchId}' OR _ingested_at IS NULL
      OR NOT regexp_matches(_source, '^erp/orders/dt=\\d{4}-\\d{2}-\\d{2}/orders_\\d{8}\\.csv$')`)).toBe(0);
    expect(await count("SELECT count(*) FROM bronze.returns WHERE _source <> 'rds:returns'")).toBe(0);
  });

  it('keeps exact duplicates in bronze (append-only raw data; silver deduplicates)', async () => {
    const lines = readDataLines(lake.paths.landingDir, 'erp/orders', true).map((l) => l.text);
    const duplicates = lines.length - new Set(lines).size;
    expect(duplicates).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) - count(DISTINCT (order_id, order_ts, status, updated_at)) FROM bronze.erp_orders`)).toBe(duplicates);
  });

  it('adds nothing when the same files and the same database window are ingested again', async () => {
    const before = await count('SELECT (SELECT count(*) FROM bronze.erp_orders) + (SELECT count(*) FROM bronze.returns) + (SELECT count(*) FROM bronze.quarantine)');
    const again = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: lake.paths.rdsUrl });
    expect(again.sources.every((s) => s.read === 0 && s.accepted === 0 && s.quarantined === 0)).toBe(true);
    expect(again.sources.find((s) => s.table === 'erp_orders')!.skippedFiles).toBe(sourceReport('erp_orders').files);
    expect(await count('SELECT (SELECT count(*) FROM bronze.erp_orders) + (SELECT count(*) FROM bronze.returns) + (SELECT count(*) FROM bronze.quarantine)')).toBe(before);
  });

  it('ingests a later day incrementally: only its new files', async () => {
    const { generateSampleData } = await import('../../src/lakehouse/datagen/generate-sample-data.ts');
    await generateSampleData({ landingDir: lake.paths.landingDir, scale: 0.01, seed: 3, from: '2026-10-01', to: '2026-10-01', rdsUrl: null });
    const newLines = readDataLines(path.join(lake.paths.landingDir, 'erp/order_lines'), 'dt=2026-10-01', true).length;
    const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
    const lines = report.sources.find((s) => s.table === 'erp_order_lines')!;
    expect(lines.files).toBe(1);
    expect(lines.read).toBe(newLines);
    expect(await count("SELECT count(*) FROM bronze.erp_order_lines WHERE _source LIKE '%dt=2026-10-01%'")).toBe(lines.accepted);
  });

  it('gives the connection its engine settings back, after a batch and after one that fails and rolls back', async () => {
    const settings = async () => (await connection.runAndReadAll(
      "SELECT current_setting('preserve_insertion_order')::VARCHAR, current_setting('max_vacuum_tasks')::VARCHAR")).getRows()[0]!.map(String);
    await connection.run('SET GLOBAL max_vacuum_tasks = 7');
    try {
      const { generateSampleData } = await import('../../src/lakehouse/datagen/generate-sample-data.ts');
      await generateSampleData({ landingDir: lake.paths.landingDir, scale: 0.01, seed: 3, from: '2026-10-02', to: '2026-10-02', rdsUrl: null });
      const newDay = "SELECT count(*) FROM bronze.erp_orders WHERE _source LIKE '%dt=2026-10-02%'";
      const failing = runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null,
        onProgress: (event) => { if (event.done === 1) throw new Error('stopped by the test'); } });
      await expect(failing).rejects.toThrow('stopped by the test');
      expect(await count(newDay)).toBe(0);
      expect(await settings()).toEqual(['true', '7']);
      await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
      expect(await count(newDay)).toBe(readDataLines(path.join(lake.paths.landingDir, 'erp/orders'), 'dt=2026-10-02', true)
        .filter((l) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(l.text.split(',')[4]!)).length);
      expect(await settings()).toEqual(['true', '7']);
    } finally {
      await connection.run('RESET GLOBAL max_vacuum_tasks');
    }
  });
});
