/**
 * Records real TCLIService exchanges between `@databricks/sql` and a Spark Thrift Server (Spark's
 * HiveThriftServer2 in HTTP mode behind TLS), for the fake Databricks server to replay.
 *
 * The client reaches Spark through a small HTTPS proxy that forwards each POST body unchanged,
 * except one field: the client's OpenSession carries `client_protocol = -7` ("read the 64-bit
 * field", a Databricks extension) which Hive's IDL rejects as "Required field 'client_protocol' is
 * unset"; the proxy sets it to HIVE_CLI_SERVICE_PROTOCOL_V10 on the way to Spark. Replies are
 * recorded byte for byte, and adapted where Spark's differ from what the client reads
 * (`adaptSparkReply`; the original is kept as `upstreamResponse`).
 *
 * Usage (Spark Thrift Server started as described in server/test/drivers/README.md):
 *   npx tsx server/test/drivers/record-spark-exchanges.ts https://127.0.0.1:10099/cliservice
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readCall, readMessageHeader, readReply, T, writeCall, writeReply } from './thrift-cli-codec.ts';
import { DatabricksDriver } from '../../src/drivers/databricks-driver.ts';
import type { RecordedExchange } from './databricks-thrift-server.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * Spark's replies as the client can read them. Hive's GetResultSetMetadata has no `resultFormat`
 * (a Databricks field the client requires), so the column-based format Spark always uses is named;
 * and Spark numbers result columns from 0 where the client (like HiveServer2 itself) counts from 1
 * (it reads column `position - 1`, so Spark's first column would vanish and the rest shift).
 */
export function adaptSparkReply(method: string, body: Buffer): Buffer {
  if (method !== 'GetResultSetMetadata' || readMessageHeader(body).type !== 2) return body;
  const reply = readReply(body);
  const columns: { position: number }[] = reply.schema?.columns ?? [];
  const fromZero = columns.some((c) => c.position === 0);
  const named = reply.resultFormat !== null && reply.resultFormat !== undefined;
  if (named && !fromZero) return body;
  if (!named) reply.resultFormat = T.TSparkRowSetType.COLUMN_BASED_SET;
  if (fromZero) for (const c of columns) c.position += 1;
  return writeReply(method, readMessageHeader(body).seqid, reply);
}

