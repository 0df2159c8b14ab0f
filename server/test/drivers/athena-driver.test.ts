/**
 * AthenaDriver through the real `@aws-sdk/client-athena` (signing, retries, the AWS JSON 1.1
 * protocol) against a local endpoint that answers Athena's API and runs the statements on DuckDB
 * (athena-endpoint.ts): results are computed, not canned. Expected values are written by hand
 * from the dataset below or computed in the test from how it was generated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { AthenaDriver, athenaParameter, type AthenaOptions } from '../../src/drivers/athena-driver.ts';
import { UserError } from '../../src/errors/user-error.ts';
import { AthenaEndpoint } from './athena-endpoint.ts';

const ACCESS_KEY = 'AKIDLOCALATHENA';
const CREDENTIALS = { accessKeyId: ACCESS_KEY, secretAccessKey: 'local-secret' };
const EVENTS = 2500;

let endpoint: AthenaEndpoint;
const drivers: AthenaDriver[] = [];

async function driver(options: Partial<AthenaOptions> = {}): Promise<AthenaDriver> {
  const d = await AthenaDriver.create({
    region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS, workGroup: 'primary', database: 'gold',
    outputLocation: 's3://athena-results/cube/', pollBackoff: { firstMillis: 5, maxMillis: 20 }, ...options,
  });
  drivers.push(d);
  return d;
}

/** The rejection of `promise`, which must reject. */
async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

beforeAll(async () => {
  endpoint = await AthenaEndpoint.start({
    credentials: { [ACCESS_KEY]: CREDENTIALS.secretAccessKey },
    workGroups: { primary: {}, analysts: { outputLocation: 's3://athena-results/analysts/' } },
    deniedOutputPrefixes: ['s3://forbidden-results/'],
    async setup(c) {
      await c.run('CREATE SCHEMA gold');
      await c.run(`CREATE TABLE gold.orders (order_id BIGINT, city VARCHAR, items INTEGER, ratio DOUBLE, amount DECIMAL(12,2),
        order_date DATE, created_at TIMESTAMP, is_paid BOOLEAN)`);
      await c.run(`INSERT INTO gold.orders VALUES
        (1, 'Recife', 3, 0.25, 120.50, DATE '2024-05-01', TIMESTAMP '2024-05-01 10:30:00.250', true),
        (2, 'São Paulo', 1, 1.5, 80.00, DATE '2024-05-02', TIMESTAMP '2024-05-02 23:59:59', false),
        (3, 'O''Hara', 2, NULL, 15.75, DATE '2024-06-30', TIMESTAMP '2024-06-30 00:00:00', true),
        (4, NULL, NULL, 2.0, NULL, NULL, NULL, NULL)`);
      await c.run(`CREATE TABLE gold.events AS SELECT i AS event_id, i % 7 AS bucket FROM range(1, ${EVENTS + 1}) t(i)`);
    },
  });
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await endpoint?.close();
});

