import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANDING_SOURCES } from '../../src/lakehouse/datagen/landing-layout.ts';
import { findNewFiles, loggedFiles } from '../../src/lakehouse/ingest/landing-files.ts';
import { runIngestion } from '../../src/lakehouse/ingest/run-ingestion.ts';
import type { IngestReport } from '../../src/lakehouse/ingest/ingest-types.ts';
import { fingerprint, makeTempLakehouse, type TempLakehouse } from './lakehouse-fixtures.ts';

/**
 * Bad records in a landing file are quarantined one by one with file, line and reason, and the
 * good records of the same file land. The files are written here line by line; the expected lines,
 * reasons and values are read off them by hand, not from the loader.
 */

const DAY = 'dt=2026-11-02';
const LINES_FILE = `erp/order_lines/${DAY}/order_lines_20261102.csv`;
const CUSTOMERS_FILE = `crm/customers/${DAY}/customers_20261102.json`;

// Physical line numbers are the array index + 1. Line 1 is the header; line 8 is empty (not a record).
const CSV_LINES = [
  'order_id,line_no,product_id,quantity,unit_price,line_discount,updated_at', // 1 header
  'OQ1,1,P000001,2,10.00,0.00,2026-11-02 10:00:00', //                          2 good
  'OQ1,2,"P000002,3,10.00,0.00,2026-11-02 10:00:00', //                         3 unterminated quote
  'OQ1,3,"P, ""quoted""",1,5.50,,2026-11-02 10:00:00', //                        4 good (quoted comma and quotes)
  'OQ1,4,P000004,3.7,10.00,0.00,2026-11-02 10:00:00', //                        5 INTEGER written as 3.7
  'OQ1,5,P000005,1,10.00,0.00,2026-11-02 10:00:00\r', //                        6 good (CRLF line in an LF file)
  'OQ1,6,P000006', //                                                            7 too few fields
  '', //                                                                         8 empty: skipped
  'OQ1,7,P0"07,1,10.00,0.00,2026-11-02 10:00:00', //                            9 quote inside an unquoted field
  ',8,P000008,x,10.00,0.00,2026-11-02 10:00:00', //                             10 missing key and bad quantity
  'OQ1,9,P000009,4,10.00,0.00,2026-11-02 11:00:00', //                          11 good (after all the bad ones)
];

// A plain file (LF only, no quote, no blank line): DuckDB's parallel CSV scan reads it; the lines it
// skips or rejects are found again, numbered, for the quarantine.
const PLAIN_FILE = `erp/order_lines/dt=2026-11-04/order_lines_20261104.csv`;
const PLAIN_LINES = [
  'order_id,line_no,product_id,quantity,unit_price,line_discount,updated_at', // 1 header
  'OP1,1,P000001,2,10.00,0.00,2026-11-02 10:00:00', //                         2 good
  'OP1,2,P000002,2', //                                                         3 too few fields
  'OP1,3,P000003,1,5.50,,2026-11-02 10:00:00,extra', //                         4 too many fields
  'OP1,4,P000004,1e2,10.00,0.00,2026-11-02 10:00:00', //                        5 INTEGER written as 1e2
  'OP1,5, P 5 ,1,10.00,,2026-11-02', //                                         6 good (spaces kept, empty is NULL, a date for a timestamp)
  ',6,P000006,1,10.00,0.00,2026-11-02 10:00:00', //                             7 missing key
  'OP1,7,P000007,1,10.00,0.00,2026-02-30 10:00:00', //                          8 no such day
  'OP1,8,P000008,3,9.99,0.50,2026-11-02T11:30:00', //                           9 good (ISO T)
  'OP1,4,P000004,1e2,10.00,0.00,2026-11-02 10:00:00', //                        10 the same bad line as line 5
  'P1,4,P000004,1e2,10.00,0.00,2026-11-02 10:00:00', //                         11 bad, and the tail of lines 5 and 10
];

const good = { customer_id: 'CQ1', name: 'Ana', email: 'a@x.com', city: 'Natal', state: 'RN', segment: 'vip', birth_date: '1990-01-02', signup_date: '2026-11-02', updated_at: '2026-11-02 09:00:00' };
const JSON_LINES = [
  JSON.stringify(good), //                                                          1 good
  JSON.stringify({ ...good, customer_id: 'CQ2', state: 12 }), //                    2 number for a string
  JSON.stringify({ ...good, customer_id: 123 }), //                                 3 number for the key
  JSON.stringify({ ...good, customer_id: 'CQ4', name: { first: 'Ana' }, birth_date: 19900102 }), // 4 object + number for a date
  '[1, 2]', //                                                                      5 not an object
  JSON.stringify({ ...good, customer_id: 'CQ6', segment: true }), //                6 boolean for a string
  JSON.stringify({ ...good, customer_id: 'CQ7', email: null, city: undefined }), // 7 good (null and absent optional fields)
];

