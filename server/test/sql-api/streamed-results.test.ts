/**
 * No silent row caps: a result larger than one answer holds (the scan limit, CUBEJS_DB_QUERY_LIMIT
 * in production, 1,000 here) is streamed whole — Power BI's Import of a whole table, an ungrouped
 * preview without LIMIT, a grouped query with more groups than the limit, a LIMIT above it — in the
 * simple protocol and through row-limited Execute. Every count and checksum is compared with SQL
 * written by hand over the same DuckDB table.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { buildBind, buildExecute, buildParse, buildSync, readDataRow } from '../../src/api/sql/wire/frontend-builders.ts';
import { RawPgClient } from './support/raw-pg-client.ts';

const ROWS = 25_000;
const SCAN_LIMIT = 1_000;

const MODEL = `cubes:
  - name: items
    sql_table: main.items
    measures:
      - name: count
        type: count
      - name: total
        sql: price
        type: sum
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
        public: true
      - name: label
        sql: label
        type: string
      - name: price
        sql: price
        type: number
`;

let stack: Stack;
let driver: Driver;
let server: SqlServer;

beforeAll(async () => {
  stack = await startStack({
    data: { sql: `CREATE TABLE main.items AS SELECT i + 1 AS id, 'item-' || (i % 3000) AS label, ((i * 37) % 1000 / 10.0)::DECIMAL(10, 2) AS price FROM range(${ROWS}) t(i)` },
    model: { files: { 'cubes/items.yml': MODEL } },
    env: { CUBEJS_DB_QUERY_LIMIT: String(SCAN_LIMIT) },
    serve: { sql: { users: { u: { password: 'pw', securityContext: {} } }, maxScanRows: SCAN_LIMIT } },
  });
  driver = stack.driver;
  server = stack.sqlServer!;
}, 120_000);

afterAll(async () => stack?.close());

async function query(text: string): Promise<unknown[][]> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u', password: 'pw', database: 'db', types: { getTypeParser: () => (v: string) => v } });
  await c.connect();
  try {
    return (await c.query({ text, rowMode: 'array' })).rows as unknown[][];
  } finally {
    await c.end();
  }
}

async function hand(sql: string): Promise<unknown[]> {
  const r = await driver.query(sql, []);
  return r.data.map((col) => col[0]);
}

const sumOf = (rows: unknown[][], column: number): number => rows.reduce((s, r) => s + Number(r[column] ?? 0), 0);

describe('results larger than the scan limit are streamed whole', () => {
  it("returns every row of Power BI's Import of the whole table", async () => {
    const rows = await query('select "$Table"."id" as "id", "$Table"."label" as "label", "$Table"."price" as "price" from "public"."items" "$Table"');
    const [count, ids, prices] = await hand('SELECT count(*), sum(id), sum(price) FROM main.items');
    expect(rows).toHaveLength(Number(count));
    expect(sumOf(rows, 0)).toBe(Number(ids));
    expect(sumOf(rows, 2)).toBeCloseTo(Number(prices), 2);
  });

  it('returns every group of a grouped query with more groups than the limit, each with its measure', async () => {
    const rows = await query('select label, measure(total), measure(count) from items group by 1');
    const [groups, total, count] = await hand('SELECT count(DISTINCT label), sum(price), count(*) FROM main.items');
    expect(rows).toHaveLength(Number(groups));
    expect(sumOf(rows, 1)).toBeCloseTo(Number(total), 2);
    expect(sumOf(rows, 2)).toBe(Number(count));
    const one = rows.find((r) => r[0] === 'item-42')!;
    const [want] = await hand("SELECT sum(price) FROM main.items WHERE label = 'item-42'");
    expect(Number(one[1])).toBeCloseTo(Number(want), 2);
  });

  it('honours a LIMIT above the scan limit exactly, in order', async () => {
    const rows = await query('select id, price from items order by id limit 3500');
    expect(rows).toHaveLength(3500);
    expect(rows[3499]![0]).toBe('3500');
    expect(sumOf(rows, 0)).toBe((3500 * 3501) / 2);
  });

  it('hands a streamed result out through row-limited Execute, suspending the portal in between', async () => {
    const c = await RawPgClient.connect(server.port, 'u', 'pw');
    try {
      const batches = [4000, 4000, 4000, 4000, 4000, 4000, 4000];
      c.send(buildParse('', 'select id from items'), buildBind('', '', [], [], [0]), ...batches.map((n) => buildExecute('', n)), buildSync());
      const frames = await c.readUntilReady();
      const ids = frames.filter((f) => f.type === 'D').map((f) => Number(readDataRow(f.body)[0]!.toString()));
      expect(frames.filter((f) => f.type === 'E')).toEqual([]);
      expect(ids).toHaveLength(ROWS);
      expect(new Set(ids).size).toBe(ROWS);
      expect(frames.filter((f) => f.type === 's')).toHaveLength(6);
      const done = frames.find((f) => f.type === 'C')!;
      expect(done.body.toString('utf8').replace(/\0$/, '')).toBe(`SELECT ${ROWS}`);
    } finally {
      c.close();
    }
  });

  it('ends the stream when the portal is closed early, and the connection keeps working', async () => {
    const c = await RawPgClient.connect(server.port, 'u', 'pw');
    try {
      c.send(buildParse('', 'select id from items'), buildBind('', '', [], [], [0]), buildExecute('', 10), buildSync());
      const first = await c.readUntilReady();
      expect(first.filter((f) => f.type === 'D')).toHaveLength(10);
      c.send(buildParse('', 'select measure(count) from items'), buildBind('', '', [], [], [0]), buildExecute('', 0), buildSync());
      const second = await c.readUntilReady();
      expect(readDataRow(second.find((f) => f.type === 'D')!.body)[0]!.toString()).toBe(String(ROWS));
    } finally {
      c.close();
    }
  });
});
