import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { TLSSocket } from 'node:tls';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';

let f: OrdersStack;
beforeAll(async () => {
  f = await startOrdersStack();
}, 120_000);
afterAll(async () => f?.close());

function client(extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: f.server.port, user: 'admin', password: 'admin_password', database: 'db', ...extra });
}

async function withClient<T>(run: (c: pg.Client) => Promise<T>, extra: Partial<pg.ClientConfig> = {}): Promise<T> {
  const c = client(extra);
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

/** Rows of hand-written SQL over the fixture's DuckDB table (the independent answer). */
async function hand(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await f.db.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

async function errorOf(c: pg.Client, sql: string): Promise<{ code?: string; message: string }> {
  try {
    await c.query(sql);
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('SQL API with node-postgres', () => {
  it('authenticates with SCRAM-SHA-256 and reports the startup parameters', async () => {
    const c = client();
    const params: Record<string, string> = {};
    (c as unknown as { connection: { on(e: string, cb: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection.on('parameterStatus', (m) => {
      params[m.parameterName] = m.parameterValue;
    });
    await c.connect();
    await c.end();
    expect(params).toMatchObject({ client_encoding: 'UTF8', DateStyle: 'ISO, MDY', integer_datetimes: 'on', standard_conforming_strings: 'on', server_encoding: 'UTF8', TimeZone: 'UTC', session_authorization: 'admin' });
    expect(params.server_version).toMatch(/^\d+\.\d+/);
    expect(Object.keys(params)).toEqual(expect.arrayContaining(['application_name', 'is_superuser', 'IntervalStyle']));
  });

  it('rejects a wrong password with SQLSTATE 28P01', async () => {
    const c = client({ password: 'nope' });
    await expect(c.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  it('negotiates TLS when a certificate is configured', async () => {
    const c = client({ ssl: { ca: f.cert.cert, servername: 'localhost' } });
    await c.connect();
    const stream = (c as unknown as { connection: { stream: unknown } }).connection.stream;
    expect(stream).toBeInstanceOf(TLSSocket);
    expect((stream as TLSSocket).encrypted).toBe(true);
    const r = await c.query('select count(*) as n from orders');
    expect(r.rows).toEqual([{ n: '500' }]);
    await c.end();
  });

  it('answers grouped sums exactly like SQL over the source table', async () => {
    const rows = await withClient(async (c) => (await c.query('select status, sum(total_amount) as total from orders group by 1 order by 1')).rows);
    const expected = await hand('select status, sum(amount) as total from orders group by 1 order by 1');
    expect(rows).toEqual(expected.map((r) => ({ status: r.status, total: Number(r.total) })));
  });

  it('turns date_trunc into a time dimension and WHERE into filters', async () => {
    const rows = await withClient(async (c) =>
      (await c.query(`select date_trunc('month', created_at) as m, measure(count) as n, count(distinct customers) as cu from orders where status = 'paid' and created_at >= '2024-02-01' and created_at < '2024-05-01' group by 1 order by 1`)).rows,
    );
    const expected = await hand(`select date_trunc('month', created_at) as m, count(*) as n, count(distinct customer) as cu from orders where status = 'paid' and created_at >= '2024-02-01' and created_at < '2024-05-01' group by 1 order by 1`);
    expect(rows.map((r) => [r.m.toISOString().slice(0, 10), r.n, r.cu])).toEqual(expected.map((r) => [String(r.m).slice(0, 10), String(r.n), String(r.cu)]));
    const last = f.calls.at(-1)!.query;
    expect(last.timeDimensions).toEqual([{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-02-01T00:00:00.000', '2024-04-30T23:59:59.999'] }]);
    expect(last.filters).toEqual([{ member: 'orders.status', operator: 'equals', values: ['paid'] }]);
  });

  it('gives the same answer as the engine for the same semantic query (REST path)', async () => {
    const rows = await withClient(async (c) => (await c.query('select city, measure(total_amount) as t, avg(avg_amount) as a from orders group by city order by city')).rows);
    const rest = await f.engine.load({ dimensions: ['orders.city'], measures: ['orders.total_amount', 'orders.avg_amount'], order: [['orders.city', 'asc']] }, { securityContext: {}, requestId: 't', api: 'rest' });
    const r = rest.results[0]!;
    expect(rows.map((x) => [x.city, x.t, x.a])).toEqual(r.data[0]!.map((city, i) => [city, Number(r.data[1]![i]), Number(r.data[2]![i])]));
  });

  it('binds parameters of the extended protocol into filters', async () => {
    const rows = await withClient(async (c) => (await c.query({ text: 'select status, measure(count) as n from orders where city = $1 and amount > $2 group by 1 order by 1', values: ['Recife', 500] })).rows);
    const expected = await hand(`select status, count(*) as n from orders where city = 'Recife' and amount > 500 group by 1 order by 1`);
    expect(rows).toEqual(expected.map((r) => ({ status: r.status, n: String(r.n) })));
  });

  it('evaluates ROLLUP and outer levels over the aggregated rows', async () => {
    const rows = await withClient(async (c) =>
      (await c.query(`select s, sum(n) as n from (select status as s, city, measure(count) as n from orders group by 1, 2) q group by rollup(s) order by 1 nulls last`)).rows,
    );
    const expected = await hand(`select status as s, count(*) as n from orders group by rollup(status) order by 1 nulls last`);
    expect(rows).toEqual(expected.map((r) => ({ s: r.s, n: String(r.n) })));
  });

  it('refuses an aggregate that does not match the measure type', async () => {
    const e = await withClient((c) => errorOf(c, 'select avg(total_amount) from orders'));
    expect(e.code).toBe('42803');
    expect(e.message).toMatch(/over measure orders.total_amount of type sum would not give the measure's value/);
  });

  it('refuses DDL, DML, other tables and file functions with proper SQLSTATEs', async () => {
    await withClient(async (c) => {
      expect((await errorOf(c, 'insert into orders (status) values (1)')).code).toBe('25006');
      expect((await errorOf(c, 'create table t (a int)')).code).toBe('25006');
      expect((await errorOf(c, 'drop table orders')).code).toBe('25006');
      expect((await errorOf(c, "select * from read_csv('/etc/passwd')")).code).toBe('42883');
      expect((await errorOf(c, 'select * from secret_table')).code).toBe('42P01');
      expect((await errorOf(c, 'select pg_sleep(10)')).code).toBe('42501');
      expect((await errorOf(c, "select pg_read_file('/etc/passwd')")).code).toBe('42501');
      expect((await errorOf(c, 'select * from orders o join pg_class c on true')).code).toBe('0A000');
      // The connection still works after refusals.
      expect((await c.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });
  });

  it('keeps session settings and transactions per connection', async () => {
    const a = client();
    const b = client();
    await a.connect();
    await b.connect();
    try {
      await a.query("set application_name = 'powerbi'");
      expect((await a.query('show application_name')).rows).toEqual([{ application_name: 'powerbi' }]);
      expect((await b.query('show application_name')).rows).toEqual([{ application_name: '' }]);
      await a.query('begin');
      expect((await errorOf(a, 'select nope from orders')).code).toBeDefined();
      expect((await errorOf(a, 'select 1')).code).toBe('25P02');
      await a.query('rollback');
      expect((await a.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      await a.query('discard all');
      expect((await a.query('show application_name')).rows).toEqual([{ application_name: '' }]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('answers session functions for this connection, not for the shared catalog', async () => {
    const rows = await withClient(async (c) => {
      await c.query("set application_name = 'dax'");
      return (await c.query(`select current_user, session_user, current_database(), current_setting('application_name'), pg_backend_pid() > 0 as pid, current_catalog`)).rows;
    });
    expect(rows).toEqual([{ current_user: 'admin', session_user: 'admin', current_database: 'db', current_setting: 'dax', pid: true, current_catalog: 'db' }]);
  });

  it('runs several statements of one simple query in order', async () => {
    const results = await withClient(async (c) => (await c.query('select 1 as a; select count(*) as n from orders; ')) as unknown as pg.QueryResult[]);
    expect(results.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ n: '500' }]]);
  });

  it('answers catalog queries with model tables, columns and comments', async () => {
    await withClient(async (c) => {
      const cols = await c.query(`select column_name, data_type from information_schema.columns where table_name = 'orders' order by ordinal_position`);
      expect(cols.rows).toEqual(
        expect.arrayContaining([
          { column_name: 'count', data_type: 'bigint' },
          { column_name: 'total_amount', data_type: 'double precision' },
          { column_name: 'created_at', data_type: 'timestamp without time zone' },
          { column_name: 'status', data_type: 'text' },
        ]),
      );
      const comments = await c.query(`select obj_description('public.orders'::regclass, 'pg_class') as t, col_description('public.orders'::regclass, (select attnum from pg_attribute where attrelid = 'public.orders'::regclass and attname = 'status')) as s`);
      expect(comments.rows).toEqual([{ t: 'Orders: One row per order line', s: 'Orders Status: Order status' }]);
    });
  });
});
