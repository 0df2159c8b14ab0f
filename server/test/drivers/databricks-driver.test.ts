/**
 * DatabricksDriver through the real `@databricks/sql` client, over HTTPS, against a fake warehouse
 * that speaks TCLIService (databricks-thrift-server.ts). Two sources of answers:
 * - exchanges recorded from a real Spark 3.5.3 Thrift Server (fixtures/spark-*.json, see
 *   record-spark-exchanges.ts): success, paging, SQL errors with Spark's SQLSTATE, cancel;
 * - a scripted warehouse answering as Databricks does (protocol SPARK_CLI_SERVICE_PROTOCOL_V8,
 *   Arrow batches, parameters): every HTTP and token failure the client can meet.
 * Expected values come from the statements themselves (range(n) arithmetic by hand), never from
 * the driver.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabricksDriver, parseDatabricksUrl } from '../../src/drivers/databricks-driver.ts';
import type { QueryResult } from '../../src/drivers/driver-types.ts';
import { UserError } from '../../src/errors/user-error.ts';
import { startStack } from '../support/stack.ts';
import { FAKE_TOKEN, FAKE_WAREHOUSE_CA, loadRecording, OTHER_HOST_CA, startFakeWarehouse, type FakeWarehouse, type ScriptedStatement } from './databricks-thrift-server.ts';
import { RECORDED_STATEMENTS, SPARK_TOKEN } from './record-spark-exchanges.ts';
import type { FakeColumn } from './thrift-result-sets.ts';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function warehouse(options: Parameters<typeof startFakeWarehouse>[0]): Promise<FakeWarehouse> {
  const fake = await startFakeWarehouse(options);
  open.push(fake);
  return fake;
}

async function driverFor(fake: FakeWarehouse, token = FAKE_TOKEN, extra: Partial<ConstructorParameters<typeof DatabricksDriver>[0]> = {}): Promise<DatabricksDriver> {
  const driver = await DatabricksDriver.create({ url: fake.url, token, ca: FAKE_WAREHOUSE_CA, retry: { delayMinMillis: 5, delayMaxMillis: 20, maxAttempts: 3 }, ...extra });
  open.push(driver);
  return driver;
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('DatabricksDriver on exchanges recorded from Spark Thrift Server 3.5.3', () => {
  it('reads every column type of a column-based result', async () => {
    const fake = await warehouse({ replay: loadRecording('spark-driver-types'), tokens: [SPARK_TOKEN] });
    const result = await (await driverFor(fake, SPARK_TOKEN)).query(RECORDED_STATEMENTS.types, []);
    expect(fake.replayProblems).toEqual([]);
    // range(5): n = id, big = id * 10^10, amount = id / 4 as DECIMAL(10,2), ratio = id / 8, day = 2024-02-27 + id
    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['n:integer', 'big:integer', 'amount:decimal', 'ratio:number', 'city:string', 'day:date', 'even:boolean', 'maybe:integer']);
    expect(result.data).toEqual([
      [0, 1, 2, 3, 4],
      [0, 10_000_000_000, 20_000_000_000, 30_000_000_000, 40_000_000_000],
      // Column-based decimals pass through JS numbers in the client (its JsonResultHandler): '0.50' arrives as 0.5.
      ['0', '0.25', '0.5', '0.75', '1'],
      [0, 0.125, 0.25, 0.375, 0.5],
      ['city-0', 'city-1', 'city-2', 'city-3', 'city-4'],
      ['2024-02-27T00:00:00.000', '2024-02-28T00:00:00.000', '2024-02-29T00:00:00.000', '2024-03-01T00:00:00.000', '2024-03-02T00:00:00.000'],
      [true, false, true, false, true],
      [0, 1, 2, null, 4],
    ]);
    expect(fake.requests.map((r) => r.method)).toContain('CloseOperation');
    // Spark's answer to the session's first statement was recorded too: the zone is set before the query runs.
    expect(fake.executed.map((e) => e.statement)).toEqual([PIN_UTC, RECORDED_STATEMENTS.types]);
  });

  it('pages a result in batches with the client (maxRows 3: 3 + 3 + 1 rows)', async () => {
    const fake = await warehouse({ replay: loadRecording('spark-client-paging'), tokens: [SPARK_TOKEN] });
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    await client.connect({ host: '127.0.0.1', port: fake.port, path: '/cliservice', token: SPARK_TOKEN, telemetryEnabled: false, customCaCert: readFileSync(FAKE_WAREHOUSE_CA.file) });
    const session = await client.openSession();
    const operation = await session.executeStatement(RECORDED_STATEMENTS.paging, { runAsync: true, maxRows: 3 });
    const batches: Record<string, unknown>[][] = [];
    while (await operation.hasMoreRows()) batches.push((await operation.fetchChunk({ maxRows: 3 })) as Record<string, unknown>[]);
    await operation.close();
    await session.close();
    await client.close();
    expect(fake.replayProblems).toEqual([]);
    expect(batches.filter((b) => b.length > 0).map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6].map((id) => ({ id, square: id * id })));
    expect(fake.requests.filter((r) => r.method === 'FetchResults').length).toBeGreaterThanOrEqual(3);
  });

  it('reports a missing table with Spark\'s SQLSTATE and message, without the Java stack', async () => {
    const fake = await warehouse({ replay: loadRecording('spark-driver-missing-table'), tokens: [SPARK_TOKEN] });
    const error = await failure((await driverFor(fake, SPARK_TOKEN)).query(RECORDED_STATEMENTS.missingTable, []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toMatch(new RegExp(`^Databricks data source at 127\\.0\\.0\\.1:${fake.port} failed the statement \\(SQLSTATE 42P01\\): .*TABLE_OR_VIEW_NOT_FOUND.*no_such_table`));
    // Spark's own SQLSTATE stays on the error (what the SQL API answers), not SOURCE_ERROR's 58000.
    expect(error.sqlState).toBe('42P01');
    expect(error.message).toContain(`SQL: ${RECORDED_STATEMENTS.missingTable}`);
    expect(error.message).not.toMatch(/\tat |HiveSQLException|UnresolvedRelation/);
    expect(fake.replayProblems).toEqual([]);
  });

  it('reports a syntax error with SQLSTATE 42601', async () => {
    const fake = await warehouse({ replay: loadRecording('spark-driver-syntax-error'), tokens: [SPARK_TOKEN] });
    const error = await failure((await driverFor(fake, SPARK_TOKEN)).query(RECORDED_STATEMENTS.syntaxError, []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toMatch(/\(SQLSTATE 42601\): .*PARSE_SYNTAX_ERROR/);
    expect(error.sqlState).toBe('42601');
  });

  it('cancels a long statement on the server when the query times out', async () => {
    const fake = await warehouse({ replay: loadRecording('spark-driver-cancel'), tokens: [SPARK_TOKEN] });
    const started = Date.now();
    const error = await failure((await driverFor(fake, SPARK_TOKEN)).query(RECORDED_STATEMENTS.long, [], { signal: AbortSignal.timeout(300) }));
    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(error.message).toMatch(/timed out, statement cancelled on the warehouse/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.requests.map((r) => r.method)).toContain('CancelOperation');
    expect(fake.replayProblems).toEqual([]);
  });
});

const COLUMNS: FakeColumn[] = [
  { name: 'city', type: 'STRING' },
  { name: 'orders', type: 'BIGINT' },
  { name: 'revenue', type: 'DECIMAL', precision: 38, scale: 2 },
  { name: 'share', type: 'DOUBLE' },
  { name: 'n', type: 'INT' },
  { name: 'day', type: 'DATE' },
  { name: 'at', type: 'TIMESTAMP' },
  { name: 'first', type: 'BOOLEAN' },
];
const ROWS = [
  ['Recife', 9_007_199_254_740_993n, '12345678901234567.89', 0.5, 1, '2024-02-29', '2024-02-29 23:59:58.123456', true],
  ['São Paulo', 2n, '-0.05', 0.25, -2, '1999-12-31', '2024-01-01 00:00:00', false],
  [null, null, null, null, null, null, null, null],
  ['Natal', 4n, '10.00', 1, 4, '2024-03-01', '2024-03-01 12:30:00.5', true],
  ['Olinda', 5n, '0.01', 0.125, 5, '2024-03-02', '2024-03-02 08:00:00', false],
];
// The same rows as the driver must return them: int64 past 2^53 and decimals exact as text, times as local ISO.
const EXPECTED = [
  ['Recife', 'São Paulo', null, 'Natal', 'Olinda'],
  ['9007199254740993', 2, null, 4, 5],
  ['12345678901234567.89', '-0.05', null, '10.00', '0.01'],
  [0.5, 0.25, null, 1, 0.125],
  [1, -2, null, 4, 5],
  ['2024-02-29T00:00:00.000', '1999-12-31T00:00:00.000', null, '2024-03-01T00:00:00.000', '2024-03-02T00:00:00.000'],
  ['2024-02-29T23:59:58.123', '2024-01-01T00:00:00.000', null, '2024-03-01T12:30:00.500', '2024-03-02T08:00:00.000'],
  [true, false, null, true, false],
];
// What the driver must run first in every session (Databricks SQL and Spark 3 syntax alike).
const PIN_UTC = "SET TIME ZONE 'UTC'";
const SALES = 'SELECT city, orders, revenue, share, n, day, at, first FROM gold.sales WHERE city <> ? AND n > ?';
const SLOW = 'SELECT COUNT(*) FROM gold.order_items CROSS JOIN gold.order_items';
const statements: Record<string, ScriptedStatement> = {
  [SALES]: { columns: COLUMNS, rows: ROWS, format: 'arrow', batchRows: 2, runningPolls: 2 },
  [SLOW]: { columns: [{ name: 'n', type: 'BIGINT' }], runsUntilCancelled: true },
  'SELECT 1': { columns: [{ name: '1', type: 'INT' }], rows: [[1]] },
  'SELECT 1 / 0': { error: { sqlState: '22012', message: '[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. SQLSTATE: 22012', displayMessage: '[DIVIDE_BY_ZERO] Division by zero.' } },
};

describe('DatabricksDriver against a scripted Databricks warehouse', () => {
  it('binds ordinal parameters and reads Arrow batches page by page with exact numbers', async () => {
    const fake = await warehouse({ statements });
    const result = await (await driverFor(fake)).query(SALES, ["O'Hara", 0]);
    expect(fake.executed[1]).toMatchObject({ statement: SALES, parameters: [{ type: 'STRING', value: "O'Hara" }, { type: 'INTEGER', value: '0' }] });
    expect(result.rowCount).toBe(5);
    expect(result.columns.map((c) => c.type)).toEqual(['string', 'integer', 'decimal', 'number', 'integer', 'date', 'time', 'boolean']);
    expect(result.data).toEqual(EXPECTED);
    // 5 rows at most 2 per fetch: three FetchResults, after two RUNNING polls.
    expect(fake.requests.filter((r) => r.method === 'FetchResults')).toHaveLength(3);
    expect(fake.requests.filter((r) => r.method === 'GetOperationStatus').length).toBeGreaterThanOrEqual(3);
  });

  it('reads LZ4-compressed Arrow batches with the client (2.x decodes them with lz4-napi; asked for when cloud fetch is off)', async () => {
    const ten = 'SELECT id FROM range(10)';
    const fake = await warehouse({ statements: { [ten]: { columns: [{ name: 'id', type: 'BIGINT' }], rows: Array.from({ length: 10 }, (_, i) => [BigInt(i)]), batchRows: 4 } } });
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    open.push(client);
    await client.connect({ host: '127.0.0.1', port: fake.port, path: '/sql/1.0/warehouses/fake', token: FAKE_TOKEN, telemetryEnabled: false, customCaCert: readFileSync(FAKE_WAREHOUSE_CA.file) });
    const session = await client.openSession();
    const rows = [];
    // The second run is the control: the client does not ask for LZ4, the fake sends plain batches.
    for (const useLZ4Compression of [true, false]) {
      const operation = await session.executeStatement(ten, { runAsync: true, useCloudFetch: false, useLZ4Compression });
      rows.push(await operation.fetchAll());
      await operation.close();
    }
    expect(fake.executed.map((e) => e.canDecompressLz4)).toEqual([true, false]);
    const expected = Array.from({ length: 10 }, (_, id) => ({ id }));
    expect(rows).toEqual([expected, expected]);
    expect(fake.requests.filter((r) => r.method === 'FetchResults').length).toBeGreaterThanOrEqual(6);
  });

  it('streams a result fetch by fetch (fetchRows 2: chunks of 2, 2 and 1 rows)', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake, FAKE_TOKEN, { fetchRows: 2 });
    const chunks: QueryResult[] = [];
    for await (const chunk of driver.stream!(SALES, ['x', 0])) chunks.push(chunk);
    expect(chunks.map((c) => c.rowCount)).toEqual([2, 2, 1]);
    expect(EXPECTED.map((_, j) => chunks.flatMap((c) => c.data[j] as unknown[]))).toEqual(EXPECTED);
    expect(fake.requests.filter((r) => r.method === 'FetchResults')).toHaveLength(3);
  });

  it('ends the statement when the reader stops early (CloseOperation; the client reads one batch ahead, no more)', async () => {
    const ten = 'SELECT id FROM range(10)';
    const fake = await warehouse({ statements: { [ten]: { columns: [{ name: 'id', type: 'BIGINT' }], rows: Array.from({ length: 10 }, (_, i) => [BigInt(i)]) } } });
    const driver = await driverFor(fake, FAKE_TOKEN, { fetchRows: 2 });
    for await (const chunk of driver.stream!(ten, [])) {
      expect(chunk.data).toEqual([[0, 1]]);
      break;
    }
    const methods = fake.requests.map((r) => r.method);
    // Reading everything takes 5 fetches of 2 rows.
    expect(methods.filter((m) => m === 'FetchResults').length).toBeLessThanOrEqual(2);
    expect(methods.at(-1)).toBe('CloseOperation');
  });

  it('reads the same rows from column-based results (there decimals pass through JS numbers: 17 significant digits)', async () => {
    const fake = await warehouse({ statements: { [SALES]: { ...statements[SALES]!, format: 'column', rows: ROWS.map((r, i) => (i === 0 ? [r[0], 1n, ...r.slice(2)] : r)) } } });
    const result = await (await driverFor(fake)).query(SALES, ['x', 0]);
    expect(result.data).toEqual(EXPECTED.map((column, j) => (j === 1 ? [1, 2, null, 4, 5] : j === 2 ? ['12345678901234568', '-0.05', null, '10', '0.01'] : column)));
  });

  it('refuses a column-based BIGINT past 2^53 (the client reads it as Infinity) instead of returning a wrong number', async () => {
    const fake = await warehouse({ statements: { [SALES]: { ...statements[SALES]!, format: 'column' } } });
    const error = await failure((await driverFor(fake)).query(SALES, ['x', 0]));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toMatch(/column "orders" in a column-based result with a value past 2\^53/);
  });

  it('keeps one session for many statements, and reopens it when the warehouse forgot it', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    await driver.query('SELECT 1', []);
    await driver.query('SELECT 1', []);
    expect(fake.requests.filter((r) => r.method === 'OpenSession')).toHaveLength(1);
    fake.expireSessions();
    expect((await driver.query('SELECT 1', [])).data).toEqual([[1]]);
    expect(fake.requests.filter((r) => r.method === 'OpenSession')).toHaveLength(2);
    expect(new Set(fake.executed.map((e) => e.session)).size).toBe(2);
    // Statements running at once when the session is forgotten reopen it once between them.
    fake.expireSessions();
    const answers = await Promise.all([1, 2, 3].map(() => driver.query('SELECT 1', [])));
    expect(answers.map((a) => a.data)).toEqual([[[1]], [[1]], [[1]]]);
    expect(fake.requests.filter((r) => r.method === 'OpenSession')).toHaveLength(3);
    expect(fake.openSessions()).toBe(1);
  });

  it('pins every session it opens to UTC before any statement runs, reopened sessions too', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    // Three statements at once on a new driver: they wait for the one session and its time zone.
    await Promise.all([1, 2, 3].map(() => driver.query('SELECT 1', [])));
    const [session] = [...fake.timeZones.keys()];
    expect(fake.executed.map((e) => [e.statement, e.session])).toEqual([[PIN_UTC, session], ['SELECT 1', session], ['SELECT 1', session], ['SELECT 1', session]]);
    expect(fake.timeZones.get(session!)).toBe('UTC');
    fake.expireSessions();
    await driver.query('SELECT 1', []);
    const reopened = fake.executed.slice(4);
    // SELECT 1 found the session forgotten (refused, not run); the new session ran the SET before it.
    expect(reopened.map((e) => e.statement)).toEqual([PIN_UTC, 'SELECT 1']);
    expect(reopened[0]!.session).not.toBe(session);
    expect(reopened[1]!.session).toBe(reopened[0]!.session);
    expect(fake.requests.filter((r) => r.method === 'OpenSession')).toHaveLength(2);
    expect([...fake.timeZones.values()]).toEqual(['UTC']);
  });

  it('fails the query, runs nothing and closes the session when the warehouse refuses the time zone', async () => {
    const refused = { error: { sqlState: '22023', message: "[INVALID_CONF_VALUE] The value 'UTC' in the config \"TIMEZONE\" is invalid. SQLSTATE: 22023" } };
    const fake = await warehouse({ statements: { ...statements, [PIN_UTC]: refused } });
    const error = await failure((await driverFor(fake)).query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toBe(`Databricks data source at 127.0.0.1:${fake.port} failed the statement (SQLSTATE 22023): [INVALID_CONF_VALUE] The value 'UTC' in the config "TIMEZONE" is invalid. SQLSTATE: 22023\nSQL: ${PIN_UTC}`);
    expect(fake.executed.map((e) => e.statement)).toEqual([PIN_UTC]);
    expect(fake.openSessions()).toBe(0);
  });

  it('cancels a running statement on the warehouse when the caller aborts', async () => {
    const fake = await warehouse({ statements });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await failure((await driverFor(fake)).query(SLOW, [], { signal: controller.signal }));
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(error.sqlState).toBe('57014');
    expect(fake.cancelled).toEqual([SLOW]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('gives the queue\'s own reason when it aborts, and does not start a statement already aborted', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    const reason = new UserError('QUERY_TIMEOUT', 'Query timed out after 1 s in the queue');
    const error = await failure(driver.query(SLOW, [], { signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
    expect(fake.executed).toEqual([]);
  });

  it('maps a SQL error to SOURCE_ERROR with the warehouse\'s SQLSTATE and display message', async () => {
    const fake = await warehouse({ statements });
    const error = await failure((await driverFor(fake)).query('SELECT 1 / 0', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toBe(`Databricks data source at 127.0.0.1:${fake.port} failed the statement (SQLSTATE 22012): [DIVIDE_BY_ZERO] Division by zero.\nSQL: SELECT 1 / 0`);
    expect(error.sqlState).toBe('22012');
  });

  it('takes the SQLSTATE from the message when the status has none, and keeps 58000 for internal or malformed states', async () => {
    const fake = await warehouse({
      statements: {
        'SELECT 1': { error: { sqlState: '', message: '[ARITHMETIC_OVERFLOW] long overflow. SQLSTATE: 22003' } },
        'SELECT 2': { error: { sqlState: 'XX000', message: '[INTERNAL_ERROR] The Spark SQL phase optimization failed with an internal error. SQLSTATE: XX000' } },
        'SELECT 3': { error: { sqlState: 'HY000', message: 'Error running query' } },
        'SELECT 4': { error: { sqlState: '42p0', message: 'odd state' } },
      },
    });
    const driver = await driverFor(fake);
    const states = [];
    for (const sql of ['SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 4']) {
      const error = await failure(driver.query(sql, []));
      expect(error.code).toBe('SOURCE_ERROR');
      states.push(error.sqlState);
    }
    expect(states).toEqual(['22003', '58000', '58000', '58000']);
  });

  it('gives a SQL API client the warehouse\'s SQLSTATE (CUBEJS_DB_TYPE=databricks, pg over the wire)', async () => {
    const divideByZero = statements['SELECT 1 / 0']!;
    const fake = await warehouse({ otherStatements: divideByZero });
    const stack = await startStack({
      data: { sql: 'CREATE TABLE main.events (id INTEGER)' },
      model: { files: { 'cubes/events.yml': 'cubes:\n  - name: events\n    sql_table: events\n    measures:\n      - { name: count, type: count }\n' } },
      env: { CUBEJS_DB_TYPE: 'databricks', CUBEJS_DB_DATABRICKS_URL: fake.url, CUBEJS_DB_DATABRICKS_TOKEN: FAKE_TOKEN, CUBEJS_DB_DATABRICKS_CA: FAKE_WAREHOUSE_CA.file },
      serve: { sql: { users: { u: { password: 'pw', securityContext: {} } } } },
    });
    open.push(stack);
    expect(stack.driver.name).toBe('databricks');
    const client = new pg.Client({ host: '127.0.0.1', port: stack.sqlPort, user: 'u', password: 'pw', database: 'db' });
    await client.connect();
    try {
      const error = (await client.query('SELECT MEASURE(count) FROM events').catch((e: unknown) => e)) as { code?: string; message?: string };
      expect(error.code).toBe('22012');
      expect(error.message).toMatch(/failed the statement \(SQLSTATE 22012\): \[DIVIDE_BY_ZERO\]/);
    } finally {
      await client.end();
    }
    // The engine's statement reached the warehouse after the session's time zone.
    expect(fake.executed.map((e) => e.statement)[0]).toBe(PIN_UTC);
    expect(fake.executed.length).toBeGreaterThanOrEqual(2);
  });

  it('reports a refused token as an authentication failure naming the data source', async () => {
    const fake = await warehouse({ statements });
    const error = await failure((await driverFor(fake, 'dapi-expired')).query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toMatch(new RegExp(`^Databricks data source at 127\\.0\\.0\\.1:${fake.port} answered HTTP 403.*the access token was refused`));
    expect(error.hint).toMatch(/CUBEJS_DB_DATABRICKS_TOKEN/);
    expect(fake.requests).toEqual([{ method: 'OpenSession', status: 403 }]);
  });

  it('reports a token that expires mid-session (401 then 403) the same way, without retrying it', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    await driver.query('SELECT 1', []);
    fake.failNext({ status: 401, times: 1, method: 'ExecuteStatement' });
    const first = await failure(driver.query('SELECT 1', []));
    expect(first.message).toMatch(/answered HTTP 401.*access token was refused/);
    fake.revokeToken(FAKE_TOKEN);
    const second = await failure(driver.query('SELECT 1', []));
    expect(second.message).toMatch(/answered HTTP 403.*access token was refused/);
    expect(second.hint).toMatch(/CUBEJS_DB_DATABRICKS_TOKEN/);
    expect(fake.requests.filter((r) => r.status === 401 || r.status === 403)).toHaveLength(2);
  });

  it('retries status polls answered 503 with backoff, then succeeds', async () => {
    const fake = await warehouse({ statements });
    fake.failNext({ status: 503, times: 2, method: 'GetOperationStatus', headers: { 'Retry-After': '1' } });
    const result = await (await driverFor(fake)).query('SELECT 1', []);
    expect(result.data).toEqual([[1]]);
    expect(fake.requests.filter((r) => r.method === 'GetOperationStatus').map((r) => r.status).slice(0, 3)).toEqual([503, 503, 200]);
  });

  it('gives up on a warehouse answering 503 after the configured attempts: SOURCE_UNREACHABLE, not an internal error', async () => {
    const fake = await warehouse({ statements });
    fake.failNext({ status: 503, times: 100, method: 'GetOperationStatus' });
    const error = await failure((await driverFor(fake)).query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    expect(error.sqlState).toBe('08006');
    expect(error.message).toMatch(/answered HTTP 503.*retried until the attempts ran out.*unavailable/);
    expect(fake.requests.filter((r) => r.method === 'GetOperationStatus' && r.status === 503)).toHaveLength(3);
  });

  it('does not repeat a statement whose ExecuteStatement got 503 (not idempotent); the next query works', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    await driver.query('SELECT 1', []);
    fake.failNext({ status: 503, times: 1, method: 'ExecuteStatement' });
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    // The session's SET TIME ZONE and the first SELECT 1, then the refused one, not repeated.
    expect(fake.requests.filter((r) => r.method === 'ExecuteStatement').map((r) => r.status)).toEqual([200, 200, 503]);
    expect((await driver.query('SELECT 1', [])).data).toEqual([[1]]);
  });

  it('opens the session again on the next query after OpenSession got 503 (not retried by the client)', async () => {
    const fake = await warehouse({ statements });
    const driver = await driverFor(fake);
    fake.failNext({ status: 503, times: 1, method: 'OpenSession' });
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    expect(error.message).toMatch(/answered HTTP 503 Service Unavailable: the warehouse is unavailable/);
    expect((await driver.query('SELECT 1', [])).data).toEqual([[1]]);
    expect(fake.requests.filter((r) => r.method === 'OpenSession').map((r) => r.status)).toEqual([503, 200]);
  });

  it('reports throttling (429 until the retries run out) as RATE_LIMITED', async () => {
    const fake = await warehouse({ statements });
    fake.failNext({ status: 429, times: 100, method: 'GetOperationStatus' });
    const error = await failure((await driverFor(fake)).query('SELECT 1', []));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/HTTP 429.*throttling/);
  });

  it('reports an unreachable host as SOURCE_UNREACHABLE (08006) at once', async () => {
    const port = await closedPort();
    const driver = await DatabricksDriver.create({ url: `https://127.0.0.1:${port}/sql/1.0/warehouses/gone`, token: FAKE_TOKEN });
    open.push(driver);
    const started = Date.now();
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    expect(error.sqlState).toBe('08006');
    expect(error.message).toMatch(new RegExp(`^Databricks data source at 127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED`));
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('DatabricksDriver verifies the warehouse\'s TLS certificate before sending the token', () => {
  const pem = readFileSync(FAKE_WAREHOUSE_CA.file, 'utf8');
  const untrusted = (fake: FakeWarehouse, detail: string): RegExp =>
    new RegExp(`^Databricks data source at 127\\.0\\.0\\.1:${fake.port}: the server's TLS certificate is not trusted \\(${detail}\\); the connection was refused and the access token was not sent$`);

  it('refuses a self-signed certificate by default: 08001 naming the endpoint, no request reaches the server', async () => {
    const fake = await warehouse({ statements });
    const driver = await DatabricksDriver.create({ url: fake.url, token: FAKE_TOKEN });
    open.push(driver);
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.sqlState).toBe('08001');
    expect(error.message).toMatch(untrusted(fake, 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'));
    expect(error.hint).toMatch(/CUBEJS_DB_DATABRICKS_CA/);
    // The handshake failed: not one HTTP request (and so no Authorization header) reached the server.
    expect(fake.requests).toEqual([]);
    expect(fake.sideRequests).toEqual([]);
  });

  it('the client library itself verifies by default (a downgrade to a client that does not fails here)', async () => {
    const fake = await warehouse({ statements });
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    open.push(client);
    await client.connect({ host: '127.0.0.1', port: fake.port, path: '/sql/1.0/warehouses/fake', token: FAKE_TOKEN, telemetryEnabled: false });
    const error = (await client.openSession().catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(fake.requests).toEqual([]);
  });

  it('trusts the certificate given as the CA, as PEM text or as a file path', async () => {
    const fake = await warehouse({ statements });
    for (const ca of [{ pem }, FAKE_WAREHOUSE_CA]) {
      const driver = await DatabricksDriver.create({ url: fake.url, token: FAKE_TOKEN, ca });
      open.push(driver);
      expect((await driver.query('SELECT 1', [])).data).toEqual([[1]]);
    }
    expect(fake.requests.filter((r) => r.method === 'OpenSession')).toEqual([{ method: 'OpenSession', status: 200 }, { method: 'OpenSession', status: 200 }]);
  });

  it('refuses a certificate another CA signed, whatever CA is given', async () => {
    const fake = await warehouse({ statements });
    const driver = await DatabricksDriver.create({ url: fake.url, token: FAKE_TOKEN, ca: OTHER_HOST_CA });
    open.push(driver);
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.sqlState).toBe('08001');
    expect(error.message).toMatch(untrusted(fake, 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'));
    expect(fake.requests).toEqual([]);
  });

  it('refuses a trusted certificate issued for another host (a valid certificate replayed by someone in the middle)', async () => {
    const fake = await warehouse({ statements, certificate: 'other-host' });
    const driver = await DatabricksDriver.create({ url: fake.url, token: FAKE_TOKEN, ca: OTHER_HOST_CA });
    open.push(driver);
    const error = await failure(driver.query('SELECT 1', []));
    expect(error.sqlState).toBe('08001');
    expect(error.message).toMatch(untrusted(fake, `ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: IP: 127\\.0\\.0\\.1 is not in the cert's list:`));
    expect(fake.requests).toEqual([]);
  });

  it('refuses at creation a CA setting that is not a readable PEM certificate: CONFIG_INVALID naming the variable', async () => {
    const fake = await warehouse({ statements });
    const create = (ca: { pem: string } | { file: string }): Promise<UserError> => failure(DatabricksDriver.create({ url: fake.url, token: FAKE_TOKEN, ca }));
    const missing = await create({ file: '/nonexistent/ca.pem' });
    expect(missing.code).toBe('CONFIG_INVALID');
    expect(missing.message).toBe('CUBEJS_DB_DATABRICKS_CA points at /nonexistent/ca.pem, which cannot be read (ENOENT)');
    const key = await create({ file: FAKE_WAREHOUSE_CA.file.replace(/\.crt$/, '.key') });
    expect(key.message).toMatch(/^CUBEJS_DB_DATABRICKS_CA \(.*localhost-test-only\.key\) holds no PEM certificate/);
    const truncated = await create({ pem: pem.replace(/^(-----BEGIN CERTIFICATE-----\n.{64}\n).*(-----END CERTIFICATE-----)/s, '$1$2') });
    expect(truncated.message).toMatch(/^CUBEJS_DB_DATABRICKS_CA: certificate 1 of 1 is not a valid X\.509 certificate/);
    expect(fake.requests).toEqual([]);
  });

  it('takes CUBEJS_DB_DATABRICKS_CA as one-line PEM text with escaped line breaks (CUBEJS_DB_TYPE=databricks)', async () => {
    const fake = await warehouse({ statements });
    const stack = await startStack({
      data: { sql: 'CREATE TABLE main.events (id INTEGER)' },
      model: { files: { 'cubes/events.yml': 'cubes:\n  - name: events\n    sql_table: events\n    measures:\n      - { name: count, type: count }\n' } },
      env: { CUBEJS_DB_TYPE: 'databricks', CUBEJS_DB_DATABRICKS_URL: fake.url, CUBEJS_DB_DATABRICKS_TOKEN: FAKE_TOKEN, CUBEJS_DB_DATABRICKS_CA: pem.trim().replace(/\n/g, '\\n') },
    });
    open.push(stack);
    await stack.driver.testConnection();
    expect(fake.executed.map((e) => e.statement)).toEqual([PIN_UTC, 'SELECT 1']);
  });
});

describe('parseDatabricksUrl', () => {
  it('reads host, port and http path from a JDBC URL as Cube takes it, and from an https URL', () => {
    expect(parseDatabricksUrl('jdbc:databricks://dbc-1.cloud.databricks.com:443/default;transportMode=http;ssl=1;httpPath=sql/protocolv1/o/1/abc;AuthMech=3')).toEqual({ host: 'dbc-1.cloud.databricks.com', port: 443, path: 'sql/protocolv1/o/1/abc' });
    expect(parseDatabricksUrl('https://adb-1.azuredatabricks.net/sql/1.0/warehouses/abc')).toEqual({ host: 'adb-1.azuredatabricks.net', port: 443, path: '/sql/1.0/warehouses/abc' });
    expect(parseDatabricksUrl('https://127.0.0.1:8443/sql/1.0/warehouses/abc')).toEqual({ host: '127.0.0.1', port: 8443, path: '/sql/1.0/warehouses/abc' });
  });

  it('refuses a URL without host and path as a configuration error', () => {
    expect(() => parseDatabricksUrl('nonsense')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/httpPath/) }));
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
