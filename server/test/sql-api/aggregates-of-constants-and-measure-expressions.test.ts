/**
 * Aggregates a QA probe got silently wrong over a view read directly: aggregates of a constant
 * (`count(1)`, Tableau's `SUM(1)`, `count('x')`) were computed once per group of the semantic
 * query (1 per channel), and aggregates of an expression over a measure (`sum(case when m < 0 …)`,
 * `max(m + 0)`) over the measure's group total instead of rows. Now: reading the view directly,
 * an aggregate of a constant counts what COUNT(*) counts — the view's count measure (Cube's
 * convention; here sale lines, not refund lines) — and an expression over a measure inside an
 * aggregate is refused with 42803 unless it only scales an additive measure. Expected answers:
 * hand-written SQL over the view's rows, restricted (FILTER) to the rows the count measure counts.
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

/** The rows the view's count measure counts. */
const COUNTED = "FILTER (WHERE tipo_linha = 'venda')";

describe('aggregates of a constant over the view read directly', () => {
  const same: readonly [string, string][] = [
    ['select canal_nome, count(1) from vendas group by 1 order by 1', `select canal_nome, count(1) ${COUNTED} from ${VIEW_ROWS} v group by 1 order by 1`],
    ["select canal_nome, count('x'), count(2), count(*) from vendas group by 1 order by 1", `select canal_nome, count('x') ${COUNTED}, count(2) ${COUNTED}, count(*) ${COUNTED} from ${VIEW_ROWS} v group by 1 order by 1`],
    ['select canal_nome, sum(1) as "cnt:Number of Records" from vendas group by 1 order by 1', `select canal_nome, sum(1) ${COUNTED} from ${VIEW_ROWS} v group by 1 order by 1`],
    ['select canal_nome, max(1), min(2) from vendas group by 1 order by 1', `select canal_nome, max(1) ${COUNTED}, min(2) ${COUNTED} from ${VIEW_ROWS} v group by 1 order by 1`],
    ['select count(1) from vendas', `select count(1) ${COUNTED} from ${VIEW_ROWS} v`],
    ['select sum(1) from vendas', `select sum(1) ${COUNTED} from ${VIEW_ROWS} v`],
    ["select count(*), count(1), sum(1), max(1) from vendas where canal_nome <> 'site'", `select count(*) ${COUNTED}, count(1) ${COUNTED}, sum(1) ${COUNTED}, max(1) ${COUNTED} from ${VIEW_ROWS} v where canal_nome <> 'site'`],
    ["select count(null), count(nullif(1, 1)) from vendas", `select count(null) ${COUNTED}, count(nullif(1, 1)) ${COUNTED} from ${VIEW_ROWS} v`],
  ];
  for (const [text, expected] of same) {
    it(`answers ${text} as COUNT(*) counts`, async () => {
      expect(await answered(client, text)).toEqual(asText(await world.hand(expected)));
    });
  }

  it('multiplies SUM of a fractional constant by the count', async () => {
    const got = await answered(client, 'select canal_nome, sum(0.5) from vendas group by 1 order by 1');
    const want = await world.hand(`select canal_nome, (sum(0.5) ${COUNTED})::double as s from ${VIEW_ROWS} v group by 1 order by 1`);
    expect(got.map((r) => [r[0], r[1] === null ? null : Number(r[1])])).toEqual(want.map((w) => [w.canal_nome, w.s === null ? null : Number(w.s)]));
  });

  it('refuses other aggregates of a constant with 0A000 naming them', async () => {
    for (const [text, name] of [
      ['select canal_nome, array_agg(1) from vendas group by 1', 'ARRAY_AGG'],
      ['select canal_nome, avg(1) from vendas group by 1', 'AVG'],
      ['select count(distinct 1) from vendas', 'COUNT(DISTINCT'],
    ] as const) {
      const got = await refusal(client, text);
      expect(got.code, text).toBe('0A000');
      expect(got.message).toContain(name);
    }
  });
});

describe('aggregates of an expression over a measure', () => {
  for (const text of [
    'select canal_nome, sum(case when liquido < 0 then liquido else 0 end) from vendas group by canal_nome',
    'select canal_nome, max(liquido + 0) from vendas group by 1',
    'select canal_nome, avg(liquido * 1) from vendas group by 1',
    'select canal_nome, sum(greatest(liquido, 0)) from vendas group by 1',
    'select sum(greatest(liquido, 0)) from vendas',
    'select canal_nome, sum(x) from (select canal_nome, case when liquido < 0 then liquido else 0 end x from vendas) t group by 1',
  ]) {
    it(`refuses ${text} with 42803 pointing at MEASURE()`, async () => {
      const got = await refusal(client, text);
      expect(got.code).toBe('42803');
      expect(got.message).toContain('liquido');
    });
  }

  it('answers SUM of an additive measure times a constant (it is the constant times the measure)', async () => {
    const got = await answered(client, 'select canal_nome, sum(liquido * 2), sum(-liquido), sum(cast(liquido as numeric) * 0.5) from vendas group by 1 order by 1');
    const want = await world.hand(`select canal_nome, sum(valor * 2)::double a, sum(-valor)::double b, sum(valor * 0.5)::double c from ${VIEW_ROWS} v group by 1 order by 1`);
    expect(got.map((r) => [r[0], ...r.slice(1).map(Number)])).toEqual(want.map((w) => [w.canal_nome, Number(w.a), Number(w.b), Number(w.c)]));
  });
});

describe('DISTINCT inside an aggregate of an additive measure', () => {
  for (const text of ['select canal_nome, sum(distinct liquido) from vendas group by 1', 'select sum(distinct count) from vendas']) {
    it(`refuses ${text} with 42803 (over rows it would sum distinct row values, not the measure)`, async () => {
      const got = await refusal(client, text);
      expect(got.code).toBe('42803');
      expect(got.message).toMatch(/liquido|count/);
    });
  }
});
