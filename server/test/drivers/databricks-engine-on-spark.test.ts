/**
 * The semantic engine reading Spark through the Databricks path used in production: queries
 * compiled with the Databricks dialect, run by DatabricksDriver with the real `@databricks/sql`
 * on a live Spark Thrift Server (through the Spark bridge). The same hand-made rows are loaded into
 * Spark and into DuckDB; each answer must equal hand-written SQL over the DuckDB copy. Runs when
 * SPARK_THRIFT_URL names the server (scripts/test-python.d/databricks-driver-on-spark.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabricksDriver } from '../../src/drivers/databricks-driver.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import { createDatabricksDialect } from '../../src/sql/dialects/databricks/databricks-dialect.ts';
import { USERS_ORDERS_SQL } from '../fixtures/users-orders-sql.ts';
import { compileTestModel, ctx, normalized, rowsOf, startHandMadeEngine, type HandMadeEngine } from '../support/hand-made-engine.ts';
import { SPARK_TOKEN, startSparkThriftBridge, type SparkThriftBridge } from './spark-thrift-bridge.ts';

const target = process.env.SPARK_THRIFT_URL;

const MODEL = `
cubes:
  - name: orders
    sql_table: spark_engine_orders
    joins:
      - name: users
        relationship: many_to_one
        sql: "{CUBE}.user_id = {users}.id"
    measures:
      - { name: count, type: count }
      - { name: total, type: sum, sql: amount }
      - { name: buyers, type: count_distinct, sql: user_id }
      - { name: average, type: avg, sql: amount }
    dimensions:
      - { name: id, type: number, sql: id, primary_key: true }
      - { name: status, type: string, sql: status }
      - { name: created_at, type: time, sql: created_at }
  - name: users
    sql_table: spark_engine_users
    dimensions:
      - { name: id, type: number, sql: id, primary_key: true }
      - { name: name, type: string, sql: name }
  - name: events
    sql_table: spark_engine_events
    measures:
      - { name: count, type: count }
      - { name: ids, type: sum, sql: id }
    dimensions:
      - { name: id, type: number, sql: id, primary_key: true }
      - { name: at, type: time, sql: at }
`;

/**
 * Instants near midnight UTC, stored from epoch seconds so neither engine's session time zone
 * changes what is stored: 2024-03-01T01:30Z, 03-01T23:30Z, 03-02T02:00Z, 03-02T12:00Z, 03-03T02:59:59Z.
 */
const EVENT_EPOCHS = [[1, 1709256600], [2, 1709335800], [3, 1709344800], [4, 1709380800], [5, 1709434799]] as const;
const EVENTS_SPARK = `CREATE TABLE spark_engine_events USING parquet AS SELECT CAST(id AS INT) AS id, timestamp_seconds(epoch) AS at FROM VALUES ${EVENT_EPOCHS.map(([id, epoch]) => `(${id}, ${epoch})`).join(', ')} AS t(id, epoch)`;
const EVENTS_DUCKDB = `CREATE TABLE events AS SELECT id::INTEGER AS id, make_timestamp(epoch * 1000000) AS at FROM (VALUES ${EVENT_EPOCHS.map(([id, epoch]) => `(${id}, ${epoch}::BIGINT)`).join(', ')}) t(id, epoch);`;

