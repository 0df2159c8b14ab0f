/**
 * COUNT(*) (and COUNT(1), SUM(1)) over a subquery counts the rows the subquery returns, as in
 * Postgres — not the view's `count` measure, which counts only what the model says (here: sale
 * lines, not refund lines). A QA probe got 0 for the refunds of `vendas` and the number of sale lines
 * for `(select pedido_id from vendas)`. Expected answers: hand-written SQL over the view's rows.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answered, refusal } from './support/bi-sql-client.ts';
import { asText, startViewRowsWorld, VIEW_ROWS, type ViewRowsWorld } from './support/view-rows-fixture.ts';

let world: ViewRowsWorld;
let client: pg.Client;

beforeAll(async () => {
  world = await startViewRowsWorld();
  client = await world.connect();
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const CASES: readonly [string, string][] = [
  ["select count(*) from (select * from vendas where tipo_linha = 'devolucao') t", `select count(*) from ${VIEW_ROWS} v where tipo_linha = 'devolucao'`],
  ['select count(*) from (select pedido_id from vendas) t', `select count(*) from ${VIEW_ROWS} v`],
  ['select count(1), sum(1) from (select pedido_id, canal_nome from vendas) t', `select count(1), sum(1) from ${VIEW_ROWS} v`],
  ['select tipo_linha, count(*) from (select tipo_linha, pedido_id from vendas) t group by 1 order by 1', `select tipo_linha, count(*) from ${VIEW_ROWS} v group by 1 order by 1`],
  [
    'select "canal_nome", count(1) as "a0" from (select "pedido_id", "canal_nome" from "public"."vendas" "$Table") "_" group by "canal_nome" order by 1',
    `select canal_nome, count(1) from ${VIEW_ROWS} v group by 1 order by 1`,
  ],
  ["select count(*) from (select * from vendas where canal_nome = 'marketplace') t", `select count(*) from ${VIEW_ROWS} v where canal_nome = 'marketplace'`],
  ['select canal_nome, count(pedido_id) from (select pedido_id, canal_nome from vendas) t group by 1 order by 1', `select canal_nome, count(pedido_id) from ${VIEW_ROWS} v group by 1 order by 1`],
];

describe('COUNT over a subquery of a view', () => {
  for (const [text, expected] of CASES) {
    it(`counts the subquery's rows: ${text}`, async () => {
      expect(await answered(client, text)).toEqual(asText(await world.hand(expected)));
    });
  }

  it('refuses an unknown column of the subquery even when the outer level reads none (42703)', async () => {
    const got = await refusal(client, 'select count(*) from (select bogus from vendas) t');
    expect(got.code).toBe('42703');
    expect(got.message).toContain('bogus');
  });

  it('keeps reading the measure when the outer level aggregates a measure of the subquery', async () => {
    const [[total]] = (await world.hand(`select sum(valor)::double as s from main.linhas`)).map((r) => [Number(r.s)]);
    const rows = await answered(client, 'select sum(liquido) from (select canal_nome, liquido from vendas) t');
    expect(Number(rows[0]![0])).toBeCloseTo(total!, 6);
  });
});
