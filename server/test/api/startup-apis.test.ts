/**
 * `main.ts` as `npm start` runs it serves REST, GraphQL and the Postgres-wire SQL API from one
 * process: a real `pg` client logs in (SCRAM over TLS with CUBEJS_SQL_USER/PASSWORD in
 * production; anyone in dev mode), its aggregate equals REST's, GraphQL's equals REST's, the SQL
 * API follows model hot reload, and SIGTERM closes every port.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { makeCert } from '../support/make-cert.ts';
import { CORPUS_MODEL_DIR } from '../fixtures/cube-corpus.ts';
import { cleanEnv, runMain } from './support/run-main.ts';
import { corpusDatabase } from '../support/stack.ts';

const SQL_LINE = /SQL API \(Postgres wire\): postgres:\/\/127\.0\.0\.1:(\d+)\/db/;
const REST_LINE = /REST API: (http:\/\/\S+?)\/cubejs-api\/v1/;
const byCity = { measures: ['ECommerce.count'], dimensions: ['ECommerce.city'], order: { 'ECommerce.city': 'asc' } };

async function rest(url: string, query: object, token?: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, { headers: token ? { authorization: token } : {} });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Record<string, unknown>[] }).data;
}

async function graphql(url: string, query: string, token?: string): Promise<{ cube: Record<string, Record<string, unknown>>[] }> {
  const res = await fetch(`${url}/cubejs-api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data: { cube: Record<string, Record<string, unknown>>[] }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function sql(config: pg.ClientConfig, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const isPortOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm start serves REST, GraphQL and the SQL API', () => {
  it('in production: SCRAM over TLS for CUBEJS_SQL_USER, the same aggregate as REST and GraphQL, all ports closed on SIGTERM', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'startup-apis-'));
    const cert = await makeCert(cwd);
    const secret = 'startup-apis-secret-0123456789abcdef';
    const proc = runMain(cwd, cleanEnv({
      CUBEJS_API_SECRET: secret,
      CUBEJS_SCHEMA_PATH: CORPUS_MODEL_DIR,
      CUBEJS_DB_DUCKDB_DATABASE_PATH: await corpusDatabase(),
      PORT: '0',
      CUBEJS_PG_SQL_PORT: '0',
      CUBEJS_SQL_USER: 'analyst',
      CUBEJS_SQL_PASSWORD: 'pw-for-analyst',
      CUBEJS_PG_SQL_TLS_CERT: cert.certFile,
      CUBEJS_PG_SQL_TLS_KEY: path.join(cwd, 'key.pem'),
      CUBEJS_LOG_LEVEL: 'warn',
    }));
    try {
      const url = (await proc.waitFor(REST_LINE))[1]!;
      const port = Number((await proc.waitFor(SQL_LINE))[1]);
      expect(proc.output()).toMatch(/\(TLS\); login: user "analyst"/);
      expect(proc.output()).toMatch(/GraphQL API: http:\/\/\S+\/cubejs-api\/graphql/);
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

      const restRows = (await rest(url, byCity, token)).map((r) => [r['ECommerce.city'], Number(r['ECommerce.count'])]);
      expect(restRows.length).toBeGreaterThan(1);
      const gql = await graphql(url, '{ cube(orderBy: { eCommerce: { city: asc } }) { eCommerce { city count } } }', token);
      expect(gql.cube.map((r) => [r.eCommerce!.city, Number(r.eCommerce!.count)])).toEqual(restRows);

      const login = { host: 'localhost', port, user: 'analyst', password: 'pw-for-analyst', database: 'db', ssl: { ca: cert.cert, servername: 'localhost' } };
      const sqlRows = await sql(login, 'SELECT city, MEASURE(count) AS n FROM "ECommerce" GROUP BY 1 ORDER BY 1');
      expect(sqlRows.map((r) => [r.city, Number(r.n)])).toEqual(restRows);
      await expect(sql({ ...login, password: 'wrong' }, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
      await expect(sql({ ...login, user: 'someone-else' }, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(await isPortOpen(port)).toBe(false);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });

  it('in dev mode: any login is accepted (and said so), and a cube added to the model becomes a table for new connections', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'startup-apis-dev-'));
    const modelDir = path.join(cwd, 'model');
    await cp(CORPUS_MODEL_DIR, modelDir, { recursive: true });
    const proc = runMain(cwd, cleanEnv({
      CUBEJS_DEV_MODE: 'true',
      CUBEJS_SCHEMA_PATH: modelDir,
      CUBEJS_DB_DUCKDB_DATABASE_PATH: await corpusDatabase(),
      PORT: '0',
      CUBEJS_PG_SQL_PORT: '0',
      CUBEJS_LOG_LEVEL: 'warn',
    }));
    try {
      const url = (await proc.waitFor(REST_LINE))[1]!;
      const port = Number((await proc.waitFor(SQL_LINE))[1]);
      expect(proc.output()).toMatch(/login: ANY user and password accepted with the development security context \{"groups":\["internal"\]\}/);
      const anyone = { host: '127.0.0.1', port, user: 'whoever', password: 'whatever', database: 'anything' };
      const [restCount] = await rest(url, { measures: ['Customers.count'] });
      const [sqlCount] = await sql(anyone, 'SELECT MEASURE(count) AS n FROM "Customers"');
      expect(Number(sqlCount!.n)).toBe(Number(restCount!['Customers.count']));

      await writeFile(path.join(modelDir, 'zz_added.yml'), 'cubes:\n  - name: AddedCustomers\n    sql_table: customers\n    measures:\n      - { name: how_many, type: count }\n');
      const deadline = Date.now() + 30_000;
      let added: Record<string, unknown>[] | undefined;
      while (!added && Date.now() < deadline) {
        added = await sql(anyone, 'SELECT MEASURE(how_many) AS n FROM "AddedCustomers"').catch(() => undefined);
        if (!added) await new Promise((r) => setTimeout(r, 300));
      }
      expect(added, proc.output()).toBeDefined();
      expect(Number(added![0]!.n)).toBe(Number(restCount!['Customers.count']));

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  });
});
