/**
 * SQL semantics the SQL API must keep or refuse, never answer with a different number (found by a
 * QA run on view `vendas` of the repository's model over the gold fixture): an aggregate's
 * FILTER clause, `<>`/`NOT IN` against NULL (three-valued logic), casts of a dimension in WHERE
 * and GROUP BY, aggregates over dimension columns (rows, not distinct values), and ORDER BY's
 * NULLS FIRST/LAST. Expected values come from REST `/load` queries meaning the same; refusals
 * must carry the SQLSTATE naming what is not supported. The gold fixture gets a second sale three
 * hours after most sales, at a price 0.4 higher, so that a day and a rounded price hold several
 * values of the raw dimension (the shapes where a dropped cast changes the answer).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, BI_SQL, connectBi, refusal } from './support/bi-sql-client.ts';
import { GOLD_EXTRA_FILES, REPO_MODEL_DIR, startStack, type Stack } from '../support/stack.ts';
import { GOLD_SQL } from '../engine/gold-fixture.ts';
import { loadRest } from '../support/api-requests.ts';

let world: Stack;
let client: pg.Client;

/** Same-day sales with other orders and prices (venda_id, pedido_id and data_sk stay consistent). */
const MORE_SALES = `
INSERT INTO gold.fato_vendas SELECT * REPLACE ('x' || venda_id AS venda_id, 'Q' || pedido_id AS pedido_id, data_venda + INTERVAL 3 HOUR AS data_venda,
  CAST(preco_unitario + 0.4 AS DECIMAL(18,2)) AS preco_unitario) FROM gold.fato_vendas WHERE hour(data_venda) BETWEEN 1 AND 20;`;

beforeAll(async () => {
  world = await startStack({ data: { sql: GOLD_SQL + MORE_SALES }, model: { dir: REPO_MODEL_DIR, files: GOLD_EXTRA_FILES }, serve: { http: true, sql: BI_SQL } });
  client = await connectBi(world.sqlPort);
}, 300_000);

afterAll(async () => {
  await client?.end();
  await world?.close();
});

const rows = (text: string) => answered(client, text);
const refused = (text: string) => refusal(client, text);

/** One number of a REST query's only row. */
async function rest(query: object, member: string): Promise<number> {
  const data = await loadRest(world.url, query);
  expect(data.length).toBe(1);
  return Number(data[0]![member] ?? 0);
}

const close = (got: string | null | undefined, want: number) => expect(Number(got)).toBeCloseTo(want, 2);

describe('FILTER (WHERE …) on an aggregate', () => {
  it('is refused with 0A000 naming FILTER, never ignored (SUM and MEASURE)', async () => {
    for (const text of [
      "SELECT SUM(vendas_liquidas) FILTER (WHERE canal_nome = 'Site') AS site, SUM(vendas_liquidas) AS total FROM vendas",
      "SELECT MEASURE(vendas_liquidas) FILTER (WHERE canal_nome = 'Site') AS site FROM vendas",
      "SELECT canal_nome, COUNT(*) FILTER (WHERE ano = 2025) FROM vendas GROUP BY 1",
    ]) {
      const err = await refused(text);
      expect(err.code).toBe('0A000');
      expect(err.message).toMatch(/FILTER/);
    }
  });

  it('the measure restricted by WHERE still answers the Site value REST gives', async () => {
    const want = await rest({ measures: ['vendas.vendas_liquidas'], filters: [{ member: 'vendas.canal_nome', operator: 'equals', values: ['Site'] }] }, 'vendas.vendas_liquidas');
    expect(want).toBeGreaterThan(0);
    close((await rows("SELECT MEASURE(vendas_liquidas) FROM vendas WHERE canal_nome = 'Site'"))[0]![0], want);
  });
});

describe('<> and NOT IN leave NULL rows out (three-valued logic)', () => {
  let want: number;
  beforeAll(async () => {
    const notEquals = { member: 'vendas.cliente_cidade', operator: 'notEquals', values: ['São Paulo'] };
    want = await rest({ measures: ['vendas.vendas_liquidas'], filters: [notEquals, { member: 'vendas.cliente_cidade', operator: 'set' }] }, 'vendas.vendas_liquidas');
    // Cube's notEquals alone keeps the NULL-city rows: the two differ on this fixture.
    const withNulls = await rest({ measures: ['vendas.vendas_liquidas'], filters: [notEquals] }, 'vendas.vendas_liquidas');
    expect(want).toBeGreaterThan(0);
    expect(withNulls).toBeGreaterThan(want);
  });

  it('<>, != and NOT IN equal NOT (x = v)', async () => {
    for (const where of ["cliente_cidade <> 'São Paulo'", "cliente_cidade != 'São Paulo'", "cliente_cidade NOT IN ('São Paulo')", "NOT (cliente_cidade = 'São Paulo')"]) {
      close((await rows(`SELECT MEASURE(vendas_liquidas) FROM vendas WHERE ${where}`))[0]![0], want);
    }
  });

  it("in Power BI's nested `(select … where _.x <> 'v') rows` form", async () => {
    const got = await rows(
      `select sum(rows.vendas_liquidas) as a0 from (select _.vendas_liquidas from (select * from public.vendas _ where _.cliente_cidade <> 'São Paulo') _) rows`,
    );
    close(got[0]![0], want);
  });

  it('on a number dimension too', async () => {
    const wantNum = await rest({ measures: ['vendas.count'], filters: [{ member: 'vendas.preco_unitario', operator: 'notEquals', values: ['24'] }, { member: 'vendas.preco_unitario', operator: 'set' }] }, 'vendas.count');
    close((await rows('SELECT MEASURE(count) FROM vendas WHERE preco_unitario <> 24'))[0]![0], wantNum);
  });
});

