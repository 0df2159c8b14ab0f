/**
 * COMPILE_CONTEXT and models per app id: a JavaScript model (also through asyncModule) and a Jinja
 * model that read `COMPILE_CONTEXT.securityContext` compile once per app id (`contextToAppId`), are
 * cached per app, and a real engine answers each tenant from its own model: equal to hand-written
 * SQL restricted to that tenant. A model that does not read COMPILE_CONTEXT is compiled once. The
 * engine and GraphQL are a production stack (support/stack.ts) whose cube.config.ts maps a tenant to
 * its app id, as a user configures it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext, SemanticEngine } from '../../src/engine/engine-types.ts';
import { openModel } from '../../src/model/open-model.ts';
import { queryDuckDb, startStack, type Stack } from '../support/stack.ts';

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

const SECRET = 'compile-context-test-secret-32-bytes!';

/** The server's configuration file: one app per tenant (Cube's `contextToAppId`). */
const CONFIG_TS = 'export default { contextToAppId: ({ securityContext }: { securityContext: Record<string, unknown> }) => `app_${String(securityContext.tenant)}` };\n';

let configDir: string;
let stack: Stack;
let engine: SemanticEngine;

const as = (tenant: string, extra: Record<string, unknown> = {}): RequestContext => ({ securityContext: { tenant, ...extra }, requestId: 'compile-context', api: 'internal' });

/** A production stack over the tenants' rows serving `files`, configured by CONFIG_TS. */
function tenantStack(files: Record<string, string>): Promise<Stack> {
  return startStack({ data: { sql: SETUP }, model: { files }, security: { secret: SECRET }, env: { CUBEJS_CONFIG_PATH: path.join(configDir, 'cube.config.ts') } });
}

beforeAll(async () => {
  configDir = await mkdtemp(path.join(os.tmpdir(), 'compile-context-'));
  await writeFile(path.join(configDir, 'cube.config.ts'), CONFIG_TS);
  stack = await tenantStack({ 'cubes/orders.js': ORDERS_JS, 'cubes/per-tenant.js': PER_TENANT_JS, 'cubes/tenant.yml': TENANT_YML });
  engine = stack.engine;
});

afterAll(async () => {
  await stack?.close();
  await rm(configDir, { recursive: true, force: true });
});

async function one(query: Record<string, unknown>, ctx: RequestContext): Promise<Record<string, unknown>> {
  const result = (await engine.load(query, ctx)).results[0]!;
  return Object.fromEntries(result.columns.map((c, i) => [c.name, result.data[i]![0] === null ? null : Number.isNaN(Number(result.data[i]![0])) ? result.data[i]![0] : Number(result.data[i]![0])]));
}

async function handSql(text: string): Promise<Record<string, unknown>> {
  const row = (await queryDuckDb(stack.duckdbPath, text))[0]!;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : Number(v)]));
}

describe('COMPILE_CONTEXT: one model per app id', () => {
  it('the model reads COMPILE_CONTEXT, so it is compiled per app', async () => {
    const acme = await engine.modelOf(as('acme'));
    expect(acme).not.toBe(engine.currentModel());
    expect(acme.cubes.orders!.sql).toEqual([{ kind: 'text', text: "SELECT * FROM orders WHERE tenant = 'acme'" }]);
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
    const first = await engine.modelOf(as('acme'));
    const again = await engine.modelOf(as('acme', { user: 'someone else' }));
    const other = await engine.modelOf(as('globex'));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(other.version).not.toBe(first.version);
    expect(engine.currentModel().cubes.orders!.sql).toEqual([{ kind: 'text', text: "SELECT * FROM orders WHERE tenant = 'undefined'" }]);
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
    const tokenOf = (tenant: string) => new SignJWT({ tenant }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(new TextEncoder().encode(SECRET));
    const ask = async (tenant: string, query: string) => request(stack.server.app).post('/cubejs-api/graphql').set('Authorization', await tokenOf(tenant)).send({ query });
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
    const recipe = await tenantStack({
      'model.yml': `cubes:
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
    });
    try {
      expect(Object.keys(recipe.engine.currentModel().cubes)).toEqual([]);
      // Without an app the model is invalid: the model loader says why (the server logs it).
      const errors: unknown[] = [];
      await openModel({ directory: recipe.modelDir, watch: false }, { onError: (e) => errors.push(e) }, { contextToAppId: () => 'others' });
      expect(String((errors[0] as Error).message)).toMatch(/public/);
      const publicFlags = async (securityContext: Record<string, unknown>) =>
        Object.fromEntries(((await recipe.engine.meta({ securityContext, requestId: 'recipe', api: 'internal' })) as { cubes: { name: string; public: boolean }[] }).cubes.map((c) => [c.name, c.public]));
      // One app per tenant (CONFIG_TS): the finance tenant and another.
      expect(await publicFlags({ tenant: 'finance', isFinance: true })).toEqual({ orders: true, finance_orders: true });
      expect(await publicFlags({ tenant: 'others', isFinance: false })).toEqual({ orders: true, finance_orders: false });
      const result = (await recipe.engine.load({ measures: ['finance_orders.count'] }, { securityContext: { tenant: 'finance', isFinance: true }, requestId: 'recipe', api: 'internal' })).results[0]!;
      expect(Number(result.data[0]![0])).toEqual((await handSql('SELECT count(*) AS c FROM orders')).c);
    } finally {
      await recipe.close();
    }
  });
});