/** An HTTPS proxy to `target` that rewrites OpenSession's protocol version and logs every exchange. */
export async function startRecordingProxy(target: string): Promise<{ url: string; exchanges: RecordedExchange[]; close(): Promise<void> }> {
  const exchanges: RecordedExchange[] = [];
  let arrivals = 0;
  const server = createServer({ key: readFileSync(`${FIXTURES}localhost-test-only.key`), cert: readFileSync(`${FIXTURES}localhost-test-only.crt`) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const arrival = arrivals++;
      const call = readCall(body);
      const forwarded = call.header.name === 'OpenSession'
        ? writeCall('OpenSession', call.header.seqid, new T.TOpenSessionReq({ ...call.req, client_protocol: T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }))
        : body;
      const upstream = request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-thrift', authorization: req.headers.authorization ?? '', 'content-length': forwarded.length },
        rejectUnauthorized: false,
        agent: false as unknown as Agent,
      }, (reply) => {
        const parts: Buffer[] = [];
        reply.on('data', (c: Buffer) => parts.push(c));
        reply.on('end', () => {
          const upstreamResponse = Buffer.concat(parts);
          const response = adaptSparkReply(call.header.name, upstreamResponse);
          exchanges.push({
            method: call.header.name, status: reply.statusCode ?? 0, arrival, repliedAfterRequests: arrivals,
            request: body.toString('base64'), response: response.toString('base64'),
            ...(response.equals(upstreamResponse) ? {} : { upstreamResponse: upstreamResponse.toString('base64') }),
          });
          res.writeHead(reply.statusCode ?? 502, { 'content-type': 'application/x-thrift' }).end(response);
        });
      });
      upstream.on('error', (error) => res.writeHead(502).end(String(error)));
      upstream.end(forwarded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}/cliservice`, exchanges, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Spark's HTTP mode with no authentication still decodes `Authorization` as Basic credentials. */
export const SPARK_TOKEN = Buffer.from('token:spark').toString('base64');

/** The statements recorded: what the replay tests then ask of the fake server, in this order. */
export const RECORDED_STATEMENTS = {
  types: "SELECT CAST(id AS INT) AS n, CAST(id AS BIGINT) * 10000000000 AS big, CAST(id / 4 AS DECIMAL(10,2)) AS amount, id / 8 AS ratio, CONCAT('city-', CAST(id AS STRING)) AS city, DATE'2024-02-27' + CAST(id AS INT) AS day, id % 2 = 0 AS even, CASE WHEN id = 3 THEN NULL ELSE id END AS maybe FROM range(5)",
  paging: 'SELECT id, id * id AS square FROM range(7) ORDER BY id',
  missingTable: 'SELECT * FROM no_such_table',
  syntaxError: 'SELEC 1',
  long: 'SELECT COUNT(*) AS n FROM range(0, 20000000000, 1, 2) WHERE id % 7 = 3',
} as const;

async function record(target: string): Promise<void> {
  const proxy = await startRecordingProxy(target);
  const recordings: Record<string, RecordedExchange[]> = {};
  // Exchanges in the order the requests arrived (a long poll can be answered after later requests).
  const take = (name: string): void => {
    const exchanges = proxy.exchanges.splice(0).sort((a, b) => a.arrival! - b.arrival!);
    const first = exchanges[0]?.arrival ?? 0;
    recordings[name] = exchanges.map((e) => ({ ...e, arrival: e.arrival! - first, repliedAfterRequests: e.repliedAfterRequests! - first }));
  };
  const withDriver = async (name: string, run: (driver: DatabricksDriver) => Promise<unknown>): Promise<void> => {
    const driver = await DatabricksDriver.create({ url: proxy.url, token: SPARK_TOKEN });
    try {
      await run(driver).catch((error: Error) => console.log(`${name}: failed as expected: ${error.message.split('\n')[0]}`));
    } finally {
      await driver.close();
    }
    take(name);
  };
  try {
    await withDriver('driver-types', (d) => d.query(RECORDED_STATEMENTS.types, []));
    await withDriver('driver-missing-table', (d) => d.query(RECORDED_STATEMENTS.missingTable, []));
    await withDriver('driver-syntax-error', (d) => d.query(RECORDED_STATEMENTS.syntaxError, []));
    await withDriver('driver-cancel', (d) => d.query(RECORDED_STATEMENTS.long, [], { signal: AbortSignal.timeout(1500) }));
    const { DBSQLClient } = await import('@databricks/sql');
    const client = new DBSQLClient();
    await client.connect({ host: '127.0.0.1', port: Number(new URL(proxy.url).port), path: '/cliservice', token: SPARK_TOKEN, telemetryEnabled: false });
    const session = await client.openSession();
    const operation = await session.executeStatement(RECORDED_STATEMENTS.paging, { runAsync: true, maxRows: 3 });
    const batches: unknown[][] = [];
    while (await operation.hasMoreRows()) batches.push(await operation.fetchChunk({ maxRows: 3 }));
    await operation.close();
    await session.close();
    await client.close();
    take('client-paging');
    console.log('paging batches', batches.map((b) => b.length));
  } finally {
    await proxy.close();
  }
  for (const [name, exchanges] of Object.entries(recordings)) {
    console.log(name, exchanges.map((e) => `${e.method}:${e.status}`).join(' '));
    writeFileSync(`${FIXTURES}spark-${name}.json`, JSON.stringify(exchanges, null, 1) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await record(process.argv[2] ?? 'https://127.0.0.1:10099/cliservice');
}