describe('casts of a dimension in WHERE are kept', () => {
  const day = (from: string, to: string) => ({ measures: ['vendas.count'], timeDimensions: [{ dimension: 'vendas.data_venda', dateRange: [from, to] }] });

  it('x::date = D is the whole day D; < and > bound by days', async () => {
    // A day holding two sales and at least one order.
    const days = await loadRest(world.url, { measures: ['vendas.count', 'vendas.pedidos'], timeDimensions: [{ dimension: 'vendas.data_venda', granularity: 'day', dateRange: ['2024-01-01', '2024-01-31'] }], order: { 'vendas.data_venda': 'asc' } });
    const pick = days.find((r) => Number(r['vendas.count']) >= 2 && Number(r['vendas.pedidos']) >= 1)!;
    const d = String(pick['vendas.data_venda.day']).slice(0, 10);
    const next = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const previous = new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const want = await rest(day(d, d), 'vendas.count');
    expect(want).toBeGreaterThanOrEqual(2);
    close((await rows(`SELECT MEASURE(count) FROM vendas WHERE data_venda::date = '${d}'`))[0]![0], want);
    close((await rows(`SELECT MEASURE(count) FROM vendas WHERE data_venda::date < '${next}' AND data_venda::date > '${previous}'`))[0]![0], want);
    close((await rows(`SELECT MEASURE(count) FROM vendas WHERE CAST(data_venda AS date) <= '${d}' AND data_venda::date >= '${d}'`))[0]![0], want);
    const pedidos = await rest({ ...day(d, d), measures: ['vendas.pedidos'] }, 'vendas.pedidos');
    close((await rows(`SELECT MEASURE(pedidos) FROM vendas WHERE data_venda::date = '${d}'`))[0]![0], pedidos);
  });

  it('a cast that changes values (::int, ::text) is evaluated on the values, not dropped', async () => {
    const want = await rest({ measures: ['vendas.count'], filters: [{ member: 'vendas.preco_unitario', operator: 'gte', values: ['11.5'] }, { member: 'vendas.preco_unitario', operator: 'lt', values: ['12.5'] }] }, 'vendas.count');
    const exact = await rest({ measures: ['vendas.count'], filters: [{ member: 'vendas.preco_unitario', operator: 'equals', values: ['12'] }] }, 'vendas.count');
    expect(want).toBeGreaterThan(exact);
    close((await rows('SELECT MEASURE(count) FROM vendas WHERE preco_unitario::int = 12'))[0]![0], want);
    // As text, no month is after '9' ('10' < '9'), though months 10–12 of 2024 have sales.
    const lateMonths = await rest({ measures: ['vendas.count'], filters: [{ member: 'vendas.mes', operator: 'gt', values: ['9'] }, { member: 'vendas.ano', operator: 'equals', values: ['2024'] }] }, 'vendas.count');
    expect(lateMonths).toBeGreaterThan(0);
    const text = await rows("SELECT MEASURE(count) FROM vendas WHERE mes::text > '9' AND ano = 2024");
    expect(Number(text[0]?.[0] ?? 0)).toBe(0);
  });
});

