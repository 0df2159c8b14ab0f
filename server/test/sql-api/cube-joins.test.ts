/**
 * Joins between cube tables over the wire (node-postgres), on the real engine over the small
 * hand-built gold star schema (server/test/engine/gold-fixture.ts). As in Cube's SQL API,
 * `CROSS JOIN`, `FROM a, b` and `[LEFT] JOIN … ON a.__cubeJoinField = b.__cubeJoinField` join
 * cube tables as the data model defines: ONE semantic query over the members of every joined
 * cube. Each answer is checked against SQL written by hand over the gold tables (fato_vendas
 * joined to its dimensions on the surrogate keys) and against the equivalent REST query; every
 * other join between cube tables is refused with SQLSTATE 0A000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Driver } from '../../src/drivers/driver-types.ts';
import type { SemanticEngine } from '../../src/engine/engine-types.ts';
import type { CubeQuery } from '../../src/query/query-types.ts';
import type { SqlServer } from '../../src/api/sql/start-sql-server.ts';
import { INTERNAL_CONTEXT } from '../engine/gold-fixture.ts';
import { GOLD_EXTRA_FILES, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let driver: Driver;
let engine: SemanticEngine;
let server: SqlServer;
/** Every query the SQL API sent to the engine (the engine itself is the real one). */
const sent: CubeQuery[] = [];

beforeAll(async () => {
  // The SQL API answers from a wrapper recording every query it sends; `engine` is the real one.
  const recording = (real: SemanticEngine): SemanticEngine => ({
    load: (query, ctx) => {
      sent.push(query);
      return real.load(query, ctx);
    },
    sql: (query, ctx) => real.sql(query, ctx),
    dryRun: (query, ctx) => real.dryRun(query, ctx),
    meta: (ctx, options) => real.meta(ctx, options),
    visibleMembers: (ctx, model) => real.visibleMembers(ctx, model),
    currentModel: () => real.currentModel(),
    modelOf: (ctx) => real.modelOf(ctx),
  });
  stack = await startStack({
    data: 'gold', model: { files: GOLD_EXTRA_FILES },
    wrapEngine: (real) => {
      engine = real;
      return recording(real);
    },
    serve: { sql: { users: { admin: { password: 'admin_password', securityContext: INTERNAL_CONTEXT } } } },
  });
  driver = stack.driver;
  server = stack.sqlServer!;
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

async function sql(text: string): Promise<unknown[][]> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'admin', password: 'admin_password', database: 'db' });
  await c.connect();
  try {
    return (await c.query({ text, rowMode: 'array' })).rows as unknown[][];
  } finally {
    await c.end();
  }
}

async function errorOf(text: string): Promise<{ code?: string; message: string }> {
  try {
    await sql(text);
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error(`expected ${text} to fail`);
}

/** Rows of hand-written SQL over the gold tables (the independent answer). */
async function hand(text: string): Promise<unknown[][]> {
  const r = await driver.query(text, []);
  return Array.from({ length: r.rowCount }, (_, i) => r.data.map((col) => col[i]));
}

/** Rows of the REST query, members in the given order. */
async function rest(query: CubeQuery, members: readonly string[]): Promise<unknown[][]> {
  const r = (await engine.load(query, { securityContext: INTERNAL_CONTEXT, requestId: 'rest', api: 'rest' })).results[0]!;
  const index = members.map((m) => r.columns.findIndex((c) => c.name === m));
  return Array.from({ length: r.rowCount }, (_, i) => index.map((k) => r.data[k]![i]));
}

/** Numbers (and numeric strings: bigint, decimal) compared as numbers rounded to 1e-6. */
function norm(rows: unknown[][]): unknown[][] {
  return rows.map((row) =>
    row.map((v) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'bigint' || typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))) return Math.round(Number(v) * 1e6) / 1e6;
      return v;
    }),
  );
}

/** "Pedido válido" (METRICS.md), written out by hand. */
const VALID = `(NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test')`;
const NET = `sum(f.valor_liquido - coalesce(f.valor_devolvido, 0)) FILTER (WHERE ${VALID})`;
const UNITS = `sum(f.quantidade) FILTER (WHERE ${VALID})`;

