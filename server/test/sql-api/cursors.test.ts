/**
 * Cursors over the wire (psqlODBC's UseDeclareFetch, Excel, Tableau, psycopg's server-side
 * cursors): DECLARE runs the query once, FETCH/MOVE hand out its rows. Rows are checked against
 * MEASURE() queries and hand-written SQL on the source table; FETCH/MOVE positioning is compared
 * statement by statement with a real Postgres (Debian `postgresql`) running the same sequence;
 * errors carry Postgres' SQLSTATEs. psql runs a cursor end to end.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';
import { startTempPostgres, type TempPostgres } from '../support/temp-postgres.ts';

const run = promisify(execFile);
let f: OrdersStack;
/** A real Postgres: the oracle for catalog answers. */
let oracle: TempPostgres;


beforeAll(async () => {
  f = await startOrdersStack({ tls: false });
  oracle = await startTempPostgres({ prefix: 'pg-oracle' });
}, 120_000);
afterAll(async () => {
  oracle?.stop();
  await f?.close();
});

async function withClient<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port: f.server.port, user: 'admin', password: 'admin_password', database: 'db' });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

async function errorOf(c: pg.Client, sql: string): Promise<string | undefined> {
  return c.query(sql).then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
}

const rowsOf = (r: pg.QueryResult) => r.rows.map((row) => Object.values(row).map(String));
const source = async (sql: string) => (await f.db.runAndReadAll(sql)).getRows().map((row) => row.map(String));

describe('DECLARE / FETCH over model tables', () => {
  it('pages through a grouped query: the pages together equal MEASURE() and hand-written SQL on the source', async () => {
    const query = 'SELECT city, status, MEASURE(count) AS n, MEASURE(total_amount) AS total FROM orders GROUP BY 1, 2 ORDER BY 1, 2';
    const { pages, whole, tags } = await withClient(async (c) => {
      await c.query('BEGIN');
      const declared = await c.query(`DECLARE "SQL_CUR0x1" NO SCROLL CURSOR FOR ${query}`);
      const pages: string[][] = [];
      const tags: string[] = [`${declared.command}`];
      for (;;) {
        const page = await c.query('fetch 5 in "SQL_CUR0x1"'); // psqlODBC's spelling
        tags.push(`${page.command} ${page.rowCount}`);
        pages.push(...rowsOf(page));
        if (page.rowCount! < 5) break;
      }
      await c.query('CLOSE "SQL_CUR0x1"');
      await c.query('COMMIT');
      return { pages, whole: rowsOf(await c.query(query)), tags };
    });
    const expected = await source('SELECT city, status, count(*), sum(amount) FROM orders GROUP BY 1, 2 ORDER BY 1, 2');
    expect(expected.length).toBe(12);
    expect(pages.map((r) => [r[0], r[1], r[2], Number(r[3])])).toEqual(expected.map((r) => [r[0], r[1], r[2], Number(r[3])]));
    expect(pages).toEqual(whole);
    expect(tags).toEqual(['DECLARE', 'FETCH 5', 'FETCH 5', 'FETCH 2']);
  });

  it('binds the DECLARE’s parameters to its query (extended protocol) and fetches in binary on request', async () => {
    const query = 'SELECT status, MEASURE(count) AS n, MEASURE(avg_amount) AS a FROM orders WHERE city = $1 GROUP BY 1 ORDER BY 1';
    const { text, binary, directBinary } = await withClient(async (c) => {
      await c.query('BEGIN');
      await c.query({ text: `DECLARE c CURSOR FOR ${query}`, values: ['Recife'] });
      const text = rowsOf(await c.query('FETCH 2 FROM c'));
      // A named statement makes node-postgres use the extended protocol, where `binary` asks for binary results.
      const fetched = await c.query({ name: 'fetch_rest', text: 'FETCH ALL FROM c', binary: true } as pg.QueryConfig);
      expect(fetched.fields.map((field) => field.format)).toEqual(['binary', 'binary', 'binary']);
      await c.query('COMMIT');
      const direct = await c.query({ name: 'direct', text: query, values: ['Recife'], binary: true } as pg.QueryConfig);
      return { text, binary: rowsOf(fetched), directBinary: rowsOf(direct) };
    });
    const expected = await source(`SELECT status, count(*), avg(amount) FROM orders WHERE city = 'Recife' GROUP BY 1 ORDER BY 1`);
    expect(text.map((r) => [r[0], r[1], Number(r[2]).toFixed(6)])).toEqual(expected.slice(0, 2).map((r) => [r[0], r[1], Number(r[2]).toFixed(6)]));
    // node-postgres misreads binary float8 (SQL-API.md), so the binary rows are compared with the same
    // query's binary answer; psycopg checks binary cursor values against the source (py/test_sql_api_clients.py).
    expect(binary).toEqual(directBinary.slice(2));
    expect(binary.length).toBe(1);
  });

  it('keeps a WITH HOLD cursor after COMMIT and outside any transaction; closes the others at transaction end', async () => {
    await withClient(async (c) => {
      expect(await errorOf(c, 'DECLARE c CURSOR FOR SELECT status FROM orders GROUP BY 1')).toBe('25P01');
      await c.query('DECLARE held CURSOR WITH HOLD FOR SELECT status FROM orders GROUP BY 1 ORDER BY 1');
      await c.query('BEGIN');
      await c.query('DECLARE plain CURSOR FOR SELECT status FROM orders GROUP BY 1 ORDER BY 1');
      await c.query('DECLARE held_inside CURSOR WITH HOLD FOR SELECT 1');
      await c.query('COMMIT');
      expect(await errorOf(c, 'FETCH 1 FROM plain')).toBe('34000');
      expect(rowsOf(await c.query('FETCH 1 FROM held_inside'))).toEqual([['1']]);
      await c.query('BEGIN');
      await c.query('DECLARE rolled_back CURSOR WITH HOLD FOR SELECT 1');
      await c.query('ROLLBACK');
      expect(await errorOf(c, 'FETCH 1 FROM rolled_back')).toBe('34000');
      const statuses = (await source('SELECT DISTINCT status FROM orders ORDER BY 1')).map((r) => r[0]);
      expect(rowsOf(await c.query('FETCH ALL FROM held')).map((r) => r[0])).toEqual(statuses);
      await c.query('CLOSE ALL');
      expect(await errorOf(c, 'FETCH 1 FROM held_inside')).toBe('34000');
    });
  });

  it('answers Postgres’ SQLSTATEs for a duplicate, unknown or forward-only cursor, and keeps the session usable', async () => {
    await withClient(async (c) => {
      await c.query('BEGIN');
      await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT status FROM orders GROUP BY 1');
      expect(await errorOf(c, 'DECLARE c CURSOR FOR SELECT 1')).toBe('42P03');
      await c.query('ROLLBACK');
      expect(await errorOf(c, 'FETCH 1 FROM nope')).toBe('34000');
      expect(await errorOf(c, 'CLOSE nope')).toBe('34000');
      await c.query('BEGIN');
      await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT status FROM orders GROUP BY 1 ORDER BY 1');
      await c.query('FETCH 2 FROM c');
      expect(await errorOf(c, 'FETCH PRIOR FROM c')).toBe('55000');
      await c.query('ROLLBACK');
      expect(await errorOf(c, 'DECLARE d CURSOR WITH HOLD FOR SELECT no_such_column FROM orders')).toMatch(/^42/);
      expect(await errorOf(c, 'DECLARE d CURSOR WITH HOLD FOR SELECT * FROM read_csv_auto(\'/etc/passwd\')')).toBeDefined();
      expect(rowsOf(await c.query('SELECT 1 AS x'))).toEqual([['1']]);
    });
  });
});

