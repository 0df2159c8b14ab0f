/**
 * Numbers (and booleans) turned into text over cubes and views print as Postgres prints them: a
 * QA probe found `SELECT ano || '' FROM …` giving `2024.0` (number dimensions are float8, and the
 * sandbox's DuckDB writes a whole double with `.0`), format('%s', ano) giving `%s`, and a CASE
 * mixing text and numbers refused with 0A000 instead of Postgres's 22P02. The oracle is a real
 * Postgres holding the same rows (support/postgres-twin.ts).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBoth, startPostgresTwin, type PostgresTwin } from './support/postgres-twin.ts';

let twin: PostgresTwin;
let ours: pg.Client;
let real: pg.Client;

beforeAll(async () => {
  twin = await startPostgresTwin('pg-number-text');
  [ours, real] = [await twin.ours(), await twin.real()];
}, 120_000);

afterAll(async () => {
  await twin?.close();
});

const SAME_ROWS = [
  "SELECT ano || '' AS a, '#' || ano AS b, ano || '-' || nome AS c FROM vendas GROUP BY ano, nome ORDER BY 3, 1",
  "SELECT ano, concat(ano, '-'), concat_ws('/', ano, nome, pago) FROM vendas GROUP BY 1, nome, pago ORDER BY 3",
  "SELECT format('%s|%5s|%-6s|%L|%I|%%|%2$s', ano, nome, ano, nome, nome) FROM vendas WHERE nome IS NOT NULL GROUP BY ano, nome ORDER BY 1",
  "SELECT format('%s', ano), format('ano %s é %L', ano, ano), format('[%2s|%-3s]', nome, ano) FROM vendas GROUP BY ano, nome ORDER BY 3",
  'SELECT ano::text, (ano + 1)::varchar, CAST(ano * 2 AS varchar(3)), sum(total)::text FROM vendas GROUP BY ano ORDER BY 1',
  "SELECT nome, count(*) || ' vendas', sum(total) || '' FROM vendas GROUP BY 1 ORDER BY 1",
  "SELECT ano, ano = '2024', ano > '2023.5', ano IN ('2023', '2025') FROM vendas GROUP BY 1 ORDER BY 1",
  "SELECT pago, pago || '', pago::text, concat(pago) FROM vendas GROUP BY 1 ORDER BY 1",
  "SELECT CASE WHEN ano > 2024 THEN ano::text ELSE 'antes' END FROM vendas GROUP BY ano ORDER BY 1",
  "SELECT ano FROM vendas WHERE ano || '' = '2024' GROUP BY 1",
];

describe('numbers as text', () => {
  for (const text of SAME_ROWS) {
    it(`answers ${text} as Postgres does`, async () => {
      const got = await onBoth(ours, real, [text]);
      expect(got.real.ok, JSON.stringify(got.real)).toBe(true);
      expect(got.ours).toEqual(got.real);
    });
  }

  it('refuses a number where Postgres wants text with the SQLSTATE Postgres gives (42883, 42804)', async () => {
    for (const text of [
      "SELECT ano, ano LIKE '%4' FROM vendas GROUP BY 1",
      'SELECT ano, length(ano) FROM vendas GROUP BY 1',
      'SELECT ano, coalesce(nome, ano) FROM vendas GROUP BY 1, nome',
      "SELECT ano, CASE WHEN ano > 2024 THEN 'depois'::text ELSE ano END FROM vendas GROUP BY 1",
    ]) {
      const got = await onBoth(ours, real, [text]);
      if (got.ours.ok || got.real.ok) throw new Error(JSON.stringify(got));
      expect(got.ours.code, text).toBe(got.real.code);
    }
  });

  it('refuses text that is no number where Postgres reads a number (CASE mixing text and numbers), with 22P02', async () => {
    const text = "SELECT CASE WHEN ano > 2024 THEN 'depois' ELSE ano END FROM vendas GROUP BY ano";
    const got = await onBoth(ours, real, [text]);
    if (got.ours.ok || got.real.ok) throw new Error(JSON.stringify(got));
    expect(got.ours.code).toBe(got.real.code);
    expect(got.ours.message).toBe(got.real.message);
  });
});
