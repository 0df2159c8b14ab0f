import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.ts';
import { runIngestion } from '../../src/lakehouse/ingest/run-ingestion.ts';
import { fingerprint, makeTempLakehouse, type TempLakehouse } from './lakehouse-fixtures.ts';

/**
 * Each kind of bad input fails the run with one UserError naming the source, and the lakehouse is
 * exactly as before (same tables, same row counts, same row hashes).
 */
describe('ingestion of bad input', () => {
  let lake: TempLakehouse;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 5, rds: false });
    instance = await DuckDBInstance.create(lake.paths.duckdbPath);
    connection = await instance.connect();
    // A first good batch, then new (bad) files arrive in a later partition.
    await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
  });
  afterAll(() => { connection.closeSync(); instance.closeSync(); lake.remove(); });

  /** Adds a file for one later day, runs `act`, removes the file. */
  async function withLandingFile(relative: string, content: string | Buffer, act: () => Promise<void>) {
    const file = path.join(lake.paths.landingDir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    try { await act(); } finally { fs.rmSync(path.dirname(file), { recursive: true, force: true }); }
  }

  async function expectUnchanged(run: () => Promise<unknown>, code: string, message: RegExp) {
    const before = await fingerprint(connection);
    await expect(run()).rejects.toMatchObject({ name: 'UserError', code, message: expect.stringMatching(message) });
    expect(await fingerprint(connection)).toEqual(before);
  }

  it('fails on a missing landing folder naming it', async () => {
    const missing = path.join(lake.paths.dir, 'no-such-landing');
    await expectUnchanged(() => runIngestion(connection, { landingDir: missing, rdsUrl: null }), 'PIPELINE_INPUT', /no-such-landing.*does not exist/);
  });

  it('fails on a corrupt Parquet file naming the file, even with good files in the same batch', async () => {
    const good = 'erp/orders/dt=2026-10-02/orders_20261002.csv';
    fs.mkdirSync(path.join(lake.paths.landingDir, path.dirname(good)), { recursive: true });
    fs.copyFileSync(path.join(lake.paths.landingDir, 'erp/orders/dt=2025-01-10/orders_20250110.csv'), path.join(lake.paths.landingDir, good));
    try {
      await withLandingFile('pos/store_sales/dt=2026-10-02/store_sales_20261002.parquet', Buffer.from('PAR1 this is not parquet at all'), () =>
        expectUnchanged(() => runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null }), 'PIPELINE_INPUT',
          /store_sales_20261002\.parquet: not a readable Parquet file/));
    } finally {
      fs.rmSync(path.join(lake.paths.landingDir, path.dirname(good)), { recursive: true, force: true });
    }
  });

  /** A Parquet file of store sales written by DuckDB from `select` (over one of the sample's files, `sample`). */
  async function parquetBytes(select: string): Promise<Buffer> {
    const sample = path.join(lake.paths.landingDir, 'pos/store_sales', fs.readdirSync(path.join(lake.paths.landingDir, 'pos/store_sales'))[0]!);
    const source = path.join(sample, fs.readdirSync(sample)[0]!);
    const out = path.join(lake.paths.dir, 'written.parquet');
    await connection.run(`COPY (${select.replace('sample', `read_parquet('${source}')`)}) TO '${out}' (FORMAT parquet)`);
    try { return fs.readFileSync(out); } finally { fs.rmSync(out); }
  }

  it('fails on a Parquet file lacking a column of the contract naming the file and the column', async () => {
    const bytes = await parquetBytes('SELECT * EXCLUDE (payment_method) FROM sample');
    await withLandingFile('pos/store_sales/dt=2026-10-02/store_sales_20261002.parquet', bytes, () =>
      expectUnchanged(() => runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null }), 'PIPELINE_INPUT',
        /store_sales_20261002\.parquet: Parquet file lacks column\(s\) payment_method of pos_store_sales/));
  });

  it('ingests a Parquet file without rows as zero records', async () => {
    const bytes = await parquetBytes('SELECT * FROM sample LIMIT 0');
    await withLandingFile('pos/store_sales/dt=2026-10-05/store_sales_20261005.parquet', bytes, async () => {
      const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
      expect(report.sources.find((s) => s.table === 'pos_store_sales')).toMatchObject({ files: 1, read: 0, accepted: 0, quarantined: 0 });
    });
  });

  it('fails on a CSV with the wrong columns naming the file, line 1 and the columns', async () => {
    await withLandingFile('erp/order_lines/dt=2026-10-02/order_lines_20261002.csv', 'order_id,line,sku,qty\nO1,1,P000001,2\n', () =>
      expectUnchanged(() => runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null }), 'PIPELINE_INPUT',
        /order_lines_20261002\.csv:1: CSV header does not match erp_order_lines.*missing: line_no, product_id/));
  });

  it('fails on an unreachable database naming it, without the password', async () => {
    const run = () => runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: 'postgres://etl:s3cret@127.0.0.1:1/rds' });
    await expectUnchanged(run, 'SOURCE_UNREACHABLE', /postgres:\/\/etl@127\.0\.0\.1:1\/rds/);
    await expect(run()).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') });
  });

  it('rolls back a batch that fails half-way (a file vanishing after the checks)', async () => {
    const file = 'crm/customers/dt=2026-10-03/customers_20261003.json';
    await withLandingFile(file, '{"customer_id":"C9","name":"x"}\n', async () => {
      const before = await fingerprint(connection);
      const promise = runIngestion(connection, {
        landingDir: lake.paths.landingDir, rdsUrl: null,
        onProgress: (e) => { if (e.source === 'crm/customers') fs.rmSync(path.join(lake.paths.landingDir, file)); },
      });
      await expect(promise).rejects.toMatchObject({ name: 'UserError', code: 'PIPELINE_INPUT', message: expect.stringMatching(/customers_20261003\.json changed during the batch: it no longer exists/) });
      expect(await fingerprint(connection)).toEqual(before);
    });
  });

  it('quarantines a line that is not JSON with its line number, and loads the rest of the file', async () => {
    const file = 'crm/customers/dt=2026-10-04/customers_20261004.json';
    const good = '{"customer_id":"C7000001","name":"Ana Lima","email":"a@x.com","city":"Natal","state":"RN","segment":"vip","birth_date":"1990-01-02","signup_date":"2026-10-04","updated_at":"2026-10-04 10:00:00"}';
    await withLandingFile(file, `${good}\n{"customer_id": "C7000002", "name": \n`, async () => {
      const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
      expect(report.sources.find((s) => s.table === 'crm_customers')).toMatchObject({ files: 1, read: 2, accepted: 1, quarantined: 1 });
      const rows = (await connection.runAndReadAll(`SELECT line_no, reason FROM bronze.quarantine WHERE _source = '${file}'`)).getRowObjectsJson();
      expect(rows).toEqual([{ line_no: '2', reason: 'not a JSON object' }]);
      const loaded = (await connection.runAndReadAll("SELECT city, CAST(birth_date AS VARCHAR) FROM bronze.crm_customers WHERE customer_id = 'C7000001'")).getRows();
      expect(loaded).toEqual([['Natal', '1990-01-02']]);
    });
  });

  it('numbers the rejects of a plain file made mostly of bad lines (past the in-memory numbering) line by line too', async () => {
    const file = 'crm/customers/dt=2026-10-06/customers_20261006.json';
    const good = '{"customer_id":"C7100001","name":"Rui","email":"r@x.com","city":"Natal","state":"RN","segment":"vip","birth_date":"1990-01-02","signup_date":"2026-10-06","updated_at":"2026-10-06 10:00:00"}';
    // Line 1 good, lines 2..12001 JSON arrays (not objects): 12,000 rejects in one plain file.
    const lines = [good, ...Array.from({ length: 12_000 }, (_, i) => `[${i}]`)];
    await withLandingFile(file, `${lines.join('\n')}\n`, async () => {
      const report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
      expect(report.sources.find((s) => s.table === 'crm_customers')).toMatchObject({ files: 1, read: 12_001, accepted: 1, quarantined: 12_000 });
      const [stats] = (await connection.runAndReadAll(`SELECT count(*)::INT AS n, min(line_no)::INT AS first, max(line_no)::INT AS last,
          count(DISTINCT line_no)::INT AS distinct_lines, bool_and(raw = '[' || (line_no - 2) || ']') AS raw_matches_line
        FROM bronze.quarantine WHERE _source = '${file}' AND reason = 'not a JSON object'`)).getRowObjectsJson();
      expect(stats).toEqual({ n: 12_000, first: 2, last: 12_001, distinct_lines: 12_000, raw_matches_line: true });
    });
  });

  it('makes the CLI exit non-zero with the message', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => { errors.push(args.join(' ')); };
    try {
      const code = await runCli(['node', 'cli', 'ingest', '--landing', path.join(lake.paths.dir, 'nowhere'), '--duckdb', path.join(lake.paths.dir, 'other.duckdb'), '--no-rds']);
      expect(code).toBe(1);
      expect(errors.join('\n')).toMatch(/error \[PIPELINE_INPUT\]: Landing folder .*nowhere does not exist/);
    } finally {
      console.error = original;
    }
  });
});
