/**
 * Records real TCLIService exchanges between `@databricks/sql` and a Spark Thrift Server, for the
 * fake Databricks warehouse to replay (fixtures/spark-*.json). The client reaches Spark through
 * the Spark bridge (spark-thrift-bridge.ts) without parameter binding, so the replies are Spark's
 * own except the adaptations the client needs (the original kept as `upstreamResponse`).
 *
 * Usage: `bash scripts/test-python.d/databricks-driver-on-spark.sh --record` (starts a Spark Thrift
 * Server, runs this, stops it), or against a server of your own:
 *   npx tsx server/test/drivers/record-spark-exchanges.ts https://127.0.0.1:<port>/cliservice
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DatabricksDriver } from '../../src/drivers/databricks-driver.ts';
import type { RecordedExchange } from './databricks-thrift-server.ts';
import { SPARK_TOKEN, startSparkThriftBridge, type BridgedExchange } from './spark-thrift-bridge.ts';

export { SPARK_TOKEN };
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The statements recorded: what the replay tests then ask of the fake server, in this order. */
export const RECORDED_STATEMENTS = {
  types: "SELECT CAST(id AS INT) AS n, CAST(id AS BIGINT) * 10000000000 AS big, CAST(id / 4 AS DECIMAL(10,2)) AS amount, id / 8 AS ratio, CONCAT('city-', CAST(id AS STRING)) AS city, DATE'2024-02-27' + CAST(id AS INT) AS day, id % 2 = 0 AS even, CASE WHEN id = 3 THEN NULL ELSE id END AS maybe FROM range(5)",
  paging: 'SELECT id, id * id AS square FROM range(7) ORDER BY id',
  missingTable: 'SELECT * FROM no_such_table',
  syntaxError: 'SELEC 1',
  long: 'SELECT COUNT(*) AS n FROM range(0, 20000000000, 1, 2) WHERE id % 7 = 3',
} as const;

async function record(target: string): Promise<void> {
  const exchanges: BridgedExchange[] = [];
  const bridge = await startSparkThriftBridge({ target, bindParameters: false, onExchange: (e) => exchanges.push(e) });
  const recordings: Record<string, RecordedExchange[]> = {};
  // Exchanges in the order the requests arrived (a long poll can be answered after later requests).
  const take = (name: string): void => {
    const taken = exchanges.splice(0).sort((a, b) => a.arrival - b.arrival);
    const first = taken[0]?.arrival ?? 0;
    recordings[name] = taken.map((e) => ({
      method: e.method, status: e.status, arrival: e.arrival - first, repliedAfterRequests: e.repliedAfterRequests - first,
      request: e.request.toString('base64'), response: e.response.toString('base64'),
      ...(e.upstreamResponse ? { upstreamResponse: e.upstreamResponse.toString('base64') } : {}),
    }));
  };
  const withDriver = async (name: string, run: (driver: DatabricksDriver) => Promise<unknown>): Promise<void> => {
    const driver = await DatabricksDriver.create({ url: bridge.url, token: SPARK_TOKEN, ca: bridge.ca });
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
    const { DBSQLClient, DBSQLLogger, LogLevel } = await import('@databricks/sql');
    const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
    await client.connect({ host: '127.0.0.1', port: Number(new URL(bridge.url).port), path: '/cliservice', token: SPARK_TOKEN, telemetryEnabled: false, customCaCert: readFileSync(bridge.ca.file) });
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
    await bridge.close();
  }
  for (const [name, recorded] of Object.entries(recordings)) {
    console.log(name, recorded.map((e) => `${e.method}:${e.status}`).join(' '));
    writeFileSync(`${FIXTURES}spark-${name}.json`, JSON.stringify(recorded, null, 1) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await record(process.argv[2] ?? 'https://127.0.0.1:10099/cliservice');
}
