/**
 * psql (libpq) against the SQL API: SCRAM and TLS (sslmode=verify-full with the test CA), the
 * catalog queries behind \dt and \d, and an aggregate query checked against SQL on the source.
 * Also the other auth methods: md5, and cleartext which is refused without TLS.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';

const run = promisify(execFile);
let f: OrdersStack;
beforeAll(async () => {
  f = await startOrdersStack();
}, 120_000);
afterAll(async () => f?.close());

async function psql(args: string[], sslmode = 'disable'): Promise<string> {
  const { stdout } = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', `host=127.0.0.1 port=${f.server.port} user=admin dbname=db sslmode=${sslmode} sslrootcert=${f.cert.certFile}`, ...args], {
    env: { ...process.env, PGPASSWORD: 'admin_password', PGCONNECT_TIMEOUT: '10' },
  });
  return stdout.trim();
}

describe('psql', () => {
  it('connects with SCRAM over TLS (verify-full) and runs an aggregate query', async () => {
    const out = await psql(['-c', 'select ssl from pg_stat_ssl limit 0', '-c', "select status || '|' || measure(count) from orders group by status order by status"], 'verify-full');
    const expected = (await f.db.runAndReadAll("select status || '|' || count(*) from orders group by status order by status")).getRows().map((r) => String(r[0]));
    expect(out.split('\n')).toEqual(expected);
  });

  it('lists the model tables with \\dt and describes one with \\d', async () => {
    expect(await psql(['-c', '\\dt'])).toContain('public|orders|table|');
    const described = await psql(['-c', '\\d orders']);
    expect(described).toContain('total_amount|double precision');
    expect(described).toContain('created_at|timestamp without time zone');
    expect(await psql(['-c', '\\dt+ orders'])).toContain('Orders: One row per order line');
  });

  it('reports a refused statement with its SQLSTATE and keeps psql usable', async () => {
    const err = await psql(['-c', 'delete from orders']).catch((e: { stderr: string }) => e.stderr);
    expect(err).toMatch(/read-only/);
  });
});

describe('other authentication methods', () => {
  it('accepts md5 and refuses cleartext without TLS', async () => {
    const md5 = await startOrdersStack({ authMethod: 'md5', rows: 10 });
    const clear = await startOrdersStack({ authMethod: 'password', rows: 10 });
    try {
      const a = new pg.Client({ host: '127.0.0.1', port: md5.server.port, user: 'analyst', password: 's3cret', database: 'db' });
      await a.connect();
      expect((await a.query('select measure(count) as n from orders')).rows).toEqual([{ n: '10' }]);
      await a.end();
      const bad = new pg.Client({ host: '127.0.0.1', port: md5.server.port, user: 'analyst', password: 'wrong', database: 'db' });
      await expect(bad.connect()).rejects.toMatchObject({ code: '28P01' });
      const plain = new pg.Client({ host: '127.0.0.1', port: clear.server.port, user: 'analyst', password: 's3cret', database: 'db' });
      await expect(plain.connect()).rejects.toMatchObject({ code: '28000' });
      const tls = new pg.Client({ host: '127.0.0.1', port: clear.server.port, user: 'analyst', password: 's3cret', database: 'db', ssl: { ca: clear.cert.cert, servername: 'localhost' } });
      await tls.connect();
      expect((await tls.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
      await tls.end();
    } finally {
      await md5.close();
      await clear.close();
    }
  }, 120_000);
});
