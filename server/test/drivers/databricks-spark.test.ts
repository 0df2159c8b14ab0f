/**
 * DatabricksDriver with the real `@databricks/sql` against a live Spark Thrift Server (Spark
 * 3.5.3 of the parity suite, HTTP transport over TLS) through the Spark bridge
 * (spark-thrift-bridge.ts). Runs when SPARK_THRIFT_URL names the server:
 * scripts/test-python.d/databricks-driver-on-spark.sh starts one and runs this file; a plain
 * `vitest run` skips it. Expected values are computed here from the statements (range(n)
 * arithmetic), not by the driver.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksDriver } from '../../src/drivers/databricks-driver.ts';
import { UserError } from '../../src/errors/user-error.ts';
import { SPARK_TOKEN, startSparkThriftBridge, type SparkThriftBridge } from './spark-thrift-bridge.ts';

const target = process.env.SPARK_THRIFT_URL;
/** The server's default session time zone, as databricks-driver-on-spark.sh configured it (not UTC). */
const serverTimeZone = process.env.SPARK_SESSION_TIME_ZONE;

describe.skipIf(!target)('DatabricksDriver on a live Spark Thrift Server', () => {
  let bridge: SparkThriftBridge;
  let driver: DatabricksDriver;
  const methods: string[] = [];
  beforeAll(async () => {
    bridge = await startSparkThriftBridge({ target: target!, onExchange: (e) => methods.push(e.method) });
    driver = await DatabricksDriver.create({ url: bridge.url, token: SPARK_TOKEN, ca: bridge.ca });
  });
  afterAll(async () => {
    await driver?.close();
    await bridge?.close();
  });

  it('runs its session in UTC although a session opened without it runs in the server\'s default zone', async () => {
    // The control: a session opened by the client alone reports the server's default.
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    await client.connect({ host: '127.0.0.1', port: Number(new URL(bridge.url).port), path: '/cliservice', token: SPARK_TOKEN, telemetryEnabled: false, customCaCert: readFileSync(bridge.ca.file) });
    try {
      const session = await client.openSession();
      const operation = await session.executeStatement('SELECT current_timezone() AS tz', { runAsync: true });
      expect(await operation.fetchAll()).toEqual([{ tz: serverTimeZone }]);
      await operation.close();
      await session.close();
    } finally {
      await client.close();
    }
    expect(serverTimeZone).toBeDefined();
    expect(serverTimeZone).not.toBe('UTC');
    expect((await driver.query('SELECT current_timezone() AS tz', [])).data).toEqual([['UTC']]);
    // 2024-03-01T01:30Z is still 29 February in Sao Paulo: the driver's session reads the UTC day.
    expect((await driver.query("SELECT CAST(timestamp_seconds(1709256600) AS DATE) AS day, date_format(timestamp_seconds(1709256600), 'HH:mm') AS at", [])).data).toEqual([['2024-03-01T00:00:00.000'], ['01:30']]);
  });

  it('binds parameters of every kind and reads typed columns', async () => {
    const sql = "SELECT id, CAST(id AS DECIMAL(10,2)) / 4 AS quarter, CONCAT('c', id) AS name, id % 2 = 0 AS even FROM range(10) WHERE id >= ? AND id < ? AND CONCAT('c', id) <> ? AND (id % 2 = 0) = ? AND CAST(id AS DOUBLE) > ? ORDER BY id";
    const result = await driver.query(sql, [2, 9, "c4' OR '1'='1", true, -1.5]);
    const ids = [2, 4, 6, 8]; // even ids in [2, 9): the quoted text is a value, it excludes nothing
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'quarter:decimal', 'name:string', 'even:boolean']);
    expect(result.data).toEqual([ids, ids.map((id) => String(id / 4)), ids.map((id) => `c${id}`), ids.map(() => true)]);
    const text = "it's a \\ back'slash -- and ? mark";
    expect((await driver.query("SELECT ? AS s, '?' AS q, ? AS d, ? AS n", [text, '2024-02-29', -7])).data).toEqual([[text], ['?'], ['2024-02-29'], [-7]]);
  });

  it('reads a result larger than one fetch (the client fetches 100 000 rows at a time)', async () => {
    const n = 250_000;
    methods.length = 0;
    const result = await driver.query('SELECT id FROM range(?) ORDER BY id', [n]);
    expect(result.rowCount).toBe(n);
    const ids = result.data[0] as number[];
    expect(ids[0]).toBe(0);
    expect(ids[n - 1]).toBe(n - 1);
    expect(ids.reduce((sum, id) => sum + id, 0)).toBe((n * (n - 1)) / 2);
    expect(methods.filter((m) => m === 'FetchResults').length).toBeGreaterThanOrEqual(3);
  });

  it('reports Spark\'s SQLSTATE for a missing table, in the message and as the error\'s SQLSTATE', async () => {
    const error = await driver.query('SELECT * FROM no_such_table_anywhere', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('SOURCE_ERROR');
    expect((error as UserError).message).toMatch(/\(SQLSTATE 42P01\): .*TABLE_OR_VIEW_NOT_FOUND/);
    expect((error as UserError).sqlState).toBe('42P01');
  });

  it('cancels a long statement on Spark, which then answers the next one at once', async () => {
    const started = Date.now();
    const error = await driver.query('SELECT COUNT(*) FROM range(0, 50000000000, 1, 2) WHERE id % 7 = 3', [], { signal: AbortSignal.timeout(1_000) }).catch((e: unknown) => e);
    expect((error as UserError).code).toBe('QUERY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(10_000);
    const next = Date.now();
    expect((await driver.query('SELECT 41 + 1 AS answer', [])).data).toEqual([[42]]);
    expect(Date.now() - next).toBeLessThan(10_000);
  });
});