describe('AthenaDriver against a local Athena endpoint (real AWS SDK)', () => {
  it('maps Athena column types (varchar, bigint, integer, double, decimal, date, timestamp, boolean) and NULLs', async () => {
    endpoint.script({ queuedPolls: 1, runningPolls: 1 });
    const d = await driver();
    const result = await d.query('SELECT order_id, city, items, ratio, amount, order_date, created_at, is_paid FROM orders ORDER BY order_id', []);
    expect(result.columns).toEqual([
      { name: 'order_id', type: 'integer' }, { name: 'city', type: 'string' }, { name: 'items', type: 'integer' },
      { name: 'ratio', type: 'number' }, { name: 'amount', type: 'decimal' }, { name: 'order_date', type: 'date' },
      { name: 'created_at', type: 'time' }, { name: 'is_paid', type: 'boolean' },
    ]);
    expect(result.rowCount).toBe(4);
    expect(result.data).toEqual([
      [1, 2, 3, 4],
      ['Recife', 'São Paulo', "O'Hara", null],
      [3, 1, 2, null],
      [0.25, 1.5, null, 2],
      ['120.50', '80.00', '15.75', null],
      ['2024-05-01T00:00:00.000', '2024-05-02T00:00:00.000', '2024-06-30T00:00:00.000', null],
      ['2024-05-01T10:30:00.250', '2024-05-02T23:59:59.000', '2024-06-30T00:00:00.000', null],
      [true, false, true, null],
    ]);
    const start = endpoint.callsOf('StartQueryExecution').at(-1)!;
    expect(start.input).toMatchObject({ WorkGroup: 'primary', QueryExecutionContext: { Database: 'gold' }, ResultConfiguration: { OutputLocation: 's3://athena-results/cube/' } });
    expect(start.input.ClientRequestToken).toEqual(expect.any(String)); // the SDK's idempotency token
  });

  it('tells an empty string from NULL, keeps 64-bit integers beyond 2^53 exact, reads doubles in Java notation', async () => {
    const d = await driver();
    const result = await d.query("SELECT '' AS empty, CAST(NULL AS VARCHAR) AS nothing, CAST(9007199254740993 AS BIGINT) AS big, CAST(1e10 AS DOUBLE) AS large, CAST(1.5 AS REAL) AS small", []);
    expect(result.columns.map((c) => c.type)).toEqual(['string', 'string', 'integer', 'number', 'number']);
    expect(result.data).toEqual([[''], [null], ['9007199254740993'], [1e10], [1.5]]);
  });

  it('binds parameters as ExecutionParameters literals, computed by the engine', async () => {
    const d = await driver();
    const sql = 'SELECT count(*) AS n, sum(amount) AS total FROM orders WHERE city = ? OR items > ?';
    const result = await d.query(sql, ["O'Hara", 2]);
    expect(endpoint.callsOf('StartQueryExecution').at(-1)!.input.ExecutionParameters).toEqual(["'O''Hara'", '2']);
    // Rows 3 (city O'Hara) and 1 (3 items): 120.50 + 15.75.
    expect(result.data).toEqual([[2], ['136.25']]);
    const injected = await d.query(sql, ["x' OR '1'='1", 99]);
    expect(injected.data).toEqual([[0], [null]]);
  });

  it('pages GetQueryResults 1000 rows at a time until NextToken runs out: every row arrives', async () => {
    const d = await driver();
    const before = endpoint.callsOf('GetQueryResults').length;
    const result = await d.query('SELECT event_id, bucket FROM events ORDER BY event_id', []);
    const pages = endpoint.callsOf('GetQueryResults').slice(before);
    expect(result.rowCount).toBe(EVENTS);
    expect(result.data[0]).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    expect(result.data[1]).toEqual(Array.from({ length: EVENTS }, (_, i) => (i + 1) % 7));
    // Header + 999 rows, 1000, 501.
    expect(pages.map((p) => [p.input.MaxResults, p.input.NextToken === undefined])).toEqual([[1000, true], [1000, false], [1000, false]]);
  });

  it('streams one chunk per page, and reads no further page once the caller stops', async () => {
    const d = await driver();
    const sql = 'SELECT event_id FROM events ORDER BY event_id';
    const chunks: number[][] = [];
    for await (const chunk of d.stream(sql, [])) chunks.push(chunk.data[0] as number[]);
    expect(chunks.map((c) => c.length)).toEqual([999, 1000, 501]);
    expect(chunks.flat()).toEqual(Array.from({ length: EVENTS }, (_, i) => i + 1));
    const before = endpoint.callsOf('GetQueryResults').length;
    for await (const chunk of d.stream(sql, [])) {
      expect(chunk.data[0]![0]).toBe(1);
      break;
    }
    expect(endpoint.callsOf('GetQueryResults').length - before).toBe(1);
  });

  it('reads results whose size sits on a page boundary (999 and 1000 rows)', async () => {
    const d = await driver();
    for (const n of [999, 1000]) {
      const before = endpoint.callsOf('GetQueryResults').length;
      const result = await d.query('SELECT event_id FROM events WHERE event_id <= ? ORDER BY event_id', [n]);
      expect(result.rowCount).toBe(n);
      expect(result.data[0]!.at(-1)).toBe(n);
      expect(endpoint.callsOf('GetQueryResults').length - before).toBe(n === 999 ? 1 : 2);
    }
  });

  it('keeps the first row of a SHOW result: only a SELECT\'s results start with a header row', async () => {
    const d = await driver();
    const result = await d.query('SHOW TABLES', []);
    expect(result.data).toEqual([['events', 'orders']]);
  });

  it('polls GetQueryExecution with a delay that grows and is bounded', async () => {
    endpoint.script({ queuedPolls: 3, runningPolls: 6 });
    const d = await driver({ pollBackoff: { firstMillis: 20, factor: 2, maxMillis: 160 } });
    const result = await d.query('SELECT count(*) AS n FROM events', []);
    expect(result.data).toEqual([[EVENTS]]);
    const id = endpoint.executionIds().at(-1)!;
    const polls = endpoint.callsOf('GetQueryExecution').filter((c) => c.input.QueryExecutionId === id);
    expect(polls).toHaveLength(10); // 3 queued + 6 running + the one that sees SUCCEEDED
    const gaps = polls.slice(1).map((p, i) => p.at - polls[i]!.at);
    const planned = gaps.map((_, i) => Math.min(160, 20 * 2 ** i)); // 20, 40, 80, 160, 160, …
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(planned[i]! - 2));
    // Grows: a delay starting at the bound would make the first gap ≥ 160 ms.
    expect(gaps[0]).toBeLessThan(120);
    // Bounded: doubling without a bound would wait ≥ 640, 1280, 2560 ms for the last three.
    gaps.slice(-3).forEach((gap) => expect(gap).toBeLessThan(600));
    endpoint.script({});
  });

  it('stops the query (StopQueryExecution) when the signal times out', async () => {
    endpoint.script({ runningPolls: Infinity });
    const d = await driver({ pollBackoff: { firstMillis: 20, maxMillis: 2_000 } });
    const started = Date.now();
    const error = await failure(d.query('SELECT count(*) FROM events', [], { signal: AbortSignal.timeout(300) }));
    const elapsed = Date.now() - started;
    const id = endpoint.executionIds().at(-1)!;
    expect(error.code).toBe('QUERY_TIMEOUT');
    expect(error.message).toContain(`Athena data source: query ${id} timed out`);
    expect(endpoint.callsOf('StopQueryExecution').map((c) => c.input.QueryExecutionId)).toContain(id);
    expect(endpoint.stateOf(id)).toBe('CANCELLED');
    // The wait between polls is interrupted: no waiting for the next 2 s poll.
    expect(elapsed).toBeLessThan(1_500);
    endpoint.script({});
  });

  it('stops the query when the caller aborts, and rethrows the reason the query queue gives', async () => {
    endpoint.script({ runningPolls: Infinity });
    const d = await driver();
    const controller = new AbortController();
    let count = endpoint.executionIds().length;
    const pending = d.query('SELECT 1', [], { signal: controller.signal });
    await waitFor(() => endpoint.executionIds().length > count && endpoint.stateOf(endpoint.executionIds().at(-1)!) === 'RUNNING');
    controller.abort();
    const cancelled = await failure(pending);
    expect(cancelled.code).toBe('QUERY_CANCELLED');
    expect(endpoint.stateOf(endpoint.executionIds().at(-1)!)).toBe('CANCELLED');

    const queue = new AbortController();
    count = endpoint.executionIds().length;
    const timedOut = d.query('SELECT 2', [], { signal: queue.signal });
    await waitFor(() => endpoint.executionIds().length > count && endpoint.stateOf(endpoint.executionIds().at(-1)!) === 'RUNNING');
    const reason = new UserError('QUERY_TIMEOUT', 'Query timed out after 100 ms');
    queue.abort(reason);
    expect(await failure(timedOut)).toBe(reason);
    expect(endpoint.stateOf(endpoint.executionIds().at(-1)!)).toBe('CANCELLED');
    endpoint.script({});

    const startsBefore = endpoint.callsOf('StartQueryExecution').length;
    expect((await failure(d.query('SELECT 3', [], { signal: AbortSignal.abort() }))).code).toBe('QUERY_CANCELLED');
    expect(endpoint.callsOf('StartQueryExecution')).toHaveLength(startsBefore); // nothing sent
  });

  it('reports a query cancelled outside the server as QUERY_CANCELLED', async () => {
    endpoint.script({ runningPolls: Infinity });
    const d = await driver();
    const count = endpoint.executionIds().length;
    const pending = d.query('SELECT 1', []);
    await waitFor(() => endpoint.executionIds().length > count && endpoint.stateOf(endpoint.executionIds().at(-1)!) === 'RUNNING');
    const id = endpoint.executionIds().at(-1)!;
    endpoint.stop(id);
    const error = await failure(pending);
    expect(error.code).toBe('QUERY_CANCELLED');
    expect(error.message).toBe(`Athena data source cancelled query ${id} (stopped outside this server): Query cancelled by user`);
    endpoint.script({});
  });

  it('maps a syntax error (user error 1006) to SOURCE_ERROR with Athena\'s reason and the SQL', async () => {
    const d = await driver();
    const error = await failure(d.query('SELEC order_id FROM orders', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.sqlState).toBe('58000');
    expect(error.message).toMatch(/^Athena data source failed query [0-9a-f-]{36} \(user error, type 1006 syntax error\): SYNTAX_ERROR: syntax error at or near "SELEC"\nSQL: SELEC order_id FROM orders$/);
  });

  it('maps a missing table (user error 1110) to SOURCE_ERROR naming the table', async () => {
    const d = await driver();
    const error = await failure(d.query('SELECT * FROM no_such_table', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toContain('(user error, type 1110 table or view does not exist): TABLE_NOT_FOUND: Table with name no_such_table does not exist');
  });

  it('maps an S3 permission failure (1501) to SOURCE_ERROR with an IAM hint', async () => {
    const d = await driver({ outputLocation: 's3://forbidden-results/cube/' });
    const error = await failure(d.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toContain('(user error, type 1501 Amazon S3 permission error): Access denied when writing output to url: s3://forbidden-results/cube/');
    expect(error.hint).toContain('IAM policy');
  });

  it('retries throttled calls (HTTP 400 ThrottlingException) and then answers', async () => {
    const d = await driver();
    const before = endpoint.callsOf('GetQueryExecution').length;
    endpoint.throttle('GetQueryExecution', 2);
    const result = await d.query('SELECT count(*) AS n FROM orders', []);
    expect(result.data).toEqual([[4]]);
    expect(endpoint.callsOf('GetQueryExecution').slice(before).map((c) => c.status)).toEqual([400, 400, 200]);
  });

  it('maps throttling that outlasts the retries to RATE_LIMITED', async () => {
    const d = await driver({ maxAttempts: 3 });
    const before = endpoint.callsOf('StartQueryExecution').length;
    endpoint.throttle('StartQueryExecution', 3, 'TooManyRequestsException');
    const error = await failure(d.query('SELECT 1', []));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/^Athena data source is throttling requests \(TooManyRequestsException: You have exceeded the limit .*\); gave up after 3 attempt\(s\), retry later$/);
    expect(endpoint.callsOf('StartQueryExecution').slice(before).map((c) => c.status)).toEqual([400, 400, 400]);
    // The retries carried one idempotency token: Athena would run the query once.
    expect(new Set(endpoint.callsOf('StartQueryExecution').slice(before).map((c) => c.input.ClientRequestToken)).size).toBe(1);
  });

  it('maps a refused request (no output location, unknown workgroup) to SOURCE_ERROR with Athena\'s message', async () => {
    const noOutput = await failure((await driver({ outputLocation: undefined })).query('SELECT 1', []));
    expect(noOutput.code).toBe('SOURCE_ERROR');
    expect(noOutput.message).toContain('Athena data source rejected the request (InvalidRequestException INVALID_INPUT): No output location provided.');
    // The workgroup's own output location is enough.
    expect((await (await driver({ outputLocation: undefined, workGroup: 'analysts' })).query('SELECT 1 AS one', [])).data).toEqual([[1]]);
    const unknown = await failure((await driver({ workGroup: 'nope' })).query('SELECT 1', []));
    expect(unknown.message).toContain('WorkGroup nope is not found.');
  });

  it('maps credentials Athena does not know to SOURCE_ERROR with an IAM hint', async () => {
    const d = await driver({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } });
    const error = await failure(d.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toBe("Athena data source refused the server's AWS credentials (UnrecognizedClientException: The security token included in the request is invalid.)");
    expect(error.hint).toContain('IAM policy');
  });

  it('maps a request signed with the wrong secret to SOURCE_ERROR (InvalidSignatureException)', async () => {
    const d = await driver({ credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-the-secret' } });
    const error = await failure(d.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_ERROR');
    expect(error.message).toMatch(/^Athena data source refused the server's AWS credentials \(InvalidSignatureException: The request signature we calculated does not match/);
  });

  it('maps an unreachable endpoint to SOURCE_UNREACHABLE (08006) naming it', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const d = await driver({ endpoint: url });
    const error = await failure(d.query('SELECT 1', []));
    expect(error.code).toBe('SOURCE_UNREACHABLE');
    expect(error.sqlState).toBe('08006');
    expect(error.message).toContain(`Athena data source unreachable at ${url} (ECONNREFUSED`);
    await expect(d.testConnection()).rejects.toMatchObject({ code: 'SOURCE_UNREACHABLE' });
  });

  it('answers testConnection through the same path', async () => {
    await expect((await driver()).testConnection()).resolves.toBeUndefined();
  });

  it('formats literals for ExecutionParameters', () => {
    expect([athenaParameter(null), athenaParameter(true), athenaParameter(1.5), athenaParameter("a'b")]).toEqual(['NULL', 'true', '1.5', "'a''b'"]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
