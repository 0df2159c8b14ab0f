/**
 * The database a client connects with is the one the catalog shows, as in Postgres: psql's `\l`
 * lists it (a QA probe found `\l` listing only postgres, template0 and template1 for a client of
 * `db`), pg_database has a row for current_database(), and information_schema names it as the
 * catalog of every table. The oracle is a real Postgres with databases of the same names.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BI_PASSWORD, BI_USER, run } from './support/bi-sql-client.ts';
import { startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

const exec = promisify(execFile);
let twin: PostgresTwin;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-connected-db');
  const setup = await twin.real();
  for (const name of ['db', 'Vendas BI']) {
    await setup.query(`CREATE DATABASE "${name}"`);
    const inside = new pg.Client({ host: twin.oracle.socketDir, port: twin.oracle.port, user: twin.oracle.superuser, database: name });
    await inside.connect();
    await inside.query('CREATE TABLE vendas (nome text)');
    await inside.end();
  }
  await setup.query('CREATE USER bi');
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

async function clients(database: string): Promise<[pg.Client, pg.Client]> {
  const ours = new pg.Client({ host: '127.0.0.1', port: twin.stack.sqlPort, user: BI_USER, password: BI_PASSWORD, database });
  const real = new pg.Client({ host: twin.oracle.socketDir, port: twin.oracle.port, user: twin.oracle.superuser, database });
  await Promise.all([ours.connect(), real.connect()]);
  return [ours, real];
}

async function psqlDatabases(database: string): Promise<string[]> {
  const { stdout } = await exec('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', '\\l', `host=127.0.0.1 port=${twin.stack.sqlPort} user=${BI_USER} dbname='${database}' sslmode=disable`], {
    env: { ...process.env, PGPASSWORD: BI_PASSWORD, PGCONNECT_TIMEOUT: '10' },
  });
  return stdout.trim().split('\n').map((line) => line.split('|')[0]!).filter((name) => name !== '');
}

describe('the connected database in the catalog', () => {
  it("psql's \\l lists the database the client connected to", async () => {
    expect(await psqlDatabases('db')).toContain('db');
    const other = await psqlDatabases('Vendas BI');
    expect(other).toContain('Vendas BI');
    expect(other).not.toContain('db');
  });

  for (const database of ['db', 'Vendas BI']) {
    it(`answers catalog reads of database names as Postgres does for a client of "${database}"`, async () => {
      const [ours, real] = await clients(database);
      try {
        for (const text of [
          'SELECT datname, datallowconn, datistemplate FROM pg_catalog.pg_database WHERE datname = current_database()',
          "SELECT DISTINCT table_catalog FROM information_schema.tables WHERE table_schema = 'public'",
          'SELECT catalog_name FROM information_schema.information_schema_catalog_name',
          'SELECT current_database(), current_catalog',
        ]) {
          const [a, b] = [await run(ours, text), await run(real, text)];
          expect(b.ok, JSON.stringify(b)).toBe(true);
          expect(a, text).toEqual(b);
        }
      } finally {
        await Promise.all([ours.end(), real.end()]);
      }
    });
  }
});