describe('FETCH and MOVE position the cursor as Postgres does', () => {
  // Each step's rows and command tag, from our SQL API and from a real Postgres, for the same cursor over 1…7.
  const STEPS = [
    'FETCH 2 FROM c', 'FETCH NEXT FROM c', 'MOVE 2 IN c', 'FETCH PRIOR FROM c', 'FETCH BACKWARD 2 FROM c', 'FETCH FIRST FROM c',
    'FETCH LAST FROM c', 'FETCH NEXT FROM c', 'FETCH NEXT FROM c', 'FETCH BACKWARD ALL FROM c', 'FETCH ABSOLUTE 3 FROM c', 'FETCH ABSOLUTE -2 FROM c',
    'FETCH RELATIVE 0 FROM c', 'FETCH RELATIVE -2 FROM c', 'FETCH RELATIVE 10 FROM c', 'MOVE ABSOLUTE 0 IN c', 'FETCH FORWARD ALL FROM c',
    'MOVE BACKWARD 3 IN c', 'FETCH FORWARD 0 FROM c', 'FETCH ABSOLUTE 99 FROM c', 'MOVE ABSOLUTE -99 IN c', 'FETCH 3 FROM c',
  ];

  async function replay(client: pg.Client): Promise<string[]> {
    await client.query('BEGIN');
    await client.query('DECLARE c SCROLL CURSOR FOR SELECT g FROM generate_series(1, 7) AS g ORDER BY g');
    const out: string[] = [];
    for (const step of STEPS) {
      const r = await client.query(step);
      out.push(`${step} → ${r.command} ${r.rowCount} [${r.rows.map((row) => row.g).join(',')}]`);
    }
    await client.query('ROLLBACK');
    return out;
  }

  it('gives the rows and tags a real Postgres gives for the same FETCH/MOVE sequence', async () => {
    const real = new pg.Client({ host: oracle.socketDir, port: oracle.port, user: oracle.superuser, database: 'postgres' });
    await real.connect();
    try {
      const expected = await replay(real);
      expect(await withClient(replay)).toEqual(expected);
      expect(expected.some((line) => line.includes('[7,6,5'))).toBe(true); // the sequence does go backward
    } finally {
      await real.end();
    }
  });
});

describe('psql', () => {
  it('declares, fetches and closes a cursor in one session', async () => {
    const { stdout } = await run(
      'psql',
      ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', 'BEGIN', '-c', 'DECLARE c CURSOR FOR SELECT status, MEASURE(count) FROM orders GROUP BY 1 ORDER BY 1', '-c', 'FETCH 2 FROM c', '-c', 'FETCH ALL FROM c', '-c', 'CLOSE c', '-c', 'COMMIT', `host=127.0.0.1 port=${f.server.port} user=admin dbname=db sslmode=disable`],
      { env: { ...process.env, PGPASSWORD: 'admin_password', PGCONNECT_TIMEOUT: '10' } },
    );
    const rows = stdout.trim().split('\n').filter((line) => line.includes('|'));
    expect(rows).toEqual((await source('SELECT status, count(*) FROM orders GROUP BY 1 ORDER BY 1')).map((r) => r.join('|')));
  });
});
