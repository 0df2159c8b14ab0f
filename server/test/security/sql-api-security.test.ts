/**
 * The Postgres-wire SQL API (real `pg` client, SCRAM) over the same engine as REST, with a
 * `checkSqlAuth` mapping users to security contexts: a store manager's rows equal hand-written
 * SQL for their store; denied members fail with SQLSTATE 42501 naming the member and are absent
 * from the caller's pg_catalog/information_schema (every listed column answers); injection in
 * SQL text is a value or an error; non-semantic SQL (DDL, DML, other tables, read_csv) is refused
 * with a SQLSTATE; per-client rate and concurrency limits answer SQLSTATE 53400.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import { ClientLimiter } from '../../src/security/client-limiter.ts';
import { limitEngineClients } from '../../src/security/limit-engine-clients.ts';
import { CONTEXTS, goldDatabaseFile, goldRowCounts, queryGold, rowSet, SECRET } from './support/security-fixture.ts';
import { serveSql, startStack, type Stack } from '../support/stack.ts';

const USERS: Record<string, { password: string; securityContext: Record<string, unknown> }> = {
  gerente: { password: 'gerente-pw', securityContext: CONTEXTS.managerL002 },
  marketing: { password: 'mkt-pw', securityContext: CONTEXTS.marketing },
  bi: { password: 'bi-pw', securityContext: CONTEXTS.internal },
  limited: { password: 'limited-pw', securityContext: { sub: 'limited', groups: ['analista_marketing'] } },
};

let stack: Stack;
let gold: string;
let server: SqlServer;
let countsBefore: Record<string, number>;

beforeAll(async () => {
  gold = await goldDatabaseFile();
  countsBefore = await goldRowCounts(gold);
  stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
  server = await serveSql(stack.engine, { users: USERS });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

async function withClient<T>(user: string, run: (c: pg.Client) => Promise<T>, port = server.port): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password: USERS[user]!.password, database: 'db' });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

async function errorOf(c: pg.Client, sql: string): Promise<{ code?: string; message: string }> {
  try {
    await c.query(sql);
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('row and member security over the wire', () => {
  it("the store manager's rows equal hand-written SQL for their store only", async () => {
    const got = await withClient('gerente', (c) => c.query({ text: 'SELECT loja_loja_id, canal_nome, MEASURE(count) AS n FROM vendas GROUP BY 1, 2', rowMode: 'array' }));
    const expected = await queryGold(gold, `SELECT l.loja_id, c.nome, count(*) AS n FROM gold.fato_vendas f
      JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk WHERE l.loja_id = 'L002' GROUP BY 1, 2`);
    expect(expected.length).toBeGreaterThan(0);
    expect(rowSet(got.rows.map((r: unknown[]) => [r[0], r[1], Number(r[2])]))).toEqual(rowSet(expected.map((r) => [r.loja_id, r.nome, Number(r.n)])));
    const total = await withClient('gerente', (c) => c.query('SELECT MEASURE(count) AS n FROM fato_vendas'));
    const [l002] = await queryGold(gold, "SELECT count(*) AS n FROM gold.fato_vendas f JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk WHERE l.loja_id = 'L002'");
    expect(Number(total.rows[0].n)).toBe(Number(l002!.n));
  });

  it("a WHERE on another store or an OR cannot widen the manager's rows", async () => {
    const rows = await withClient('gerente', async (c) => [
      ...(await c.query("SELECT loja_loja_id, MEASURE(count) FROM vendas WHERE loja_loja_id = 'ONLINE' GROUP BY 1")).rows,
      ...(await c.query("SELECT loja_loja_id, MEASURE(count) FROM vendas WHERE loja_loja_id = 'ONLINE' OR loja_loja_id IS NOT NULL GROUP BY 1")).rows,
    ]);
    expect(rows.map((r) => r.loja_loja_id)).toEqual(['L002']);
  });

  it('denied members fail with SQLSTATE 42501 naming the member; the analyst still reads campaigns', async () => {
    await withClient('gerente', async (c) => {
      const e = await errorOf(c, 'SELECT cliente_nome, MEASURE(count) FROM vendas GROUP BY 1');
      expect(e.code).toBe('42501');
      expect(e.message).toContain('vendas.cliente_nome');
      expect((await errorOf(c, 'SELECT MEASURE(eventos) FROM eventos')).code).toBe('42501');
    });
    await withClient('marketing', async (c) => {
      expect((await errorOf(c, 'SELECT email FROM dim_cliente GROUP BY 1')).code).toBe('42501');
      const campaigns = await c.query('SELECT campanha_nome, MEASURE(vendas_liquidas) FROM vendas GROUP BY 1');
      expect(campaigns.rows.length).toBeGreaterThan(1);
    });
  });
});

describe('the catalog lists only what the caller may query', () => {
  type Listed = Map<string, Set<string>>;
  /** Tables and columns as information_schema shows them, and as pg_attribute (psql's `\\d`) does. */
  async function listed(user: string): Promise<{ schema: Listed; attributes: Listed }> {
    return withClient(user, async (c) => {
      const collect = (rows: { t: string; c: string }[]): Listed => {
        const out: Listed = new Map();
        for (const r of rows) out.set(r.t, (out.get(r.t) ?? new Set()).add(r.c));
        return out;
      };
      const schema = await c.query("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'");
      const attributes = await c.query(`SELECT cl.relname AS t, a.attname AS c FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class cl ON cl.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
        WHERE n.nspname = 'public' AND cl.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`);
      return { schema: collect(schema.rows), attributes: collect(attributes.rows) };
    });
  }

  // Hidden members named by hand from the policies in model/ (dim_cliente.yml, views/vendas.yml, eventos.yml, campanhas_tempo_real.yml).
  const CUSTOMER_IDENTIFYING = ['cliente_id', 'nome', 'email', 'data_nascimento'];
  const STREAMING_TABLES = ['eventos', 'campanhas_tempo_real'];

  it("a store manager's catalog has no campaign or event tables and no customer-identifying columns", async () => {
    const { schema, attributes } = await listed('gerente');
    for (const view of [schema, attributes]) {
      expect(view.has('eventos')).toBe(false);
      expect(view.has('campanhas_tempo_real')).toBe(false);
      expect(view.get('vendas')).toContain('loja_loja_id');
      expect(view.get('vendas')).not.toContain('cliente_nome');
      expect(view.get('vendas')).not.toContain('cliente_cliente_id');
      for (const column of CUSTOMER_IDENTIFYING) expect(view.get('dim_cliente'), column).not.toContain(column);
      expect(view.get('dim_cliente')).toContain('cidade');
    }
  });

  it("a marketing analyst's catalog keeps events and campaigns but no customer-identifying columns", async () => {
    const { schema } = await listed('marketing');
    expect(schema.has('eventos')).toBe(true);
    expect(schema.has('campanhas_tempo_real')).toBe(true);
    for (const column of CUSTOMER_IDENTIFYING) expect(schema.get('dim_cliente'), column).not.toContain(column);
  });

  it('the internal team sees every table and column of the model', async () => {
    const { schema } = await listed('bi');
    expect(schema.has('eventos')).toBe(true);
    for (const column of CUSTOMER_IDENTIFYING) expect(schema.get('dim_cliente'), column).toContain(column);
    expect(schema.get('vendas')).toContain('cliente_nome');
    expect(await listed('bi').then((l) => l.schema.size)).toBeGreaterThan((await listed('gerente')).schema.size);
  });

  it('every column listed to a restricted user can be queried without a permission error', async () => {
    for (const user of ['gerente', 'marketing']) {
      const { schema } = await listed(user);
      await withClient(user, async (c) => {
        for (const [table, columns] of schema) {
          for (const column of columns) {
            if (column === '__cubeJoinField') continue;
            const codes: (string | undefined)[] = [];
            for (const sql of [
              `SELECT "${column}" FROM "${table}" GROUP BY 1 LIMIT 1`, // a dimension
              `SELECT MEASURE("${column}") FROM "${table}"`, // a measure
              `SELECT COUNT(*) FROM "${table}" WHERE "${column}"`, // a segment
            ]) {
              codes.push(await c.query(sql).then(() => 'ok', (e: { code?: string }) => e.code));
            }
            // One of the forms answers, and none is refused for permissions.
            expect(codes, `${user}: ${table}.${column}`).not.toContain('42501');
            // The gold fixture has no streaming tables: for those, reaching the data source (58000) shows the member was accepted.
            const answer = STREAMING_TABLES.includes(table) ? '58000' : 'ok';
            expect(codes, `${user}: ${table}.${column} answers as a dimension, measure or segment`).toContain(answer);
          }
        }
      });
    }
  }, 120_000);
});

