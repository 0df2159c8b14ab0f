/**
 * psql's meta-commands against the SQL API: the real psql 15 binary end to end, and the SQL psql
 * 13, 14, 16 and 17 send for the same commands (support/psql-meta-commands.ts) replayed over the
 * simple query protocol as psql sends it. The catalog is PostgreSQL 18's: psql 15 and 16 read
 * `pg_database.daticulocale` (renamed `datlocale` in 17) for `\l`. Expected rows come from the
 * fixture's model file: its one cube, its public members and their Postgres types.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersStack, type OrdersStack } from './support/orders-fixture.ts';
import { describeTable, LIST_FUNCTIONS, LIST_SCHEMAS, listDatabases, listTables, PSQL_VERSIONS } from './support/psql-meta-commands.ts';

const run = promisify(execFile);
/** The `orders` cube of the fixture model as a table: public members in model order, then the join column. */
const ORDERS_COLUMNS: [string, string][] = [
  ['count', 'bigint'],
  ['total_amount', 'double precision'],
  ['avg_amount', 'double precision'],
  ['min_amount', 'double precision'],
  ['max_amount', 'double precision'],
  ['customers', 'bigint'],
  ['status', 'text'],
  ['city', 'text'],
  ['created_at', 'timestamp without time zone'],
  ['amount', 'double precision'],
  ['__cubeJoinField', 'text'],
];

let f: OrdersStack;
let client: pg.Client;
beforeAll(async () => {
  f = await startOrdersStack({ tls: false });
  client = new pg.Client({ host: '127.0.0.1', port: f.server.port, user: 'admin', password: 'admin_password', database: 'db' });
  await client.connect();
}, 120_000);
afterAll(async () => {
  await client?.end();
  await f?.close();
});

async function psql(command: string): Promise<string[]> {
  const { stdout } = await run('psql', ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', command, `host=127.0.0.1 port=${f.server.port} user=admin dbname=db sslmode=disable`], {
    env: { ...process.env, PGPASSWORD: 'admin_password', PGCONNECT_TIMEOUT: '10' },
  });
  return stdout.trim().split('\n');
}

describe('psql 15 (the installed binary)', () => {
  it('lists databases with \\l and \\l+', async () => {
    // The database the client connected to (db), as Postgres lists it.
    expect((await psql('\\l')).some((line) => line.startsWith('db|'))).toBe(true);
    const verbose = await psql('\\l+');
    expect(verbose.find((line) => line.startsWith('db|'))).toMatch(/\|pg_default\|/);
  });

  it('lists only the public schema with \\dn and \\dn+ (no internal schema)', async () => {
    expect(await psql('\\dn')).toEqual(['public|pg_database_owner']);
    expect((await psql('\\dn+')).filter((line) => /^\w+\|/.test(line)).map((line) => line.split('|')[0])).toEqual(['public']);
  });

  it('lists the model table with \\dt, no views with \\dv, and only MEASURE with \\df', async () => {
    expect(await psql('\\dt')).toEqual(['public|orders|table|postgres']);
    expect(await psql('\\dv')).toEqual(['']);
    expect(await psql('\\df')).toEqual(['public|measure|anyelement|anyelement|agg']);
  });

  it('describes every column with \\d and \\d+', async () => {
    const plain = await psql('\\d orders');
    expect(plain.map((line) => line.split('|').slice(0, 2))).toEqual(ORDERS_COLUMNS);
    const verbose = await psql('\\d+ orders');
    expect(verbose.find((line) => line.startsWith('total_amount|'))).toContain('|Orders Total amount');
  });
});

describe.each(PSQL_VERSIONS)('psql %i meta-commands (replayed)', (version) => {
  it('\\l lists the databases', async () => {
    const result = await client.query(listDatabases(version));
    expect(result.rows.map((r) => r.Name)).toEqual(['db', 'template0', 'template1']);
    expect(result.rows[0].Encoding).toBe('UTF8');
    if (version >= 15) expect(result.rows[0]['Locale Provider']).toBe('libc');
  });

  it('\\dt, \\dv, \\dn and \\df list the model and nothing internal', async () => {
    expect((await client.query(listTables('t'))).rows).toEqual([{ Schema: 'public', Name: 'orders', Type: 'table', Owner: 'postgres' }]);
    expect((await client.query(listTables('v'))).rows).toEqual([]);
    expect((await client.query(LIST_SCHEMAS)).rows).toEqual([{ Name: 'public', Owner: 'pg_database_owner' }]);
    expect((await client.query(LIST_FUNCTIONS)).rows.map((r) => `${r.Schema}.${r.Name}`)).toEqual(['public.measure']);
  });

  it.each([false, true])('\\d orders (verbose: %s) runs every query and lists every column', async (verbose) => {
    const { lookup, details } = describeTable(version, 'orders', verbose);
    const found = await client.query(lookup);
    expect(found.rows.map((r) => [r.nspname, r.relname])).toEqual([['public', 'orders']]);
    const oid = String(found.rows[0].oid);
    const answers = [];
    for (const sql of details) answers.push(await client.query(sql.replaceAll('{oid}', oid)));
    const [info, columns, ...footers] = answers;
    expect(info!.rows[0]).toMatchObject({ relkind: 'r', amname: 'heap' });
    expect(columns!.rows.map((r) => [r.attname, r.format_type])).toEqual(ORDERS_COLUMNS);
    if (verbose) expect(columns!.rows.find((r) => r.attname === 'total_amount').col_description).toBe('Orders Total amount');
    // No policies, statistics objects, publications, parents or children exist for a model table.
    for (const footer of footers) expect(footer.rows).toEqual([]);
  });
});
