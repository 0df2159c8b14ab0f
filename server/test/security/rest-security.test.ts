/**
 * REST (`/cubejs-api/v1/*`) under the model's shipped access policies, over real HTTP in
 * production mode: a store manager's rows equal hand-written SQL restricted to their stores and
 * never include another store's, whatever the query (cube, view, joins, own filters, ungrouped);
 * denied members are 403 naming the member, and /meta hides them; hostile strings in filter values,
 * member names and token claims return an error or nothing and change no gold table.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTEXTS, goldDatabaseFile, goldRowCounts, queryGold, rowSet, sign, SECRET } from './support/security-fixture.ts';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let gold: string;
let countsBefore: Record<string, number>;

beforeAll(async () => {
  gold = await goldDatabaseFile();
  countsBefore = await goldRowCounts(gold);
  stack = await startStack({ data: { duckdbPath: gold }, security: { secret: SECRET }, serve: { http: true } });
});
afterAll(async () => stack?.close());

async function load(claims: Record<string, unknown>, query: Record<string, unknown>) {
  return request(stack.server.app).post('/cubejs-api/v1/load').set('Authorization', await sign(claims)).send({ query });
}

/** Rows of a /load answer as arrays in the order of `keys`. */
function rows(body: { data: Record<string, unknown>[] }, keys: string[]): unknown[][] {
  return body.data.map((r) => keys.map((k) => (typeof r[k] === 'string' && /^-?\d+(\.\d+)?$/.test(r[k] as string) ? Number(r[k]) : r[k])));
}

const STORE_OF_SALE = 'JOIN gold.dim_loja l ON l.loja_sk = f.loja_sk';
const VALID = `(NOT coalesce(f.is_cancelado, false) AND coalesce(f.status_pedido, '') <> 'test')`;

