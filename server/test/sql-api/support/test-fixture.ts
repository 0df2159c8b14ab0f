/**
 * Fixture for the SQL API suites: an `orders` table in an in-memory DuckDB, a Cube model over it
 * (written to a temp dir and compiled by the real model compiler), the real semantic engine over
 * that DuckDB (every call it answers recorded in `calls`), a self-signed certificate made with the
 * openssl CLI, and a running SQL API server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { loadModel } from '../../../src/model/compile-model.ts';
import type { SemanticModel } from '../../../src/model/model-types.ts';
import { startSqlServer, type SqlServer } from '../../../src/api/sql/start-sql-server.ts';
import type { SqlAuthMethod } from '../../../src/api/sql/auth/sql-auth-types.ts';
import { createEngine } from '../../../src/engine/create-engine.ts';
import type { SemanticEngine } from '../../../src/engine/engine-types.ts';
import { DuckDbDriver } from '../../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { recordEngineCalls, type EngineCall } from './record-engine-calls.ts';

export const ORDERS_MODEL = `cubes:
  - name: orders
    sql_table: main.orders
    title: Orders
    description: One row per order line
    measures:
      - name: count
        type: count
      - name: total_amount
        sql: "{CUBE}.amount"
        type: sum
        title: Total amount
      - name: avg_amount
        sql: amount
        type: avg
      - name: min_amount
        sql: amount
        type: min
      - name: max_amount
        sql: amount
        type: max
      - name: customers
        sql: customer
        type: count_distinct
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: status
        sql: "{CUBE}.status"
        type: string
        description: Order status
      - name: city
        sql: city
        type: string
      - name: created_at
        sql: created_at
        type: time
      - name: amount
        sql: amount
        type: number
`;

/** Deterministic order rows: id, status, city, created_at, amount, customer. */
export function orderRows(n: number): [number, string, string, string, number, string][] {
  const statuses = ['paid', 'shipped', 'cancelled'];
  const cities = ['Recife', 'Salvador', "Sao Paulo", 'Porto Alegre'];
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1) + (i % 200) * 86_400_000 + (i % 24) * 3_600_000);
    return [i + 1, statuses[i % 3]!, cities[i % 4]!, day.toISOString().slice(0, 19).replace('T', ' '), Math.round(((i * 37) % 1000) * 1.25 * 100) / 100, `c${i % 17}`];
  });
}

export interface Fixture {
  readonly dir: string;
  readonly db: DuckDBConnection;
  readonly model: SemanticModel;
  /** The engine the SQL API answers from (REST's engine: the same answers, for comparisons). */
  readonly engine: SemanticEngine;
  /** What the SQL API asked the engine, in order. */
  readonly calls: readonly EngineCall[];
  readonly server: SqlServer;
  readonly cert: { cert: string; key: string; certFile: string };
  close(): Promise<void>;
}

export const USERS: Record<string, { password: string; context: Record<string, unknown> }> = {
  admin: { password: 'admin_password', context: { role: 'admin' } },
  analyst: { password: 's3cret', context: { role: 'analyst' } },
};

export async function makeCert(dir: string): Promise<{ cert: string; key: string; certFile: string }> {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile };
}

export async function startFixture(options: { rows?: number; authMethod?: SqlAuthMethod; tls?: boolean } = {}): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sql-api-'));
  await mkdir(join(dir, 'model', 'cubes'), { recursive: true });
  await writeFile(join(dir, 'model', 'cubes', 'orders.yml'), ORDERS_MODEL);
  const model = await loadModel(join(dir, 'model'));
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run('CREATE TABLE main.orders (id INTEGER, status VARCHAR, city VARCHAR, created_at TIMESTAMP, amount DOUBLE, customer VARCHAR)');
  const appender = await db.createAppender('orders');
  for (const [id, status, city, created, amount, customer] of orderRows(options.rows ?? 500)) {
    appender.appendInteger(id);
    appender.appendVarchar(status);
    appender.appendVarchar(city);
    appender.appendVarchar(created);
    appender.appendDouble(amount);
    appender.appendVarchar(customer);
    appender.endRow();
  }
  appender.closeSync();
  const calls: EngineCall[] = [];
  const engine = recordEngineCalls(createEngine({ model, driver: DuckDbDriver.fromInstance(instance), dialect: createDuckDbDialect() }), calls);
  const cert = await makeCert(dir);
  const server = await startSqlServer({
    port: 0,
    host: '127.0.0.1',
    engine,
    model,
    authMethod: options.authMethod,
    tls: options.tls === false ? undefined : { cert: cert.cert, key: cert.key },
    checkSqlAuth: (user) => {
      const u = USERS[user];
      return u ? { password: u.password, securityContext: u.context } : null;
    },
  });
  return {
    dir,
    db,
    model,
    engine,
    calls,
    server,
    cert,
    async close() {
      await server.close();
      db.closeSync();
    },
  };
}
