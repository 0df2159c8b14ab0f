/**
 * The SQL API client suites' fixture: an `orders` table of deterministic rows, a Cube model over
 * it, two users with role contexts, and a stack over them from support/stack.ts (the SQL API on a
 * real socket, with TLS from a self-signed certificate unless `tls: false`); every engine call the
 * SQL API makes is recorded in `calls`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { SemanticModel } from '../../../src/model/model-types.ts';
import type { SqlServer } from '../../../src/api/sql/start-sql-server.ts';
import type { SqlAuthMethod } from '../../../src/api/sql/auth/sql-auth-types.ts';
import type { SemanticEngine } from '../../../src/engine/engine-types.ts';
import { startStack, type Stack } from '../../support/stack.ts';
import { makeCert } from '../../support/make-cert.ts';
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

/** The `orders` table holding `orderRows(n)`, as setup SQL for `startStack({ data: { sql } })`. */
export function ordersSql(n: number): string {
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const values = orderRows(n).map(([id, status, city, created, amount, customer]) => `(${id}, ${quote(status)}, ${quote(city)}, TIMESTAMP ${quote(created)}, ${amount}, ${quote(customer)})`);
  return `CREATE TABLE main.orders (id INTEGER, status VARCHAR, city VARCHAR, created_at TIMESTAMP, amount DOUBLE, customer VARCHAR);
INSERT INTO main.orders VALUES ${values.join(',\n')};`;
}

export const USERS: Record<string, { password: string; context: Record<string, unknown> }> = {
  admin: { password: 'admin_password', context: { role: 'admin' } },
  analyst: { password: 's3cret', context: { role: 'analyst' } },
};

export interface OrdersStack {
  readonly stack: Stack;
  /** A connection to the source file, for hand-written SQL (the independent answers). */
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

export async function startOrdersStack(options: { rows?: number; authMethod?: SqlAuthMethod; tls?: boolean } = {}): Promise<OrdersStack> {
  const cert = await makeCert(await mkdtemp(join(tmpdir(), 'sql-api-')));
  const calls: EngineCall[] = [];
  const stack = await startStack({
    data: { sql: ordersSql(options.rows ?? 500) },
    model: { files: { 'cubes/orders.yml': ORDERS_MODEL } },
    wrapEngine: (engine) => recordEngineCalls(engine, calls),
    serve: {
      sql: {
        users: Object.fromEntries(Object.entries(USERS).map(([user, u]) => [user, { password: u.password, securityContext: u.context }])),
        authMethod: options.authMethod,
        tls: options.tls === false ? undefined : { cert: cert.cert, key: cert.key },
      },
    },
  });
  const db = await (await DuckDBInstance.fromCache(stack.duckdbPath)).connect();
  return {
    stack, db, model: stack.engine.currentModel(), engine: stack.engine, calls, server: stack.sqlServer!, cert,
    async close() {
      db.closeSync();
      await stack.close();
    },
  };
}