describe('ingestion quarantines bad lines and lands the good ones', () => {
  let lake: TempLakehouse;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let report: IngestReport;
  let plainness: Record<string, boolean>;
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  /** A file's quarantined lines, in line order. */
  const quarantinedLines = (file: string) => rows(`SELECT line_no, reason, raw FROM bronze.quarantine WHERE _source = '${file}' ORDER BY line_no`);
  /** The order lines that landed from a file, values as text. */
  const landedOrderLines = (file: string) => rows(`SELECT order_id, line_no, product_id, quantity, CAST(unit_price AS VARCHAR) AS unit_price,
      CAST(line_discount AS VARCHAR) AS line_discount, CAST(updated_at AS VARCHAR) AS updated_at
    FROM bronze.erp_order_lines WHERE _source = '${file}' ORDER BY line_no`);

  beforeAll(async () => {
    lake = await makeTempLakehouse({ scale: 0.01, seed: 11, rds: false });
    instance = await DuckDBInstance.create(lake.paths.duckdbPath);
    connection = await instance.connect();
    await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
    for (const [file, lines] of [[LINES_FILE, CSV_LINES], [CUSTOMERS_FILE, JSON_LINES], [PLAIN_FILE, PLAIN_LINES]] as const) {
      fs.mkdirSync(path.dirname(path.join(lake.paths.landingDir, file)), { recursive: true });
      fs.writeFileSync(path.join(lake.paths.landingDir, file), `${lines.join('\n')}\n`);
    }
    const source = (table: string) => LANDING_SOURCES.find((s) => s.table === table)!;
    const logged = await loggedFiles(connection);
    plainness = Object.fromEntries([
      ...findNewFiles(lake.paths.landingDir, source('erp_order_lines'), logged).files,
      ...findNewFiles(lake.paths.landingDir, source('crm_customers'), logged).files,
    ].map((f) => [f.relativePath, f.plain]));
    report = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
  });
  afterAll(() => { connection.closeSync(); instance.closeSync(); lake.remove(); });

  it('counts the records of each file as its non-empty data lines: read = accepted + quarantined', () => {
    // CSV: 11 lines - header - 1 empty = 9 records, 4 good. JSON: 7 lines, 2 good.
    expect(CSV_LINES.slice(1).filter((l) => l !== '').length).toBe(9);
    // Plus the plain CSV: 10 records, 3 good.
    expect(report.sources.find((s) => s.table === 'erp_order_lines')).toMatchObject({ files: 2, read: 19, accepted: 7, quarantined: 12 });
    expect(report.sources.find((s) => s.table === 'crm_customers')).toMatchObject({ files: 1, read: 7, accepted: 2, quarantined: 5 });
  });

  it('quarantines each bad CSV line with its file, line number, reason and raw text, even after an unterminated quote', async () => {
    expect(await rows(`SELECT _source, line_no, reason, raw FROM bronze.quarantine WHERE _source = '${LINES_FILE}' ORDER BY line_no`)).toEqual([
      { _source: LINES_FILE, line_no: '3', reason: 'malformed CSV record: unterminated or misplaced quote', raw: CSV_LINES[2] },
      { _source: LINES_FILE, line_no: '5', reason: "quantity: cannot parse '3.7' as INTEGER", raw: CSV_LINES[4] },
      { _source: LINES_FILE, line_no: '7', reason: 'malformed CSV record: expected 7 fields, found 3', raw: CSV_LINES[6] },
      { _source: LINES_FILE, line_no: '9', reason: 'malformed CSV record: unterminated or misplaced quote', raw: CSV_LINES[8] },
      { _source: LINES_FILE, line_no: '10', reason: "missing required field order_id; quantity: cannot parse 'x' as INTEGER", raw: CSV_LINES[9] },
    ]);
  });

  it('lands the good CSV lines with their values, quoted commas and quotes unescaped, empty fields as NULL', async () => {
    expect(await landedOrderLines(LINES_FILE)).toEqual([
      { order_id: 'OQ1', line_no: 1, product_id: 'P000001', quantity: 2, unit_price: '10.00', line_discount: '0.00', updated_at: '2026-11-02 10:00:00' },
      { order_id: 'OQ1', line_no: 3, product_id: 'P, "quoted"', quantity: 1, unit_price: '5.50', line_discount: null, updated_at: '2026-11-02 10:00:00' },
      { order_id: 'OQ1', line_no: 5, product_id: 'P000005', quantity: 1, unit_price: '10.00', line_discount: '0.00', updated_at: '2026-11-02 10:00:00' },
      { order_id: 'OQ1', line_no: 9, product_id: 'P000009', quantity: 4, unit_price: '10.00', line_discount: '0.00', updated_at: '2026-11-02 11:00:00' },
    ]);
  });

  it('reads plain files (LF only, no quote, no blank line) with the parallel scan, the others line by line', () => {
    expect(plainness).toEqual({ [LINES_FILE]: false, [PLAIN_FILE]: true, [CUSTOMERS_FILE]: true });
  });

  it('quarantines the bad lines of a plain CSV with their numbers, and lands its good lines as the line parser would', async () => {
    expect(await quarantinedLines(PLAIN_FILE)).toEqual([
      { line_no: '3', reason: 'malformed CSV record: expected 7 fields, found 4', raw: PLAIN_LINES[2] },
      { line_no: '4', reason: 'malformed CSV record: expected 7 fields, found 8', raw: PLAIN_LINES[3] },
      { line_no: '5', reason: "quantity: cannot parse '1e2' as INTEGER", raw: PLAIN_LINES[4] },
      { line_no: '7', reason: 'missing required field order_id', raw: PLAIN_LINES[6] },
      { line_no: '8', reason: "updated_at: cannot parse '2026-02-30 10:00:00' as TIMESTAMP", raw: PLAIN_LINES[7] },
      { line_no: '10', reason: "quantity: cannot parse '1e2' as INTEGER", raw: PLAIN_LINES[9] },
      { line_no: '11', reason: "quantity: cannot parse '1e2' as INTEGER", raw: PLAIN_LINES[10] },
    ]);
    expect(await landedOrderLines(PLAIN_FILE)).toEqual([
      { order_id: 'OP1', line_no: 1, product_id: 'P000001', quantity: 2, unit_price: '10.00', line_discount: '0.00', updated_at: '2026-11-02 10:00:00' },
      { order_id: 'OP1', line_no: 5, product_id: ' P 5 ', quantity: 1, unit_price: '10.00', line_discount: null, updated_at: '2026-11-02 00:00:00' },
      { order_id: 'OP1', line_no: 8, product_id: 'P000008', quantity: 3, unit_price: '9.99', line_discount: '0.50', updated_at: '2026-11-02 11:30:00' },
    ]);
  });

  it('quarantines JSON fields of the wrong type instead of coercing them', async () => {
    expect(await quarantinedLines(CUSTOMERS_FILE)).toEqual([
      { line_no: '2', reason: 'state: expected a JSON string, got number 12', raw: JSON_LINES[1] },
      { line_no: '3', reason: 'customer_id: expected a JSON string, got number 123', raw: JSON_LINES[2] },
      { line_no: '4', reason: 'name: expected a JSON string, got object {"first":"Ana"}; birth_date: expected a JSON string, got number 19900102', raw: JSON_LINES[3] },
      { line_no: '5', reason: 'not a JSON object', raw: JSON_LINES[4] },
      { line_no: '6', reason: 'segment: expected a JSON string, got boolean true', raw: JSON_LINES[5] },
    ]);
    expect(await rows(`SELECT customer_id, email, city, state, CAST(birth_date AS VARCHAR) AS birth_date
      FROM bronze.crm_customers WHERE _source = '${CUSTOMERS_FILE}' ORDER BY customer_id`)).toEqual([
      { customer_id: 'CQ1', email: 'a@x.com', city: 'Natal', state: 'RN', birth_date: '1990-01-02' },
      { customer_id: 'CQ7', email: null, city: null, state: 'RN', birth_date: '1990-01-02' },
    ]);
  });

  it('adds nothing when the same files are ingested again', async () => {
    const before = await fingerprint(connection);
    const again = await runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null });
    expect(again.sources.every((s) => s.files === 0 && s.accepted === 0 && s.quarantined === 0)).toBe(true);
    expect(await fingerprint(connection)).toEqual(before);
  });

  it('fails a text file that is not UTF-8 naming its line, with nothing written', async () => {
    const file = `crm/customers/dt=2026-11-03/customers_20261103.json`;
    const absolute = path.join(lake.paths.landingDir, file);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    fs.writeFileSync(absolute, Buffer.concat([Buffer.from(`${JSON.stringify(good)}\n{"customer_id":"CQ9","city":"S`), Buffer.from([0xe3]), Buffer.from('o Paulo"}\n')]));
    try {
      const before = await fingerprint(connection);
      await expect(runIngestion(connection, { landingDir: lake.paths.landingDir, rdsUrl: null }))
        .rejects.toMatchObject({ name: 'UserError', code: 'PIPELINE_INPUT', message: `${file}:2: not valid UTF-8 text` });
      expect(await fingerprint(connection)).toEqual(before);
    } finally {
      fs.rmSync(path.dirname(absolute), { recursive: true, force: true });
    }
  });
});
