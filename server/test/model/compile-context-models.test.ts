/**
 * COMPILE_CONTEXT and models per app id: a JavaScript model (also through asyncModule) and a Jinja
 * model that read `COMPILE_CONTEXT.securityContext` compile once per app id (`contextToAppId`), are
 * cached per app, and a real engine answers each tenant from its own model: equal to hand-written
 * SQL restricted to that tenant. A model that does not read COMPILE_CONTEXT is compiled once.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbDriver } from '../../src/drivers/duckdb-driver.ts';
import { createDuckDbDialect } from '../../src/sql/dialects/duckdb/duckdb-dialect.ts';
import { createEngine } from '../../src/engine/create-engine.ts';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { openModel, type OpenModel } from '../../src/model/open-model.ts';
import express from 'express';
import request from 'supertest';
import { createGraphqlRouter } from '../../src/api/graphql/graphql-router.ts';

const SETUP = `
CREATE TABLE orders (id INTEGER, tenant VARCHAR, amount INTEGER);
INSERT INTO orders VALUES (1, 'acme', 10), (2, 'acme', 20), (3, 'globex', 5), (4, 'globex', 7), (5, 'globex', 9), (6, 'initech', 100);
`;

const ORDERS_JS = `// one cube whose SQL depends on the tenant being compiled
const tenant = COMPILE_CONTEXT.securityContext.tenant;

cube(\`orders\`, {
  sql: \`SELECT * FROM orders WHERE tenant = '\${tenant}'\`,
  measures: {
    count: { type: \`count\` },
    amount: { sql: \`amount\`, type: \`sum\` },
  },
  dimensions: {
    id: { sql: \`id\`, type: \`number\`, primary_key: true },
  },
});
`;

const PER_TENANT_JS = `// cubes generated per tenant by asyncModule, from COMPILE_CONTEXT
asyncModule(async () => {
  const { tenant } = COMPILE_CONTEXT.securityContext;
  const extra = await Promise.resolve(tenant === 'globex' ? ['big_orders'] : []);
  for (const name of extra) {
    cube(name, {
      sql: \`SELECT * FROM orders WHERE tenant = '\${tenant}' AND amount > 6\`,
      measures: { count: { type: 'count' } },
    });
  }
});
`;

const TENANT_YML = `cubes:
  - name: tenant_info
    sql: "SELECT '{{ COMPILE_CONTEXT.securityContext.tenant }}' AS tenant, '{{ COMPILE_CONTEXT.appId }}' AS app"
    dimensions:
      - { name: tenant, sql: tenant, type: string, primary_key: true, public: true }
      - { name: app, sql: app, type: string }
`;

let dir: string;
let instance: DuckDBInstance;
let driver: DuckDbDriver;
let opened: OpenModel;
let engine: SemanticEngine;
const appIds: string[] = [];

const as = (tenant: string, extra: Record<string, unknown> = {}): RequestContext => ({ securityContext: { tenant, ...extra }, requestId: 'compile-context', api: 'internal' });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'compile-context-'));
  await mkdir(path.join(dir, 'cubes'));
  await writeFile(path.join(dir, 'cubes', 'orders.js'), ORDERS_JS);
  await writeFile(path.join(dir, 'cubes', 'per-tenant.js'), PER_TENANT_JS);
  await writeFile(path.join(dir, 'cubes', 'tenant.yml'), TENANT_YML);
  instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(SETUP);
  connection.closeSync();
  driver = DuckDbDriver.fromInstance(instance);
  opened = await openModel(
    { directory: dir, watch: false },
    {},
    {
      contextToAppId: ({ securityContext }) => {
        const id = `app_${String(securityContext.tenant)}`;
        appIds.push(id);
        return id;
      },
    },
  );
  engine = createEngine({ model: () => opened.current(), modelFor: (sc) => opened.modelFor(sc), driver, dialect: createDuckDbDialect() });
});

afterAll(async () => {
  await driver.close();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function one(query: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown>> {
  const result = (await engine.load(query, ctx)).results[0]!;
  return Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![0] === null ? null : Number.isNaN(Number(result.data[i]![0])) ? result.data[i]![0] : Number(result.data[i]![0])]));
}

async function handSql(text: string): Promise<Record<string, unknown>> {
  const connection = await instance.connect();
  try {
    const row = (await connection.runAndReadAll(text)).getRowObjectsJson()[0] as Record<string, unknown>;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : Number(v)]));
  } finally {
    connection.closeSync();
  }
}

describe('COMPILE_CONTEXT: one model per app id', () => {
  it('the model reads COMPILE_CONTEXT, so it is compiled per app', () => {
    expect(opened.perApp()).toBe(true);
  });

  it('each tenant is answered from its own model: equal to hand-written SQL for that tenant', async () => {
    for (const tenant of ['acme', 'globex', 'initech']) {
      expect(await one({ measures: ['orders.count', 'orders.amount'] }, as(tenant))).toEqual(
        await handSql(`SELECT count(*) AS "orders.count", sum(amount) AS "orders.amount" FROM orders WHERE tenant = '${tenant}'`),
      );
    }
  });

  it('asyncModule sees COMPILE_CONTEXT: only globex gets its generated cube', async () => {
    expect(await one({ measures: ['big_orders.count'] }, as('globex'))).toEqual(await handSql(`SELECT count(*) AS "big_orders.count" FROM orders WHERE tenant = 'globex' AND amount > 6`));
    await expect(engine.load({ measures: ['big_orders.count'] }, as('acme'))).rejects.toThrow(/big_orders/);
    const meta = (await engine.meta(as('acme'))) as { cubes: { name: string }[] };
    expect(meta.cubes.map((c) => c.name).sort()).toEqual(['orders', 'tenant_info']);
  });

  it('Jinja templates see COMPILE_CONTEXT (security context and app id)', async () => {
    const result = (await engine.load({ dimensions: ['tenant_info.tenant', 'tenant_info.app'] }, as('initech'))).results[0]!;
    expect(result.data.map((column) => column[0])).toEqual(['initech', 'app_initech']);
  });

  it('a model is compiled once per app id and cached (same app, other claims: same model)', async () => {
    const first = await opened.modelFor({ tenant: 'acme' });
    const again = await opened.modelFor({ tenant: 'acme', user: 'someone else' });
    const other = await opened.modelFor({ tenant: 'globex' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(other.version).not.toBe(first.version);
    expect(opened.current().cubes.orders!.sql).toEqual([{ kind: 'text', text: "SELECT * FROM orders WHERE tenant = 'undefined'" }]);
  });

  it('a model without COMPILE_CONTEXT is compiled once, whatever contextToAppId says', async () => {
    const plain = await mkdtemp(path.join(os.tmpdir(), 'compile-context-plain-'));
    try {
      await writeFile(path.join(plain, 'a.yml'), 'cubes:\n  - name: a\n    sql_table: orders\n    measures:\n      - { name: count, type: count }\n');
      const single = await openModel({ directory: plain, watch: false }, {}, { contextToAppId: ({ securityContext }) => String(securityContext.tenant) });
      expect(single.perApp()).toBe(false);
      expect(await single.modelFor({ tenant: 'x' })).toBe(single.current());
      expect(await single.modelFor({ tenant: 'y' })).toBe(single.current());
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('GraphQL shows and answers each tenant its own model, like load', async () => {
    const app = express();
    app.use(express.json());
    app.use('/graphql', createGraphqlRouter({ engine, getRequestContext: (req) => as(String(req.get('x-tenant'))), devMode: false }));
    const ask = (tenant: string, query: string) => request(app).post('/graphql').set('x-tenant', tenant).send({ query });
    const globex = await ask('globex', '{ cube { big_orders { count } } }');
    expect(globex.status, JSON.stringify(globex.body)).toBe(200);
    const want = await handSql(`SELECT count(*) AS c FROM orders WHERE tenant = 'globex' AND amount > 6`);
    expect(Number(globex.body.data.cube[0].big_orders.count)).toBe(want.c);
    // acme's model has no big_orders cube: its schema does not offer it.
    const acme = await ask('acme', '{ cube { big_orders { count } } }');
    expect(acme.status).toBe(400);
    expect(acme.body.errors[0].message).toMatch(/Cannot query field "big_orders"/);
    const acmeOrders = await ask('acme', '{ cube { orders { count } } }');
    expect(Number(acmeOrders.body.data.cube[0].orders.count)).toBe((await handSql(`SELECT count(*) AS c FROM orders WHERE tenant = 'acme'`)).c);
  });

  it("Cube's recipe public: {{ COMPILE_CONTEXT... }} works per app; the model is valid only per app", async () => {
    const recipe = await mkdtemp(path.join(os.tmpdir(), 'compile-context-recipe-'));
    try {
      await writeFile(
        path.join(recipe, 'model.yml'),
        `cubes:
  - name: orders
    sql_table: orders
    measures:
      - { name: count, type: count }
    dimensions:
      - { name: id, sql: id, type: number, primary_key: true }
views:
  - name: finance_orders
    public: {{ COMPILE_CONTEXT['securityContext']['isFinance'] }}
    cubes:
      - join_path: orders
        includes: [count]
`,
      );
      const errors: unknown[] = [];
      const perApp = await openModel({ directory: recipe, watch: false }, { onError: (e) => errors.push(e) }, { contextToAppId: ({ securityContext }) => (securityContext.isFinance ? 'finance' : 'others') });
      expect(Object.keys(perApp.current().cubes)).toEqual([]);
      expect(String((errors[0] as Error).message)).toMatch(/public/);
      const recipeEngine = createEngine({ model: () => perApp.current(), modelFor: (sc) => perApp.modelFor(sc), driver, dialect: createDuckDbDialect() });
      const publicFlags = async (securityContext: Record<string, unknown>) =>
        Object.fromEntries(((await recipeEngine.meta({ securityContext, requestId: 'recipe', api: 'internal' })) as { cubes: { name: string; public: boolean }[] }).cubes.map((c) => [c.name, c.public]));
      expect(await publicFlags({ isFinance: true })).toEqual({ orders: true, finance_orders: true });
      expect(await publicFlags({ isFinance: false })).toEqual({ orders: true, finance_orders: false });
      const result = (await recipeEngine.load({ measures: ['finance_orders.count'] }, { securityContext: { isFinance: true }, requestId: 'recipe', api: 'internal' })).results[0]!;
      expect(Number(result.data[0]![0])).toEqual((await handSql('SELECT count(*) AS c FROM orders')).c);
    } finally {
      await rm(recipe, { recursive: true, force: true });
    }
  });
});