describe('hostile SQL', () => {
  it('injection in literals is a value, stacked statements and non-semantic SQL are refused with a SQLSTATE', async () => {
    await withClient('bi', async (c) => {
      const quoted = await c.query("SELECT MEASURE(count) AS n FROM vendas WHERE loja_loja_id = 'L002'' OR ''1''=''1'");
      expect(Number(quoted.rows[0]?.n ?? 0)).toBe(0);
      const refusals: [string, string][] = [
        ['SELECT MEASURE(count) FROM vendas; DROP TABLE vendas', '25006'],
        ['DELETE FROM vendas', '25006'],
        ["UPDATE fato_vendas SET origem = 'x'", '25006'],
        ['CREATE TABLE t (a int)', '25006'],
        ['DROP TABLE fato_vendas', '25006'],
        ["SELECT * FROM read_csv('/etc/passwd')", '42883'],
        ['SELECT * FROM gold.fato_vendas', '42P01'],
        ['SELECT * FROM secret_table', '42P01'],
      ];
      for (const [sql, code] of refusals) {
        const e = await errorOf(c, sql);
        expect(e.code, sql).toBe(code);
        expect(e.message.length, sql).toBeGreaterThan(0);
        await c.query('SELECT 1'); // the session is still usable after each refusal
      }
    });
    expect(await goldRowCounts(gold)).toEqual(countsBefore);
  });
});