describe('GROUP BY a cast', () => {
  it('x::date groups by day: every measure at the day grain', async () => {
    const data = await loadRest(world.url, {
      measures: ['vendas.count', 'vendas.pedidos', 'vendas.clientes_distintos'],
      timeDimensions: [{ dimension: 'vendas.data_venda', granularity: 'day', dateRange: ['2024-01-01', '2024-01-07'] }],
      order: { 'vendas.data_venda': 'asc' },
    });
    const want = data.map((r) => [String(r['vendas.data_venda.day']).slice(0, 10), Number(r['vendas.count']), Number(r['vendas.pedidos']), Number(r['vendas.clientes_distintos'])]);
    expect(want.some((r) => Number(r[2]) > 1)).toBe(true);
    const got = await rows(
      "SELECT data_venda::date d, MEASURE(count), MEASURE(pedidos), MEASURE(clientes_distintos) FROM vendas WHERE data_venda >= '2024-01-01' AND data_venda < '2024-01-08' GROUP BY 1 ORDER BY 1",
    );
    expect(got.map((r) => [String(r[0]).slice(0, 10), Number(r[1]), Number(r[2]), Number(r[3])])).toEqual(want);
  });

  it('a cast that can merge groups: additive measures re-aggregate, distinct counts are refused with 42803', async () => {
    const err = await refused('SELECT preco_unitario::int, MEASURE(pedidos) FROM vendas GROUP BY 1');
    expect(err.code).toBe('42803');
    const want = await rest({ measures: ['vendas.count'], filters: [{ member: 'vendas.preco_unitario', operator: 'gte', values: ['11.5'] }, { member: 'vendas.preco_unitario', operator: 'lt', values: ['12.5'] }] }, 'vendas.count');
    const got = await rows('SELECT preco_unitario::int p, MEASURE(count) FROM vendas GROUP BY 1');
    close(got.find((r) => r[0] === '12')?.[1], want);
  });
});

describe('aggregates over dimension columns', () => {
  it('SUM/AVG/COUNT of a dimension are refused (they would read distinct values), naming MEASURE', async () => {
    for (const text of [
      'SELECT AVG(ano), SUM(ano), COUNT(ano) FROM vendas',
      'SELECT COUNT(pedido_id) FROM vendas',
    ]) {
      const err = await refused(text);
      expect(err.code).toBe('42803');
      expect(err.message + ' ').toMatch(/MEASURE|measure/);
    }
  });

  it("over a subquery, SUM/COUNT of a dimension read the subquery's rows (Power BI's nested form)", async () => {
    const got = await rows('select rows.canal_nome, sum(rows.preco_unitario) a0, count(rows.preco_unitario) a1 from (select _.canal_nome, _.preco_unitario from public.vendas _) rows group by canal_nome order by 1');
    // The view's rows: sale lines (with their price) and refund lines (no price), by channel.
    const want = await world.hand(`SELECT c.nome, sum(f.preco_unitario)::double AS s, count(f.preco_unitario) AS n
      FROM (SELECT canal_sk, preco_unitario FROM gold.fato_vendas UNION ALL SELECT f.canal_sk, NULL FROM gold.fato_devolucoes d JOIN gold.fato_vendas f USING (venda_id)) f
      LEFT JOIN gold.dim_canal c USING (canal_sk) GROUP BY 1 ORDER BY 1`);
    expect(got.map((r) => r[0])).toEqual(want.map((w) => w.nome));
    got.forEach((r, i) => {
      close(r[1], Number(want[i]!.s));
      expect(r[2]).toBe(String(want[i]!.n));
    });
  });

  it('MIN, MAX and COUNT(DISTINCT) of a dimension still answer (distinct values suffice)', async () => {
    const got = await rows('SELECT MIN(ano), MAX(ano), COUNT(DISTINCT pedido_id) FROM vendas');
    // The view's rows: sale lines and refund lines (same orders), years through dim_tempo.
    const [want] = await world.hand(`SELECT min(t.ano) AS lo, max(t.ano) AS hi, (SELECT count(DISTINCT pedido_id) FROM gold.fato_vendas) AS orders
      FROM (SELECT data_sk FROM gold.fato_vendas UNION ALL SELECT data_devolucao_sk FROM gold.fato_devolucoes) f JOIN gold.dim_tempo t ON t.data_sk = f.data_sk`);
    expect(got[0]!.map(Number)).toEqual([Number(want!.lo), Number(want!.hi), Number(want!.orders)]);
  });
});

describe('ORDER BY … NULLS FIRST / NULLS LAST', () => {
  it('places the NULL group as asked', async () => {
    const base = 'SELECT cliente_cidade, MEASURE(count) FROM vendas GROUP BY 1 ORDER BY 1';
    const first = await rows(`${base} NULLS FIRST`);
    const last = await rows(`${base} DESC NULLS LAST`);
    expect(first.some((r) => r[0] === null)).toBe(true);
    expect(first[0]![0]).toBeNull();
    expect(last.at(-1)![0]).toBeNull();
    // Postgres's defaults: NULLS LAST ascending, NULLS FIRST descending.
    expect((await rows(base)).at(-1)![0]).toBeNull();
    expect((await rows(`${base} DESC`))[0]![0]).toBeNull();
    const data = await loadRest(world.url, { measures: ['vendas.count'], dimensions: ['vendas.cliente_cidade'] });
    const want = data.map((r) => `${r['vendas.cliente_cidade'] ?? null}|${Number(r['vendas.count'])}`).sort();
    expect(first.map((r) => `${r[0]}|${Number(r[1])}`).sort()).toEqual(want);
    expect(first.slice(1).map((r) => r[0])).toEqual([...first.slice(1).map((r) => r[0])].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
  });
});