describe('joins between cube tables (Cube SQL API semantics)', () => {
  const byChannel = {
    rest: { dimensions: ['dim_canal.nome'], measures: ['fato_vendas.vendas_liquidas'], order: [['fato_vendas.vendas_liquidas', 'desc']] } as CubeQuery,
    hand: `SELECT c.nome, ${NET} FROM gold.fato_vendas f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk GROUP BY 1 ORDER BY 2 DESC`,
  };

  it('CROSS JOIN: one semantic query, a measure of one cube by a dimension of another', async () => {
    sent.length = 0;
    const got = await sql('SELECT dim_canal.nome AS canal, MEASURE(fato_vendas.vendas_liquidas) AS vendas FROM fato_vendas CROSS JOIN dim_canal GROUP BY 1 ORDER BY 2 DESC');
    const want = await hand(byChannel.hand);
    expect(want.length).toBeGreaterThan(2);
    expect(norm(got)).toEqual(norm(want));
    expect(norm(got)).toEqual(norm(await rest(byChannel.rest, ['dim_canal.nome', 'fato_vendas.vendas_liquidas'])));
    // Not the grand total on every row: the channels' values differ.
    expect(new Set(got.map((r) => r[1])).size).toBe(got.length);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ dimensions: ['dim_canal.nome'], measures: ['fato_vendas.vendas_liquidas'] });
  });

  it('LEFT JOIN and INNER JOIN ON __cubeJoinField, with table aliases, answer the same', async () => {
    const want = norm(await hand(byChannel.hand));
    for (const join of ['LEFT JOIN', 'JOIN', 'INNER JOIN']) {
      const got = await sql(`SELECT c.nome AS canal, MEASURE(f.vendas_liquidas) AS vendas FROM fato_vendas f ${join} dim_canal c ON f.__cubeJoinField = c.__cubeJoinField GROUP BY 1 ORDER BY 2 DESC`);
      expect(norm(got), join).toEqual(want);
    }
    const quoted = await sql(`SELECT "c"."nome", SUM("o"."vendas_liquidas") FROM "public"."fato_vendas" AS "o" LEFT OUTER JOIN "public"."dim_canal" AS "c" ON ("o"."__cubeJoinField" = "c"."__cubeJoinField") GROUP BY 1 ORDER BY 2 DESC`);
    expect(norm(quoted)).toEqual(want);
  });

  it('three cubes with filters on each side, COUNT(*) reading the first table', async () => {
    sent.length = 0;
    const got = await sql(`
      SELECT p.categoria, l.regiao, MEASURE(f.unidades) AS u, COUNT(*) AS n
      FROM fato_vendas f CROSS JOIN dim_produto p CROSS JOIN dim_loja l
      WHERE p.categoria <> 'Casa' AND l.tipo = 'fisica' AND f.data_venda >= '2024-03-01' AND f.origem = 'pos'
      GROUP BY 1, 2 ORDER BY 1, 2`);
    const want = await hand(`
      SELECT p.categoria, l.regiao, ${UNITS}, count(*)
      FROM gold.fato_vendas f LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk LEFT JOIN gold.dim_loja l ON f.loja_sk = l.loja_sk
      WHERE p.categoria <> 'Casa' AND l.tipo = 'fisica' AND f.data_venda >= TIMESTAMP '2024-03-01' AND f.origem = 'pos'
      GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(want.length).toBeGreaterThan(1);
    expect(norm(got)).toEqual(norm(want));
    expect(sent).toHaveLength(1);
    const query: CubeQuery = {
      dimensions: ['dim_produto.categoria', 'dim_loja.regiao'],
      measures: ['fato_vendas.unidades', 'fato_vendas.count'],
      filters: [
        { member: 'dim_produto.categoria', operator: 'notEquals', values: ['Casa'] },
        { member: 'dim_loja.tipo', operator: 'equals', values: ['fisica'] },
        { member: 'fato_vendas.origem', operator: 'equals', values: ['pos'] },
        { member: 'fato_vendas.data_venda', operator: 'afterOrOnDate', values: ['2024-03-01'] },
      ],
      order: [['dim_produto.categoria', 'asc'], ['dim_loja.regiao', 'asc']],
    };
    expect(norm(got)).toEqual(norm(await rest(query, ['dim_produto.categoria', 'dim_loja.regiao', 'fato_vendas.unidades', 'fato_vendas.count'])));
  });

  it('FROM a, b (implicit cross join) and three cubes joined on __cubeJoinField with a time dimension', async () => {
    const implicit = await sql(`SELECT p.marca, MEASURE(f.vendas_liquidas) FROM fato_vendas f, dim_produto p WHERE f.tipo_cliente = 'recorrente' GROUP BY 1 ORDER BY 1 NULLS LAST`);
    const wantImplicit = await hand(`SELECT p.marca, ${NET} FROM gold.fato_vendas f LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk WHERE f.tipo_cliente = 'recorrente' GROUP BY 1 ORDER BY 1 NULLS LAST`);
    expect(wantImplicit.length).toBeGreaterThan(2);
    expect(norm(implicit)).toEqual(norm(wantImplicit));

    const got = await sql(`
      SELECT date_trunc('month', f.data_venda) AS m, c.tipo, MEASURE(f.pedidos) AS pedidos
      FROM dim_canal c
        JOIN fato_vendas f ON c.__cubeJoinField = f.__cubeJoinField
        LEFT JOIN dim_campanha k ON f.__cubeJoinField = k.__cubeJoinField
      WHERE k.nome IN ('Sem campanha', 'Black Friday') AND f.data_venda < '2024-05-01'
      GROUP BY 1, 2 ORDER BY 1, 2`);
    const want = await hand(`
      SELECT date_trunc('month', f.data_venda), c.tipo, count(DISTINCT f.pedido_id) FILTER (WHERE ${VALID})
      FROM gold.fato_vendas f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk LEFT JOIN gold.dim_campanha k ON f.campanha_sk = k.campanha_sk
      WHERE k.nome IN ('Sem campanha', 'Black Friday') AND f.data_venda < TIMESTAMP '2024-05-01'
      GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(want.length).toBeGreaterThan(4);
    expect(norm(got.map((r) => [(r[0] as Date).toISOString().slice(0, 10), ...r.slice(1)]))).toEqual(norm(want.map((r) => [String(r[0]).slice(0, 10), ...r.slice(1)])));
  });

  it('evaluates outer SQL (ROLLUP, HAVING, expressions) over the joined result', async () => {
    const got = await sql(`
      SELECT c.tipo, p.categoria, sum(f.unidades) AS u, round(sum(f.vendas_liquidas) / sum(f.unidades), 4) AS por_unidade
      FROM fato_vendas f CROSS JOIN dim_canal c CROSS JOIN dim_produto p
      GROUP BY ROLLUP (1, 2) HAVING sum(f.unidades) > 0 ORDER BY 1 NULLS LAST, 2 NULLS LAST`);
    const want = await hand(`
      SELECT c.tipo, p.categoria, ${UNITS} AS u, round(${NET} / ${UNITS}, 4)
      FROM gold.fato_vendas f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk LEFT JOIN gold.dim_produto p ON f.produto_sk = p.produto_sk
      GROUP BY ROLLUP (1, 2) HAVING ${UNITS} > 0 ORDER BY 1 NULLS LAST, 2 NULLS LAST`);
    expect(want.length).toBeGreaterThan(5);
    expect(norm(got)).toEqual(norm(want));
  });

  it('answers the Power BI shape: an aggregate over a subquery that joins on __cubeJoinField', async () => {
    const got = await sql(`
      select "_"."nome", sum("_"."vendas_liquidas") as "a0"
      from (
        select "$Outer"."nome", "_"."vendas_liquidas", "_"."__cubeJoinField"
        from "public"."fato_vendas" "_" left outer join "public"."dim_canal" "$Outer" on ("_"."__cubeJoinField" = "$Outer"."__cubeJoinField")
        where "_"."origem" = 'erp'
      ) "_"
      group by "_"."nome" order by "_"."nome"`);
    const want = await hand(`SELECT c.nome, ${NET} FROM gold.fato_vendas f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk WHERE f.origem = 'erp' GROUP BY 1 ORDER BY 1`);
    expect(want.length).toBeGreaterThan(2);
    expect(norm(got)).toEqual(norm(want));
  });

  it('lists __cubeJoinField as a text column of every cube table; selecting it reads no member', async () => {
    const cols = await sql(`select table_name, data_type from information_schema.columns where column_name = '__cubeJoinField' and table_name in ('fato_vendas', 'dim_canal', 'vendas') order by 1`);
    expect(cols).toEqual([
      ['dim_canal', 'text'],
      ['fato_vendas', 'text'],
      ['vendas', 'text'],
    ]);
    sent.length = 0;
    // Only dim_canal members are read, so (as a REST query of them) only dim_canal is queried.
    const rows = await sql(`SELECT c.nome, f.__cubeJoinField FROM fato_vendas f CROSS JOIN dim_canal c GROUP BY 1, 2 ORDER BY 1`);
    expect(rows.map((r) => [r[0]])).toEqual(await hand('SELECT nome FROM gold.dim_canal ORDER BY 1'));
    expect(rows.every((r) => typeof r[1] === 'string')).toBe(true);
    expect(sent.map((q) => [q.dimensions, q.measures])).toEqual([[['dim_canal.nome'], undefined]]);
  });

  it('refuses every other join between cube tables with SQLSTATE 0A000', async () => {
    const refused = [
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f JOIN dim_canal c ON f.canal_sk = c.canal_sk GROUP BY 1',
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f JOIN dim_canal c ON f.origem = c.canal_id GROUP BY 1',
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f JOIN dim_canal c ON f.__cubeJoinField = c.__cubeJoinField AND c.tipo = f.origem GROUP BY 1',
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f RIGHT JOIN dim_canal c ON f.__cubeJoinField = c.__cubeJoinField GROUP BY 1',
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f FULL JOIN dim_canal c ON f.__cubeJoinField = c.__cubeJoinField GROUP BY 1',
      'SELECT c.nome, MEASURE(f.vendas_liquidas) FROM fato_vendas f JOIN dim_canal c ON true GROUP BY 1',
      'SELECT c.nome FROM fato_vendas f NATURAL JOIN dim_canal c',
      'SELECT a.origem, b.origem FROM fato_vendas a CROSS JOIN fato_vendas b',
      // __cubeJoinField is not carried through a subquery that groups: joining on it is refused, not answered with no rows.
      'SELECT x.nome, sum(y.v) FROM (SELECT nome, __cubeJoinField FROM dim_canal) x JOIN (SELECT vendas_liquidas AS v, __cubeJoinField FROM fato_vendas GROUP BY 2) y ON x.__cubeJoinField = y.__cubeJoinField GROUP BY 1',
      // Cube tables with other relations.
      'SELECT c.nome FROM dim_canal c JOIN pg_class p ON true',
    ];
    for (const text of refused) {
      const e = await errorOf(text);
      expect(e.code, `${text}: ${e.message}`).toBe('0A000');
    }
    const e = await errorOf('SELECT c.nome FROM fato_vendas f JOIN dim_canal c ON f.canal_sk = c.canal_sk');
    expect(e.message).toMatch(/__cubeJoinField/);
    expect(e.message).toMatch(/data model/);
  });

  it('joins subqueries that only rename and filter a cube table on __cubeJoinField, as the tables themselves', async () => {
    const want = norm(await hand(`SELECT c.nome, ${NET} FROM gold.fato_vendas f LEFT JOIN gold.dim_canal c ON f.canal_sk = c.canal_sk WHERE c.nome <> 'Site' GROUP BY 1 ORDER BY 1`));
    const both = await sql(
      "SELECT x.nome, sum(y.v) FROM (SELECT nome, __cubeJoinField FROM dim_canal WHERE nome <> 'Site') x JOIN (SELECT vendas_liquidas AS v, __cubeJoinField FROM fato_vendas) y ON x.__cubeJoinField = y.__cubeJoinField GROUP BY 1 ORDER BY 1",
    );
    expect(norm(both)).toEqual(want);
    const one = await sql("SELECT c.nome, sum(y.v) FROM dim_canal c JOIN (SELECT vendas_liquidas AS v, __cubeJoinField FROM fato_vendas) y ON c.__cubeJoinField = y.__cubeJoinField WHERE c.nome <> 'Site' GROUP BY 1 ORDER BY 1");
    expect(norm(one)).toEqual(want);
  });

  it('still evaluates a cube joined to a subquery over it on a real column (top-N pattern)', async () => {
    const got = await sql(`
      SELECT f.origem, t.origem IS NOT NULL AS top, MEASURE(f.vendas_liquidas)
      FROM fato_vendas f LEFT JOIN (SELECT origem, MEASURE(vendas_liquidas) AS v FROM fato_vendas GROUP BY 1 ORDER BY 2 DESC LIMIT 1) t ON f.origem = t.origem
      GROUP BY 1, 2 ORDER BY 1`);
    const want = await hand(`
      WITH s AS (SELECT f.origem, ${NET} AS v FROM gold.fato_vendas f GROUP BY 1)
      SELECT s.origem, s.origem = (SELECT origem FROM s ORDER BY v DESC LIMIT 1), s.v FROM s ORDER BY 1`);
    expect(norm(got)).toEqual(norm(want));
  });
});