describe('store manager (gerente_loja, lojas: [L002])', () => {
  it('sees exactly the rows of their store: sales by store and product equal hand-written SQL', async () => {
    const res = await load(CONTEXTS.managerL002, { measures: ['fato_vendas.count', 'fato_vendas.vendas_brutas'], dimensions: ['dim_loja.loja_id', 'dim_produto.nome'] });
    expect(res.status).toBe(200);
    const expected = await queryGold(gold, `SELECT l.loja_id, p.nome, count(*) AS n, sum(CASE WHEN ${VALID} THEN f.valor_bruto END) AS b
      FROM gold.fato_vendas f ${STORE_OF_SALE} JOIN gold.dim_produto p ON p.produto_sk = f.produto_sk WHERE l.loja_id IN ('L002') GROUP BY 1, 2`);
    expect(expected.length).toBeGreaterThan(0);
    expect(rowSet(rows(res.body, ['dim_loja.loja_id', 'dim_produto.nome', 'fato_vendas.count', 'fato_vendas.vendas_brutas']))).toEqual(
      rowSet(expected.map((r) => [r.loja_id, r.nome, Number(r.n), r.b === null ? null : Number(r.b)])),
    );
  });

  it('gets only their store even without naming the store, through the view, and ungrouped', async () => {
    const [total] = await queryGold(gold, `SELECT count(*) AS n FROM gold.fato_vendas f ${STORE_OF_SALE} WHERE l.loja_id = 'L002'`);
    const [all] = await queryGold(gold, 'SELECT count(*) AS n FROM gold.fato_vendas');
    expect(Number(total!.n)).toBeLessThan(Number(all!.n));
    const cube = await load(CONTEXTS.managerL002, { measures: ['fato_vendas.count'] });
    expect(Number(cube.body.data[0]['fato_vendas.count'])).toBe(Number(total!.n));
    const view = await load(CONTEXTS.managerL002, { measures: ['vendas.count'], dimensions: ['vendas.canal_nome'] });
    const byChannel = await queryGold(gold, `SELECT c.nome, count(*) AS n FROM gold.fato_vendas f ${STORE_OF_SALE} JOIN gold.dim_canal c ON c.canal_sk = f.canal_sk WHERE l.loja_id = 'L002' GROUP BY 1`);
    expect(rowSet(rows(view.body, ['vendas.canal_nome', 'vendas.count']))).toEqual(rowSet(byChannel.map((r) => [r.nome, Number(r.n)])));
    const ungrouped = await load(CONTEXTS.managerL002, { dimensions: ['fato_vendas.pedido_id', 'fato_vendas.origem'], ungrouped: true, limit: 5000 });
    // The cube's rows: the sale lines and, dated on the refund, one row per refund of them (METRICS.md).
    const lines = await queryGold(gold, `SELECT f.pedido_id, f.origem FROM gold.fato_vendas f ${STORE_OF_SALE} WHERE l.loja_id = 'L002'
      UNION ALL SELECT f.pedido_id, f.origem FROM gold.fato_devolucoes d JOIN gold.fato_vendas f USING (venda_id) ${STORE_OF_SALE} WHERE l.loja_id = 'L002'`);
    expect(rowSet(rows(ungrouped.body, ['fato_vendas.pedido_id', 'fato_vendas.origem']))).toEqual(rowSet(lines.map((r) => [r.pedido_id, r.origem])));
  });

  it("cannot reach another store's rows with its own filters (equals, OR, notEquals) or by returns", async () => {
    for (const filters of [
      [{ member: 'dim_loja.loja_id', operator: 'equals', values: ['ONLINE'] }],
      [{ or: [{ member: 'dim_loja.loja_id', operator: 'equals', values: ['ONLINE'] }, { member: 'dim_loja.loja_id', operator: 'set' }] }],
      [{ member: 'vendas.loja_loja_id', operator: 'notEquals', values: ['L002'] }],
    ]) {
      const res = await load(CONTEXTS.managerL002, { measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'], filters });
      expect(res.status).toBe(200);
      expect(res.body.data.every((r: Record<string, unknown>) => r['dim_loja.loja_id'] === 'L002')).toBe(true);
    }
    const stores = await load(CONTEXTS.managerL002, { dimensions: ['dim_loja.loja_id', 'dim_loja.nome'] });
    expect(stores.body.data.map((r: Record<string, unknown>) => r['dim_loja.loja_id'])).toEqual(['L002']);
    const returns = await load(CONTEXTS.managerL002, { measures: ['fato_devolucoes.count'] });
    const [expected] = await queryGold(gold, "SELECT count(*) AS n FROM gold.fato_devolucoes d JOIN gold.dim_loja l ON l.loja_sk = d.loja_sk WHERE l.loja_id = 'L002'");
    expect(Number(returns.body.data[0]['fato_devolucoes.count'])).toBe(Number(expected!.n));
  });

  it('a manager of a store without sales sees no rows at all', async () => {
    const res = await load(CONTEXTS.managerL001, { measures: ['fato_vendas.count', 'fato_vendas.vendas_liquidas'], dimensions: ['dim_loja.loja_id'] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
  });

  it('is refused (403, member named) customer-identifying members, online event cubes, and filters/order on them', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ measures: ['fato_vendas.count'], dimensions: ['dim_cliente.email'] }, 'dim_cliente.email'],
      [{ measures: ['vendas.count'], dimensions: ['vendas.cliente_nome'] }, 'vendas.cliente_nome'],
      [{ measures: ['eventos.eventos'] }, 'eventos.eventos'],
      [{ measures: ['fato_vendas.count'], filters: [{ member: 'dim_cliente.nome', operator: 'startsWith', values: ['A'] }] }, 'dim_cliente.nome'],
      [{ measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'], order: [['dim_cliente.cliente_id', 'asc']] }, 'dim_cliente.cliente_id'],
    ];
    for (const [query, member] of cases) {
      const res = await load(CONTEXTS.managerL002, query);
      expect(res.status, member).toBe(403);
      expect(res.body.error).toContain(member);
      expect(res.body.error).toMatch(/Access denied/);
    }
  });

  it('/meta marks the denied members invisible, leaves out cubes with no allowed member, and keeps the allowed ones', async () => {
    const res = await request(stack.server.app).get('/cubejs-api/v1/meta').set('Authorization', await sign(CONTEXTS.managerL002));
    const cubes = res.body.cubes as { name: string; measures: { name: string; isVisible: boolean }[]; dimensions: { name: string; isVisible: boolean }[] }[];
    const members = cubes.flatMap((c) => [...c.measures, ...c.dimensions]);
    const visible = (name: string) => members.find((m) => m.name === name)?.isVisible;
    expect(visible('dim_cliente.email')).toBe(false);
    expect(visible('vendas.cliente_nome')).toBe(false);
    // Online events are granted to no member of gerente_loja (eventos.yml, campanhas_tempo_real.yml).
    expect(cubes.map((c) => c.name)).not.toContain('eventos');
    expect(cubes.map((c) => c.name)).not.toContain('campanhas_tempo_real');
    expect(cubes.map((c) => c.name)).toContain('fato_vendas');
    expect(visible('fato_vendas.vendas_liquidas')).toBe(true);
    expect(visible('dim_cliente.segmento')).toBe(true);
  });
});

describe('marketing analyst and others', () => {
  it('the analyst sees campaign results over every store, equal to hand-written SQL, but no customer-identifying member', async () => {
    const res = await load(CONTEXTS.marketing, { measures: ['vendas.vendas_brutas'], dimensions: ['vendas.campanha_nome'] });
    expect(res.status).toBe(200);
    const expected = await queryGold(gold, `SELECT c.nome, sum(CASE WHEN ${VALID} THEN f.valor_bruto END) AS b FROM gold.fato_vendas f JOIN gold.dim_campanha c ON c.campanha_sk = f.campanha_sk GROUP BY 1`);
    expect(rowSet(rows(res.body, ['vendas.campanha_nome', 'vendas.vendas_brutas']))).toEqual(rowSet(expected.map((r) => [r.nome, Number(r.b)])));
    for (const member of ['dim_cliente.nome', 'dim_cliente.email', 'dim_cliente.cliente_id', 'vendas.cliente_cliente_id']) {
      const denied = await load(CONTEXTS.marketing, { measures: ['fato_vendas.count'], dimensions: [member] });
      expect(denied.status, member).toBe(403);
      expect(denied.body.error).toContain(member);
    }
    const allowed = await load(CONTEXTS.marketing, { measures: ['dim_cliente.clientes'], dimensions: ['dim_cliente.estado'] });
    expect(allowed.status).toBe(200);
  });

  it('a group no policy names and a token without groups get 403; the internal group sees everything', async () => {
    for (const claims of [CONTEXTS.outsider, CONTEXTS.groupless]) {
      const denied = await load(claims, { measures: ['fato_vendas.count'] });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatch(/fato_vendas\.count/);
    }
    const internal = await load(CONTEXTS.internal, { measures: ['fato_vendas.count'] });
    const [all] = await queryGold(gold, 'SELECT count(*) AS n FROM gold.fato_vendas');
    expect(Number(internal.body.data[0]['fato_vendas.count'])).toBe(Number(all!.n));
  });
});

describe('hostile input', () => {
  const injections = ["L002' OR '1'='1", "'; DROP TABLE gold.fato_vendas; --", 'L002") OR 1=1 --', "x'||(SELECT count(*) FROM gold.dim_cliente)||'"];

  it('SQL in filter values is a value: no rows (or the literal match), never more rows', async () => {
    for (const value of injections) {
      const res = await load(CONTEXTS.internal, { measures: ['fato_vendas.count'], filters: [{ member: 'dim_loja.loja_id', operator: 'equals', values: [value] }] });
      expect(res.status, value).toBe(200);
      expect(Number(res.body.data[0]?.['fato_vendas.count'] ?? 0)).toBe(0);
      const contains = await load(CONTEXTS.internal, { measures: ['fato_vendas.count'], filters: [{ member: 'dim_loja.nome', operator: 'contains', values: [value] }] });
      expect(Number(contains.body.data[0]?.['fato_vendas.count'] ?? 0)).toBe(0);
    }
  });

  it('SQL in a token claim bound by a row-level policy is a value too', async () => {
    for (const value of injections) {
      const res = await load({ groups: ['gerente_loja'], lojas: [value] }, { measures: ['fato_vendas.count'], dimensions: ['dim_loja.loja_id'] });
      expect(res.status, value).toBe(200);
      expect(res.body.data).toEqual([]);
    }
  });

  it('SQL in member names is an unknown member (400), never SQL', async () => {
    for (const member of ['fato_vendas.count; DROP TABLE gold.fato_vendas', 'fato_vendas.count"--', "dim_loja.loja_id' OR 1=1"]) {
      const res = await load(CONTEXTS.internal, { measures: [member] });
      expect(res.status, member).toBe(400);
      const dim = await load(CONTEXTS.internal, { measures: ['fato_vendas.count'], dimensions: [member] });
      expect(dim.status, member).toBe(400);
    }
  });

  it('changed no gold table', async () => {
    expect(await goldRowCounts(gold)).toEqual(countsBefore);
  });
});