/** The fixture's DDL and rows as Spark statements (STRING for VARCHAR, typed timestamp literals, Parquet tables, prefixed names). */
function sparkStatements(): string[] {
  return USERS_ORDERS_SQL.split(';').map((s) => s.trim()).filter(Boolean).map((s) => s
    .replace(/\b(users|orders)\b/g, 'spark_engine_$1')
    .replace(/\bVARCHAR\b/g, 'STRING')
    .replace(/'(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})'/g, "TIMESTAMP'$1'")
    .replace(/^(CREATE TABLE [^(]+\([^;]*\))$/s, '$1 USING parquet'));
}

describe.skipIf(!target)('the semantic engine on Spark through the Databricks driver', () => {
  let bridge: SparkThriftBridge;
  let driver: DatabricksDriver;
  let spark: SemanticEngine;
  let duck: HandMadeEngine;
  beforeAll(async () => {
    bridge = await startSparkThriftBridge({ target: target! });
    driver = await DatabricksDriver.create({ url: bridge.url, token: SPARK_TOKEN, ca: bridge.ca });
    for (const table of ['spark_engine_users', 'spark_engine_orders', 'spark_engine_events']) await driver.query(`DROP TABLE IF EXISTS ${table}`, []);
    for (const statement of [...sparkStatements(), EVENTS_SPARK]) await driver.query(statement, []);
    duck = await startHandMadeEngine(`${USERS_ORDERS_SQL}\n${EVENTS_DUCKDB}`, MODEL.replace(/spark_engine_/g, ''));
    spark = createEngine({ model: compileTestModel(MODEL), driver, dialect: createDatabricksDialect() });
  });
  afterAll(async () => {
    await duck?.close();
    await driver?.close();
    await bridge?.close();
  });

  const cases: { name: string; query: CubeQuery; sql: string }[] = [
    {
      name: 'measures by a dimension',
      query: { measures: ['orders.count', 'orders.total', 'orders.buyers', 'orders.average'], dimensions: ['orders.status'] },
      sql: 'SELECT status AS "orders.status", COUNT(*) AS "orders.count", SUM(amount) AS "orders.total", COUNT(DISTINCT user_id) AS "orders.buyers", AVG(amount) AS "orders.average" FROM orders GROUP BY 1',
    },
    {
      name: 'a month granularity inside a date range',
      query: { measures: ['orders.total'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-02-29'] }] },
      sql: `SELECT strftime(date_trunc('month', created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at.month", strftime(date_trunc('month', created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at", SUM(amount) AS "orders.total" FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-03-01' GROUP BY 1`,
    },
    {
      name: 'a joined dimension under a bound filter value',
      query: { measures: ['orders.count', 'orders.total'], dimensions: ['users.name'], filters: [{ member: 'orders.status', operator: 'equals', values: ["paid' OR '1'='1", 'paid'] }] },
      sql: `SELECT u.name AS "users.name", COUNT(*) AS "orders.count", SUM(o.amount) AS "orders.total" FROM orders o JOIN users u ON o.user_id = u.id WHERE o.status IN ('paid') GROUP BY 1`,
    },
    {
      name: 'a day granularity with a measure filter, ordered and limited',
      query: { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day' }], filters: [{ member: 'orders.count', operator: 'gte', values: ['1'] }], order: { 'orders.created_at': 'desc' }, limit: 2 },
      sql: `SELECT strftime(date_trunc('day', created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at.day", strftime(date_trunc('day', created_at), '%Y-%m-%dT%H:%M:%S.000') AS "orders.created_at", COUNT(*) AS "orders.count" FROM orders GROUP BY 1 ORDER BY 1 DESC LIMIT 2`,
    },
  ];

  // The Databricks dialect assumes a UTC session (it converts to the query's time zone itself); the
  // suite's Spark server defaults to America/Sao_Paulo (databricks-driver-on-spark.sh), so these
  // buckets shift by a day at the edges unless the driver pins its sessions to UTC. Expected rows
  // are the epochs above bucketed by hand (Sao Paulo is UTC-3 all of 2024).
  const dayBuckets: { timezone: string; rows: [string, number, number][] }[] = [
    { timezone: 'UTC', rows: [['2024-03-01T00:00:00.000', 2, 3], ['2024-03-02T00:00:00.000', 2, 7], ['2024-03-03T00:00:00.000', 1, 5]] },
    { timezone: 'America/Sao_Paulo', rows: [['2024-02-29T00:00:00.000', 1, 1], ['2024-03-01T00:00:00.000', 2, 5], ['2024-03-02T00:00:00.000', 2, 9]] },
  ];
  for (const { timezone, rows } of dayBuckets) {
    it(`buckets instants by ${timezone} days whatever the server's default session time zone`, async () => {
      const query: CubeQuery = { measures: ['events.count', 'events.ids'], timeDimensions: [{ dimension: 'events.at', granularity: 'day' }], timezone };
      const expected = normalized(rows.map(([day, count, ids]) => ({ 'events.at.day': day, 'events.at': day, 'events.count': count, 'events.ids': ids })));
      expect(normalized(rowsOf((await spark.load(query, ctx)).results[0]!))).toEqual(expected);
      expect(normalized(await duck.load(query))).toEqual(expected);
    });
  }

  for (const c of cases) {
    it(`answers ${c.name} like hand-written SQL`, async () => {
      const expected = normalized(await duck.sql(c.sql));
      expect(normalized(rowsOf((await spark.load(c.query, ctx)).results[0]!))).toEqual(expected);
      expect(normalized(await duck.load(c.query))).toEqual(expected);
    });
  }
});