describe('per-client limits on the SQL API', () => {
  /** Holds every query until `open()`: lets a test keep one query running while it sends another. */
  function gated(engine: SemanticEngine): { engine: SemanticEngine; open: () => void } {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    return { engine: { ...engine, load: async (q, ctx) => { await gate; return engine.load(q, ctx); } }, open };
  }

  it('answers SQLSTATE 53400 past the rate limit, for that client only', async () => {
    const limited = await serveSql(limitEngineClients(stack.engine, new ClientLimiter({ maxRequests: 3, windowMs: 60_000 })), { users: USERS });
    try {
      await withClient('limited', async (c) => {
        for (let i = 0; i < 3; i++) await c.query('SELECT MEASURE(count) FROM vendas');
        const e = await errorOf(c, 'SELECT MEASURE(count) FROM vendas');
        expect(e.code).toBe('53400');
        expect(e.message).toMatch(/Too many requests.*CUBEJS_CLIENT_RATE_LIMIT/);
      }, limited.port);
      await withClient('bi', (c) => c.query('SELECT MEASURE(count) FROM vendas'), limited.port);
    } finally {
      await limited.close();
    }
  });

  it('answers SQLSTATE 53400 when a client exceeds its concurrent queries', async () => {
    const { engine, open } = gated(stack.engine);
    const limited = await serveSql(limitEngineClients(engine, new ClientLimiter({ maxConcurrent: 1, windowMs: 60_000 })), { users: USERS });
    try {
      await withClient('limited', async (first) => {
        const running = first.query('SELECT MEASURE(count) AS n FROM vendas');
        await new Promise((r) => setTimeout(r, 200));
        const e = await withClient('limited', (second) => errorOf(second, 'SELECT MEASURE(count) FROM vendas'), limited.port);
        expect(e.code).toBe('53400');
        expect(e.message).toMatch(/concurrent/);
        open();
        expect(Number((await running).rows[0].n)).toBeGreaterThan(0);
      }, limited.port);
    } finally {
      open();
      await limited.close();
    }
  });
});
