/**
 * Deny by default, over the shipped model and real sockets (REST, GraphQL, the Postgres-wire SQL
 * API with a real `pg` client): a security context whose groups the server cannot read — no claim,
 * `groups: ""`, or groups under another claim (`roles`, `role`, `group`, Auth0's namespaced claim,
 * Cognito's `cognito:groups`, a nested claim) — is refused every member of the model (403 / 42501
 * naming it), gets a `/meta` with no cube, a GraphQL schema with no cube and a SQL catalog with no
 * table. Once `contextToGroups` in a `cube.config.ts` maps that claim (the one-liners of
 * docs/security.md), the same store manager sees exactly their store's rows in every API — equal to
 * SQL written by hand on the gold tables — and still no customer-identifying member. Dev mode's
 * callers without credentials get the explicit development context, which the model grants in full.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getIntrospectionQuery } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { startConfiguredSqlApi } from '../../src/api/sql/start-configured-sql-api.ts';
import type { SemanticModel } from '../../src/model/model-types.ts';
import { goldDatabaseFile, queryGold, rowSet, sign, SECRET } from './support/security-fixture.ts';
import { serveSql, startStack, type Stack } from '../support/stack.ts';

const AUTH0_ROLES = 'https://loja.example.com/roles';

/** The store manager of L002 in each claim shape an identity provider may use, none of them `groups`. */
const MANAGER_SHAPES: Record<string, { claims: Record<string, unknown>; claim: string | string[] }> = {
  'roles array': { claims: { roles: ['gerente_loja'] }, claim: 'roles' },
  'single role string': { claims: { role: 'gerente_loja' }, claim: 'role' },
  'Auth0 namespaced claim': { claims: { [AUTH0_ROLES]: ['gerente_loja'] }, claim: AUTH0_ROLES },
  'Cognito cognito:groups': { claims: { 'cognito:groups': ['gerente_loja'] }, claim: 'cognito:groups' },
  'nested claim (Keycloak realm_access.roles)': { claims: { realm_access: { roles: ['gerente_loja'] } }, claim: ['realm_access', 'roles'] },
};

/** Contexts whose groups the default contextToGroups cannot read. */
const UNREADABLE: Record<string, Record<string, unknown>> = {
  'no claims at all': {},
  'groups: ""': { sub: 'x', groups: '', lojas: ['L002'] },
  'group (singular) string': { sub: 'x', group: 'gerente_loja', lojas: ['L002'] },
  'groups as an object': { sub: 'x', groups: { gerente_loja: true }, lojas: ['L002'] },
  ...Object.fromEntries(Object.entries(MANAGER_SHAPES).map(([shape, { claims }]) => [shape, { sub: 'maria', ...claims, lojas: ['L002'] }])),
};

const L002_BY_CHANNEL = `SELECT l.loja_id, c.nome, count(*) AS n FROM gold.fato_vendas f
  JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk WHERE l.loja_id = 'L002' GROUP BY 1, 2`;

let gold: string;
let expectedL002: string[];
let allSales: number;

beforeAll(async () => {
  gold = await goldDatabaseFile();
  const rows = await queryGold(gold, L002_BY_CHANNEL);
  expectedL002 = rowSet(rows.map((r) => [r.loja_id, r.nome, Number(r.n)]));
  const [all] = await queryGold(gold, 'SELECT count(*) AS n FROM gold.fato_vendas');
  allSales = Number(all!.n);
  // Honesty of the fixture: L002 has sales, and other stores too, so "exactly their store" can fail.
  expect(expectedL002.length).toBeGreaterThan(0);
  expect(rows.reduce((sum, r) => sum + Number(r.n), 0)).toBeLessThan(allSales);
}, 60_000);

/**
 * Every queryable member of the model, as a query naming it first: measures, dimensions, segments
 * of cubes and views. A segment alone is no query, so it comes with a time dimension, which access
 * checks after segments. `public: false` members (primary keys) are refused to everyone (400
 * HIDDEN_MEMBER) before access is decided, so they are left out.
 */
