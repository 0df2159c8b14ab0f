/**
 * Unaliased result columns are named as Postgres names them (`count`, `measure`, `upper`,
 * `?column?`, a cast's type name…), so clients that read columns by name find them. Found by a QA
 * probe: `SELECT count(*)` answered a column `COUNT(vendas.count)`. The oracle is a real Postgres
 * holding a table of the same name and columns (support/postgres-twin.ts).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-names');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const STATEMENTS = [
  'SELECT count(*) FROM vendas',
  'SELECT MEASURE(total) FROM vendas',
  'SELECT sum(total), COUNT(*) FROM vendas',
  'SELECT upper(nome) FROM vendas GROUP BY 1 ORDER BY 1',
  'SELECT NOME, "nome", v.nome FROM vendas v GROUP BY 1 ORDER BY 1',
  'SELECT vendas.nome, public.vendas.nome FROM vendas GROUP BY 1 ORDER BY 1',
  'SELECT nome, 1, ano + 1, count(*) + 1, -sum(total) FROM vendas GROUP BY 1, 3 ORDER BY 1, 3',
  "SELECT nome, ano::int, CAST(nome AS varchar(3)), '1'::int, nome::text FROM vendas GROUP BY 1, 2 ORDER BY 1, 2",
  "SELECT nome, CASE WHEN nome = 'Ana' THEN 'a' END, CASE WHEN nome = 'Ana' THEN 'a' ELSE nome END, coalesce(nome, 'x'), NULLIF(nome, 'Ana'), greatest(ano, 1), least(ano, 1) FROM vendas GROUP BY 1, ano ORDER BY 1, 6",
  "SELECT date_trunc('day', vendido_em), EXTRACT(year FROM vendido_em), MEASURE(count) FROM vendas GROUP BY 1, 2 ORDER BY 1",
  'SELECT nome IS NULL, nome IN (\'Ana\'), max(vendido_em) FROM vendas GROUP BY nome ORDER BY 3',
  'SELECT x.nome, x.n FROM (SELECT nome, count(*) AS n FROM vendas GROUP BY 1) x ORDER BY 1',
  'SELECT * FROM (SELECT nome, count(*) FROM vendas GROUP BY 1) x ORDER BY 1',
];

describe('default output column names', () => {
  for (const text of STATEMENTS) {
    it(`names the columns of ${text} as Postgres does`, async () => {
      const got = await onBoth(ours, real, [text]);
      expect(got.real.ok, JSON.stringify(got.real)).toBe(true);
      expect(got.ours.ok, JSON.stringify(got.ours)).toBe(true);
      if (!got.ours.ok || !got.real.ok) return;
      expect(got.ours.fields).toEqual(got.real.fields);
    });
  }
});