function everyMemberQuery(model: SemanticModel): { member: string; query: Record<string, unknown> }[] {
  const out: { member: string; query: Record<string, unknown> }[] = [];
  const queryOf = (kind: string, path: string) =>
    kind === 'measure' ? { measures: [path] } : kind === 'dimension' ? { dimensions: [path] } : { segments: [path], timeDimensions: [{ dimension: 'dim_tempo.data', granularity: 'day' }] };
  for (const cube of Object.values(model.cubes)) {
    for (const m of [...Object.values(cube.measures), ...Object.values(cube.dimensions), ...Object.values(cube.segments)]) {
      if (cube.public && m.public) out.push({ member: m.path, query: queryOf(m.kind, m.path) });
    }
  }
  for (const view of Object.values(model.views)) {
    for (const m of Object.values(view.members)) {
      const [cubeName, name] = m.target.split('.') as [string, string];
      const target = model.cubes[cubeName]!;
      const targetPublic = (target.measures[name] ?? target.dimensions[name] ?? target.segments[name])!.public;
      if (view.public && (m.public ?? targetPublic)) out.push({ member: m.path, query: queryOf(m.kind, m.path) });
    }
  }
  return out;
}

async function rest(url: string, route: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/cubejs-api/v1/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function graphql(url: string, query: string, token: string | undefined): Promise<{ status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string }[] } }> {
  const res = await fetch(`${url}/cubejs-api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/** Fields of the GraphQL `Result` type (one per cube and view the caller may query). */
async function graphqlCubes(url: string, token: string | undefined): Promise<string[]> {
  const res = await graphql(url, getIntrospectionQuery(), token);
  expect(res.status).toBe(200);
  const types = (res.body.data as { __schema: { types: { name: string; fields: { name: string }[] | null }[] } }).__schema.types;
  return types.find((t) => t.name === 'Result')?.fields?.map((f) => f.name) ?? [];
}

async function withSql<T>(port: number, user: string, password: string, run: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'db' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function sqlError(c: pg.Client, sql: string): Promise<{ code?: string; message: string }> {
  return c.query(sql).then(
    () => { throw new Error(`expected ${sql} to fail`); },
    (e: { code?: string; message: string }) => e,
  );
}

async function publicTables(c: pg.Client): Promise<string[]> {
  const tables = await c.query("SELECT DISTINCT table_name AS t FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1");
  const classes = await c.query("SELECT c.relname AS t FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') ORDER BY 1");
  return [...new Set([...tables.rows, ...classes.rows].map((r: { t: string }) => r.t))];
}

describe('without a mapping, a context whose groups cannot be read sees nothing', () => {
  let stack: Stack;
  let sql: SqlServer;
  const users = new Map(Object.keys(UNREADABLE).map((shape, i) => [`u${i}`, shape]));

  beforeAll(async () => {
    stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
    sql = await serveSql(stack.engine, { users: Object.fromEntries([...users].map(([user, shape]) => [user, { password: 'pw', securityContext: UNREADABLE[shape]! }])) });
  }, 120_000);
  afterAll(async () => {
    await sql?.close();
    await stack?.close();
  });

  it('REST refuses every member of the model with 403 naming it, for every claim shape', async () => {
    const queries = everyMemberQuery(stack.engine.currentModel());
    expect(queries.length).toBeGreaterThan(100);
    for (const [shape, claims] of Object.entries(UNREADABLE)) {
      const token = await sign(claims);
      for (const { member, query } of queries) {
        const res = await rest(stack.url, 'load', token, { query });
        expect(res.status, `${shape}: ${member}`).toBe(403);
        expect(String(res.body.error), `${shape}: ${member}`).toContain(`Access denied: ${member}`);
        expect(String(res.body.error)).toContain('security context groups: none');
      }
      const sqlRoute = await rest(stack.url, 'sql', token, { query: { measures: ['vendas.count'] } });
      expect(sqlRoute.status, shape).toBe(403);
    }
  }, 120_000);

  it('REST /meta lists no cube or view, GraphQL exposes none, for every claim shape', async () => {
    for (const [shape, claims] of Object.entries(UNREADABLE)) {
      const token = await sign(claims);
      const meta = await rest(stack.url, 'meta', token);
      expect(meta.status, shape).toBe(200);
      expect(meta.body.cubes, shape).toEqual([]);
      for (const query of [getIntrospectionQuery(), '{ cube { fato_vendas { count } } }', '{ __typename }']) {
        const res = await graphql(stack.url, query, token);
        expect(res.status, shape).toBe(403);
        expect(res.body.data ?? null).toBeNull();
        expect(res.body.errors?.[0]?.message, shape).toMatch(/Access denied: the access policies grant this security context no cube or view/);
      }
    }
  });

  it('the SQL API catalog lists no table and a query is refused with 42501 naming the member', async () => {
    for (const [user, shape] of users) {
      await withSql(sql.port, user, 'pw', async (c) => {
        expect(await publicTables(c), shape).toEqual([]);
        const e = await sqlError(c, 'SELECT loja_loja_id, MEASURE(count) FROM vendas GROUP BY 1');
        expect(e.code, shape).toBe('42501');
        expect(e.message, shape).toMatch(/Access denied: vendas\.(loja_loja_id|count)/);
        const cube = await sqlError(c, 'SELECT MEASURE(count) FROM fato_vendas');
        expect([cube.code, cube.message.includes('fato_vendas.count')], shape).toEqual(['42501', true]);
      });
    }
  });

  it('the same policies grant the groups claim: a control that shows the refusals come from the groups', async () => {
    const token = await sign({ sub: 'maria', groups: ['gerente_loja'], lojas: ['L002'] });
    const res = await rest(stack.url, 'load', token, { query: { measures: ['vendas.count'], dimensions: ['vendas.loja_loja_id', 'vendas.canal_nome'] } });
    expect(res.status).toBe(200);
    const rows = (res.body.data as Record<string, unknown>[]).map((r) => [r['vendas.loja_loja_id'], r['vendas.canal_nome'], Number(r['vendas.count'])]);
    expect(rowSet(rows)).toEqual(expectedL002);
  });
});

describe.each(Object.entries(MANAGER_SHAPES))('contextToGroups mapping the %s', (shape, { claims, claim }) => {
  let stack: Stack;
  let sql: SqlServer;
  const manager = { sub: 'maria', ...claims, lojas: ['L002'] };
  const sqlUsers: Record<string, Record<string, unknown>> = {
    maria: manager,
    // The default claim: not read once the config file maps another one.
    default_claim: { sub: 'joao', groups: ['gerente_loja'], lojas: ['L002'] },
  };

  beforeAll(async () => {
    // The cube.config.ts line of docs/security.md for this claim shape.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'context-to-groups-'));
    const configPath = path.join(dir, 'cube.config.ts');
    const helper = pathToFileURL(path.resolve(import.meta.dirname, '../../src/security/read-group-claim.ts')).href;
    await writeFile(configPath, [
      `import { readGroupClaim } from ${JSON.stringify(helper)};`,
      `export default { contextToGroups: ({ securityContext }) => readGroupClaim(securityContext, ${JSON.stringify(claim)}) };`,
      '',
    ].join('\n'));
    stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true }, env: { CUBEJS_CONFIG_PATH: configPath } });
    sql = await serveSql(stack.engine, { users: Object.fromEntries(Object.entries(sqlUsers).map(([user, context]) => [user, { password: `${user}-pw`, securityContext: context }])) });
  }, 120_000);
  afterAll(async () => {
    await sql?.close();
    await stack?.close();
  });

  it('REST: the store manager sees exactly their store, and no customer-identifying member', async () => {
    const token = await sign(manager);
    const res = await rest(stack.url, 'load', token, { query: { measures: ['vendas.count'], dimensions: ['vendas.loja_loja_id', 'vendas.canal_nome'] } });
    expect(res.status).toBe(200);
    const rows = (res.body.data as Record<string, unknown>[]).map((r) => [r['vendas.loja_loja_id'], r['vendas.canal_nome'], Number(r['vendas.count'])]);
    expect(rowSet(rows)).toEqual(expectedL002);
    const cube = await rest(stack.url, 'load', token, { query: { measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'] } });
    expect(cube.body.data).toEqual([{ 'dim_loja.loja_id': 'L002', 'fato_vendas.count': expect.anything() }]);
    const denied = await rest(stack.url, 'load', token, { query: { measures: ['fato_vendas.count'], dimensions: ['dim_cliente.email'] } });
    expect(denied.status).toBe(403);
    expect(String(denied.body.error)).toContain('dim_cliente.email');
    const meta = await rest(stack.url, 'meta', token);
    const names = (meta.body.cubes as { name: string }[]).map((c) => c.name);
    expect(names).toContain('vendas');
    expect(names).not.toContain('eventos');
  });

  it('GraphQL: the store manager sees exactly their store', async () => {
    const res = await graphql(stack.url, '{ cube { vendas { count loja_loja_id canal_nome } } }', await sign(manager));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const rows = (res.body.data!.cube as { vendas: Record<string, unknown> }[]).map(({ vendas: v }) => [v.loja_loja_id, v.canal_nome, Number(v.count)]);
    expect(rowSet(rows)).toEqual(expectedL002);
  });

  it('SQL API: the store manager sees exactly their store; the unmapped groups claim sees nothing', async () => {
    await withSql(sql.port, 'maria', 'maria-pw', async (c) => {
      const got = await c.query({ text: 'SELECT loja_loja_id, canal_nome, MEASURE(count) FROM vendas GROUP BY 1, 2', rowMode: 'array' });
      expect(rowSet(got.rows.map((r: unknown[]) => [r[0], r[1], Number(r[2])]))).toEqual(expectedL002);
      expect((await sqlError(c, 'SELECT cliente_nome, MEASURE(count) FROM vendas GROUP BY 1')).code).toBe('42501');
      expect(await publicTables(c)).toContain('vendas');
    });
    await withSql(sql.port, 'default_claim', 'default_claim-pw', async (c) => {
      expect(await publicTables(c)).toEqual([]);
      expect((await sqlError(c, 'SELECT MEASURE(count) FROM vendas')).code).toBe('42501');
    });
  });

  it('REST: a token in the unmapped shape (the groups claim) sees nothing here', async () => {
    const res = await rest(stack.url, 'load', await sign(sqlUsers.default_claim!), { query: { measures: ['vendas.count'] } });
    expect(res.status).toBe(403);
    expect(String(res.body.error)).toContain('vendas.count');
  }, 60_000);
});

describe('dev mode', () => {
  let stack: Stack;
  let sql: { server?: SqlServer };

  beforeAll(async () => {
    stack = await startStack({ data: { duckdbPath: gold }, serve: { http: true } });
    sql = await startConfiguredSqlApi({ port: 0, host: '127.0.0.1', devMode: true, engine: stack.engine, getModel: () => stack.engine.currentModel() });
  }, 120_000);
  afterAll(async () => {
    await sql?.server?.close();
    await stack?.close();
  });

  it('a request without a token gets the development context: every sale line, customer e-mails included', async () => {
    const res = await rest(stack.url, 'load', undefined, { query: { measures: ['fato_vendas.count'] } });
    expect(res.status).toBe(200);
    expect(Number((res.body.data as Record<string, unknown>[])[0]!['fato_vendas.count'])).toBe(allSales);
    const emails = await rest(stack.url, 'load', undefined, { query: { dimensions: ['dim_cliente.email'] } });
    expect(emails.status).toBe(200);
    const [distinct] = await queryGold(gold, 'SELECT count(DISTINCT email) AS n FROM gold.dim_cliente WHERE email IS NOT NULL');
    expect((emails.body.data as Record<string, unknown>[]).filter((r) => r['dim_cliente.email'] !== null)).toHaveLength(Number(distinct!.n));
    expect(await graphqlCubes(stack.url, undefined)).toContain('eventos');
  });

  it('a token without readable groups still sees nothing in dev mode', async () => {
    const token = await sign({ sub: 'maria', roles: ['gerente_loja'], lojas: ['L002'] });
    const res = await rest(stack.url, 'load', token, { query: { measures: ['fato_vendas.count'] } });
    expect(res.status).toBe(403);
    expect((await rest(stack.url, 'meta', token)).body.cubes).toEqual([]);
  });

  it('the SQL API without a configured login gives any user the development context', async () => {
    await withSql(sql.server!.port, 'anyone', 'anything', async (c) => {
      const [row] = (await c.query('SELECT MEASURE(count) AS n FROM fato_vendas')).rows;
      expect(Number(row.n)).toBe(allSales);
      expect(await publicTables(c)).toContain('eventos');
    });
  });
});
